// Package etcdsdk carries out performer commands with go.etcd.io/etcd/client/v3
// and maps the SDK's responses and errors onto the protocol's canonical results.
package etcdsdk

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
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
}

// Client is one SDK client plus the settings its commands run with.
type Client struct {
	c              *clientv3.Client
	endpoints      []string
	requestTimeout time.Duration
	ctx            context.Context // canceled by Close: ends in-flight calls and watches
	cancel         context.CancelFunc
}

// ErrNoEndpoints is returned by New when the request names no endpoint.
var ErrNoEndpoints = errors.New("no endpoints given")

// New builds an SDK client with clientv3.New.
func New(cfg Config) (*Client, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, ErrNoEndpoints
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	c, err := clientv3.New(clientv3.Config{
		Endpoints:   cfg.Endpoints,
		DialTimeout: cfg.DialTimeout,
		Username:    cfg.Username,
		Password:    cfg.Password,
	})
	if err != nil {
		return nil, fmt.Errorf("clientv3.New: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Client{
		c:              c,
		endpoints:      append([]string(nil), cfg.Endpoints...),
		requestTimeout: cfg.RequestTimeout,
		ctx:            ctx,
		cancel:         cancel,
	}, nil
}

// Close cancels everything running on the client and closes the SDK client.
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
