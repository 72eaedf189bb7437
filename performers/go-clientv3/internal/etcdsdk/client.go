// Package etcdsdk carries out performer commands with go.etcd.io/etcd/client/v3
// and maps the SDK's responses and errors onto the protocol's canonical results.
package etcdsdk

import (
	"context"
	"crypto/tls"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
)

const (
	DefaultDialTimeout    = 5 * time.Second
	DefaultRequestTimeout = 10 * time.Second
)

// Config is what Connect asks for.
type Config struct {
	Endpoints      []string
	DialTimeout    time.Duration // 0: DefaultDialTimeout
	RequestTimeout time.Duration // 0: DefaultRequestTimeout
	Username       string
	Password       string

	// The SDK's own client options (0 / false: the SDK's default).
	KeepAliveTime    time.Duration // clientv3.Config.DialKeepAliveTime
	KeepAliveTimeout time.Duration // clientv3.Config.DialKeepAliveTimeout
	BlockUntilReady  bool          // grpc.WithBlock() in clientv3.Config.DialOptions
	AutoSyncInterval time.Duration // clientv3.Config.AutoSyncInterval
	TLS              *tls.Config   // clientv3.Config.TLS (TLSConfig); nil: plaintext
}

// Client is one SDK client plus the settings its commands run with.
type Client struct {
	c              *clientv3.Client
	endpoints      []string
	requestTimeout time.Duration
	ctx            context.Context // canceled by Close: ends in-flight calls, watches and keep-alives
	cancel         context.CancelFunc
}

// ErrNoEndpoints is returned by New when the request names no endpoint.
var ErrNoEndpoints = errors.New("no endpoints given")

// SDKConfig is the clientv3.Config an application would write for cfg
// (after defaults are applied): every option goes to the SDK's own setting.
func SDKConfig(cfg Config) clientv3.Config {
	sc := clientv3.Config{
		Endpoints:            cfg.Endpoints,
		DialTimeout:          cfg.DialTimeout,
		Username:             cfg.Username,
		Password:             cfg.Password,
		DialKeepAliveTime:    cfg.KeepAliveTime,
		DialKeepAliveTimeout: cfg.KeepAliveTimeout,
		AutoSyncInterval:     cfg.AutoSyncInterval,
		TLS:                  cfg.TLS,
	}
	if cfg.BlockUntilReady {
		// clientv3's documented way to make New wait for a connection (up to
		// DialTimeout). clientv3 3.7 dials with grpc.NewClient, which ignores it.
		sc.DialOptions = []grpc.DialOption{grpc.WithBlock()} //nolint:staticcheck // the SDK's documented option
	}
	return sc
}

// New builds an SDK client with clientv3.New. The error, when the SDK's
// constructor fails, is the SDK's own, unwrapped (for MapError); call and ret
// bracket the constructor on the performer's monotonic clock.
func New(cfg Config) (cl *Client, call, ret int64, err error) {
	if len(cfg.Endpoints) == 0 {
		now := Now()
		return nil, now, now, ErrNoEndpoints
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	sc := SDKConfig(cfg)
	call = Now()
	c, err := clientv3.New(sc)
	ret = Now()
	if err != nil {
		return nil, call, ret, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Client{
		c:              c,
		endpoints:      append([]string(nil), cfg.Endpoints...),
		requestTimeout: cfg.RequestTimeout,
		ctx:            ctx,
		cancel:         cancel,
	}, call, ret, nil
}

// Close cancels everything running on the client and closes the SDK client
// (which closes its watch and keep-alive channels).
func (cl *Client) Close() error {
	cl.cancel()
	return cl.c.Close()
}

// SDK exposes the underlying SDK client (for tools, not for the protocol loop).
func (cl *Client) SDK() *clientv3.Client { return cl.c }

// callCtx is the context of one SDK call: the per-call request timeout, under
// the client's lifetime.
func (cl *Client) callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(cl.ctx, cl.requestTimeout)
}
