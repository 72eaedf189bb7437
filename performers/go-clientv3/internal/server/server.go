// Package server is the performer's protocol loop: the gRPC PerformerService
// (Describe / Connect / Disconnect / Execute), the client registry and the
// per-client watch registry. The SDK work itself is in internal/etcdsdk.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
	"etcdfit.dev/performers/go-clientv3/internal/etcdsdk"
)

const (
	Name             = "go-clientv3"
	Language         = "go"
	PerformerVersion = "0.1.0"
	// maxMsgSize lets the driver send and receive large values (the SDK and the
	// server, not this hop, decide what is too large).
	maxMsgSize = 64 << 20
)

// Config is the performer's command line.
type Config struct {
	Listen string // host:port
}

// Run serves the performer on cfg.Listen until SIGINT/SIGTERM, logging to logw.
func Run(cfg Config, logw io.Writer) error {
	logger := log.New(logw, "go-clientv3 ", log.LstdFlags|log.Lmicroseconds)
	if cfg.Listen == "" {
		return errors.New("--listen host:port is required")
	}
	lis, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	srv := New(logger)
	gs := grpc.NewServer(grpc.MaxRecvMsgSize(maxMsgSize), grpc.MaxSendMsgSize(maxMsgSize))
	ppb.RegisterPerformerServiceServer(gs, srv)

	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigc)
	go func() {
		s, ok := <-sigc
		if !ok {
			return
		}
		logger.Printf("signal %v: stopping", s)
		stopped := make(chan struct{})
		go func() { gs.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			gs.Stop()
		}
	}()

	logger.Printf("listening on %s (sdk %s %s)", lis.Addr(), etcdsdk.SDKModule, etcdsdk.SDKVersion())
	err = gs.Serve(lis)
	srv.CloseAll()
	if err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

// Server implements PerformerService.
type Server struct {
	ppb.UnimplementedPerformerServiceServer
	log *log.Logger

	mu      sync.Mutex
	clients map[string]*clientState
	nextID  atomic.Uint64
}

// clientState is one Connect: the SDK client and its live watches by handle.
type clientState struct {
	id string
	cl *etcdsdk.Client

	// exec serialises Execute calls on one client, so handles and command
	// order behave as one program stream per client.
	exec       sync.Mutex
	watches    map[string]*etcdsdk.Watch
	keepAlives map[string]*etcdsdk.KeepAlive
	recipes    recipes // locks, campaigns, observers (stream.go)
}

func newClientState(id string, cl *etcdsdk.Client) *clientState {
	return &clientState{id: id, cl: cl, watches: map[string]*etcdsdk.Watch{}, keepAlives: map[string]*etcdsdk.KeepAlive{}}
}

// New returns a Server with an empty registry.
func New(logger *log.Logger) *Server {
	return &Server{log: logger, clients: map[string]*clientState{}}
}

// CloseAll disconnects every client (at shutdown).
func (s *Server) CloseAll() {
	s.mu.Lock()
	all := s.clients
	s.clients = map[string]*clientState{}
	s.mu.Unlock()
	for _, cs := range all {
		cs.close()
	}
}

func (s *Server) Describe(ctx context.Context, _ *ppb.DescribeRequest) (*ppb.DescribeResponse, error) {
	v := etcdsdk.SDKVersion()
	s.log.Printf("Describe")
	return &ppb.DescribeResponse{
		Name:             Name,
		Language:         Language,
		SdkPackage:       etcdsdk.SDKPackage,
		SdkVersion:       v,
		PerformerVersion: PerformerVersion,
		ProtocolVersion:  ppb.ProtocolVersion_PROTOCOL_VERSION_1,
		Capabilities:     etcdsdk.Capabilities(v),
	}, nil
}

// connectOptions are ConnectRequest's SDK options, each behind a capability:
// a Connect that sets one this performer does not claim (at the linked SDK
// version) is refused with INVALID_ARGUMENT naming the option.
var connectOptions = []struct {
	name       string
	capability string
	set        func(*ppb.ConnectRequest) bool
}{
	{"keepalive_time_ms", "connect.keepalive", func(r *ppb.ConnectRequest) bool { return r.KeepaliveTimeMs != 0 }},
	{"keepalive_timeout_ms", "connect.keepalive", func(r *ppb.ConnectRequest) bool { return r.KeepaliveTimeoutMs != 0 }},
	{"block_until_connected", "connect.block", func(r *ppb.ConnectRequest) bool { return r.BlockUntilConnected }},
	{"auto_sync_interval_ms", "connect.auto_sync", func(r *ppb.ConnectRequest) bool { return r.AutoSyncIntervalMs != 0 }},
	{"tls_ca_pem", "connect.tls", func(r *ppb.ConnectRequest) bool { return len(r.TlsCaPem) != 0 }},
	{"tls_server_name", "connect.tls", func(r *ppb.ConnectRequest) bool { return r.TlsServerName != "" }},
	{"tls_cert_pem", "connect.tls.client_cert", func(r *ppb.ConnectRequest) bool { return len(r.TlsCertPem) != 0 }},
	{"tls_key_pem", "connect.tls.client_cert", func(r *ppb.ConnectRequest) bool { return len(r.TlsKeyPem) != 0 }},
}

// checkConnectOptions returns an INVALID_ARGUMENT status error for the first
// option set in req whose capability is not in caps.
func checkConnectOptions(req *ppb.ConnectRequest, caps []string) error {
	for _, o := range connectOptions {
		if o.set(req) && !slices.Contains(caps, o.capability) {
			return status.Errorf(codes.InvalidArgument,
				"Connect option %s needs capability %s, which %s does not claim at SDK %s",
				o.name, o.capability, Name, etcdsdk.SDKVersion())
		}
	}
	return nil
}

func (s *Server) Connect(ctx context.Context, req *ppb.ConnectRequest) (*ppb.ConnectResponse, error) {
	s.log.Printf("Connect endpoints=%v dial_timeout_ms=%d request_timeout_ms=%d auth=%t keepalive_time_ms=%d keepalive_timeout_ms=%d block=%t auto_sync_interval_ms=%d tls=%t client_cert=%t",
		req.Endpoints, req.DialTimeoutMs, req.RequestTimeoutMs, req.Username != "",
		req.KeepaliveTimeMs, req.KeepaliveTimeoutMs, req.BlockUntilConnected, req.AutoSyncIntervalMs,
		len(req.TlsCaPem) != 0, len(req.TlsCertPem) != 0)
	if len(req.Endpoints) == 0 {
		return nil, status.Error(codes.InvalidArgument, "Connect needs at least one endpoint")
	}
	if err := checkConnectOptions(req, etcdsdk.Capabilities(etcdsdk.SDKVersion())); err != nil {
		s.log.Printf("Connect refused: %v", err)
		return nil, err
	}
	tlsCfg, err := etcdsdk.TLSConfig(req.TlsCaPem, req.TlsCertPem, req.TlsKeyPem, req.TlsServerName)
	if err != nil {
		s.log.Printf("Connect refused: %v", err)
		return nil, status.Errorf(codes.InvalidArgument, "Connect: %v", err)
	}
	ms := func(v uint32) time.Duration { return time.Duration(v) * time.Millisecond }
	cl, call, ret, err := etcdsdk.New(etcdsdk.Config{
		TLS:              tlsCfg,
		Endpoints:        req.Endpoints,
		DialTimeout:      ms(req.DialTimeoutMs),
		RequestTimeout:   ms(req.RequestTimeoutMs),
		Username:         req.Username,
		Password:         req.Password,
		KeepAliveTime:    ms(req.KeepaliveTimeMs),
		KeepAliveTimeout: ms(req.KeepaliveTimeoutMs),
		BlockUntilReady:  req.BlockUntilConnected,
		AutoSyncInterval: ms(req.AutoSyncIntervalMs),
	})
	if err != nil {
		// The SDK's constructor failed: that is the SDK's answer, not a
		// performer failure, so it goes back as data.
		e := etcdsdk.MapError(err)
		s.log.Printf("Connect: the SDK could not build a client in %v: %v %s: %s",
			time.Duration(ret-call), e.Code, e.SdkType, e.Message)
		return &ppb.ConnectResponse{Error: e, CallNs: call, ReturnNs: ret}, nil
	}
	id := "c" + strconv.FormatUint(s.nextID.Add(1), 10)
	s.mu.Lock()
	s.clients[id] = newClientState(id, cl)
	s.mu.Unlock()
	s.log.Printf("Connect client=%s (%v)", id, time.Duration(ret-call))
	return &ppb.ConnectResponse{ClientId: id, CallNs: call, ReturnNs: ret}, nil
}

func (s *Server) Disconnect(ctx context.Context, req *ppb.DisconnectRequest) (*ppb.DisconnectResponse, error) {
	s.log.Printf("Disconnect client=%s", req.ClientId)
	s.mu.Lock()
	cs, ok := s.clients[req.ClientId]
	delete(s.clients, req.ClientId)
	s.mu.Unlock()
	if !ok {
		return nil, status.Errorf(codes.NotFound, "unknown client id %q", req.ClientId)
	}
	cs.close()
	return &ppb.DisconnectResponse{}, nil
}

// close closes the SDK client first: that cancels every in-flight call, ends
// every watch and keep-alive channel and wakes any collect, so an Execute
// running on this client returns promptly and the lock below is free soon.
// Then it cancels what the registries still hold.
func (cs *clientState) close() {
	if cs.cl != nil {
		_ = cs.cl.Close()
	}
	cs.exec.Lock()
	watches, keepAlives := cs.watches, cs.keepAlives
	cs.watches = map[string]*etcdsdk.Watch{}
	cs.keepAlives = map[string]*etcdsdk.KeepAlive{}
	cs.exec.Unlock()
	for _, w := range watches {
		w.Cancel(0)
	}
	for _, ka := range keepAlives {
		ka.Stop(0)
	}
	cs.closeRecipes()
}

func (s *Server) Execute(ctx context.Context, req *ppb.ExecuteRequest) (*ppb.ExecuteResponse, error) {
	cmds := req.GetProgram().GetCommands()
	s.log.Printf("Execute client=%s commands=%d", req.ClientId, len(cmds))
	s.mu.Lock()
	cs, ok := s.clients[req.ClientId]
	s.mu.Unlock()

	results := make([]*ppb.CommandResult, 0, len(cmds))
	if !ok {
		msg := fmt.Sprintf("unknown client id %q", req.ClientId)
		s.log.Printf("Execute client=%s: %s", req.ClientId, msg)
		for range cmds {
			results = append(results, etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, msg))
		}
		return &ppb.ExecuteResponse{Results: results}, nil
	}

	cs.exec.Lock()
	defer cs.exec.Unlock()
	for i, cmd := range cmds {
		r := s.runOne(cs, cmd)
		if r == nil { // never leave a slot empty
			r = etcdsdk.HarnessResult(ppb.HarnessError_INTERNAL, "performer produced no result")
		}
		switch o := r.Outcome.(type) {
		case *ppb.CommandResult_SdkError:
			s.log.Printf("Execute client=%s command=%d %s: sdk_error %v %s: %s",
				cs.id, i, commandName(cmd), o.SdkError.Code, o.SdkError.SdkType, o.SdkError.Message)
		case *ppb.CommandResult_HarnessError:
			s.log.Printf("Execute client=%s command=%d %s: harness_error %v: %s",
				cs.id, i, commandName(cmd), o.HarnessError.Kind, o.HarnessError.Message)
		}
		results = append(results, r)
	}
	return &ppb.ExecuteResponse{Results: results}, nil
}

// runOne runs one command, turning a panic into a harness INTERNAL error.
func (s *Server) runOne(cs *clientState, cmd *ppb.Command) (res *ppb.CommandResult) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Printf("panic in %s: %v\n%s", commandName(cmd), p, debug.Stack())
			res = etcdsdk.HarnessResult(ppb.HarnessError_INTERNAL, fmt.Sprintf("panic in %s: %v", commandName(cmd), p))
		}
	}()
	if r, ok := cs.runConcurrency(cmd); ok {
		return r
	}
	switch x := cmd.GetCommand().(type) {
	case *ppb.Command_WatchStart:
		return cs.watchStart(x.WatchStart)
	case *ppb.Command_WatchCollect:
		w, ok := cs.watches[x.WatchCollect.Handle]
		if !ok {
			return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, fmt.Sprintf("unknown watch handle %q", x.WatchCollect.Handle))
		}
		return w.Collect(x.WatchCollect)
	case *ppb.Command_WatchCancel:
		w, ok := cs.watches[x.WatchCancel.Handle]
		if !ok {
			return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, fmt.Sprintf("unknown watch handle %q", x.WatchCancel.Handle))
		}
		delete(cs.watches, x.WatchCancel.Handle)
		return w.Cancel(cs.cl.RequestTimeout())
	case *ppb.Command_LeaseKeepAliveStart:
		return cs.keepAliveStart(x.LeaseKeepAliveStart)
	case *ppb.Command_LeaseKeepAliveCollect:
		ka, ok := cs.keepAlives[x.LeaseKeepAliveCollect.Handle]
		if !ok {
			return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, fmt.Sprintf("unknown keep-alive handle %q", x.LeaseKeepAliveCollect.Handle))
		}
		return ka.Collect(x.LeaseKeepAliveCollect)
	case *ppb.Command_LeaseKeepAliveStop:
		ka, ok := cs.keepAlives[x.LeaseKeepAliveStop.Handle]
		if !ok {
			return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, fmt.Sprintf("unknown keep-alive handle %q", x.LeaseKeepAliveStop.Handle))
		}
		delete(cs.keepAlives, x.LeaseKeepAliveStop.Handle)
		return ka.Stop(cs.cl.RequestTimeout())
	}
	return cs.cl.Run(cmd)
}

func (cs *clientState) watchStart(w *ppb.WatchStartCommand) *ppb.CommandResult {
	if w.Handle == "" {
		return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, "watch_start needs a handle")
	}
	if _, dup := cs.watches[w.Handle]; dup {
		return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, fmt.Sprintf("watch handle %q is already live on this client", w.Handle))
	}
	wt, res := cs.cl.StartWatch(w)
	if wt != nil {
		cs.watches[w.Handle] = wt
	}
	return res
}

func (cs *clientState) keepAliveStart(k *ppb.LeaseKeepAliveStartCommand) *ppb.CommandResult {
	if k.Handle == "" {
		return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, "lease_keep_alive_start needs a handle")
	}
	if _, dup := cs.keepAlives[k.Handle]; dup {
		return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, fmt.Sprintf("keep-alive handle %q is already live on this client", k.Handle))
	}
	ka, res := cs.cl.StartKeepAlive(k)
	if ka != nil {
		cs.keepAlives[k.Handle] = ka
	}
	return res
}

// commandName is the oneof field name of a command, for logs.
func commandName(cmd *ppb.Command) string {
	if cmd == nil {
		return "nil"
	}
	m := cmd.ProtoReflect()
	if f := m.WhichOneof(m.Descriptor().Oneofs().ByName("command")); f != nil {
		return string(f.Name())
	}
	return "empty"
}
