package server

import (
	"context"
	"io"
	"log"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
	"etcdfit.dev/performers/go-clientv3/internal/etcdsdk"
)

func newTestServer() *Server { return New(log.New(io.Discard, "", 0)) }

func TestDescribe(t *testing.T) {
	d, err := newTestServer().Describe(context.Background(), &ppb.DescribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "go-clientv3" || d.Language != "go" || d.SdkPackage != "go.etcd.io/etcd/client/v3" ||
		d.PerformerVersion != "0.1.0" || d.ProtocolVersion != ppb.ProtocolVersion_PROTOCOL_VERSION_1 {
		t.Errorf("unexpected identity: %v", d)
	}
	if !slices.Equal(d.Capabilities, etcdsdk.Capabilities(d.SdkVersion)) {
		t.Errorf("capabilities do not match Capabilities(%q)", d.SdkVersion)
	}
}

// Every command gets exactly one result, whatever happens to the ones before.
func TestExecuteOneResultPerCommand(t *testing.T) {
	s := newTestServer()
	// A client with no SDK client behind it: any SDK command panics on the nil
	// client, which must come back as a harness INTERNAL error, not a crash.
	s.clients["c"] = newClientState("c", nil)
	cmds := []*ppb.Command{
		{Command: &ppb.Command_Put{Put: &ppb.PutCommand{Key: []byte("k")}}},
		{},
		{Command: &ppb.Command_WatchCollect{WatchCollect: &ppb.WatchCollectCommand{Handle: "nope"}}},
		{Command: &ppb.Command_WatchCancel{WatchCancel: &ppb.WatchCancelCommand{Handle: "nope"}}},
		{Command: &ppb.Command_WatchStart{WatchStart: &ppb.WatchStartCommand{}}},
		{Command: &ppb.Command_LeaseKeepAliveStart{LeaseKeepAliveStart: &ppb.LeaseKeepAliveStartCommand{Ttl: 2}}},
		{Command: &ppb.Command_LeaseKeepAliveCollect{LeaseKeepAliveCollect: &ppb.LeaseKeepAliveCollectCommand{Handle: "nope"}}},
		{Command: &ppb.Command_LeaseKeepAliveStop{LeaseKeepAliveStop: &ppb.LeaseKeepAliveStopCommand{Handle: "nope"}}},
	}
	resp, err := s.Execute(context.Background(), &ppb.ExecuteRequest{ClientId: "c", Program: &ppb.Program{Commands: cmds}})
	if err != nil {
		t.Fatal(err)
	}
	want := []ppb.HarnessError_Kind{
		ppb.HarnessError_INTERNAL, ppb.HarnessError_BAD_REQUEST, ppb.HarnessError_BAD_REQUEST,
		ppb.HarnessError_BAD_REQUEST, ppb.HarnessError_BAD_REQUEST,
		ppb.HarnessError_BAD_REQUEST, ppb.HarnessError_BAD_REQUEST, ppb.HarnessError_BAD_REQUEST,
	}
	if len(resp.Results) != len(cmds) {
		t.Fatalf("got %d results for %d commands", len(resp.Results), len(cmds))
	}
	for i, r := range resp.Results {
		he := r.GetHarnessError()
		if he == nil || he.Kind != want[i] {
			t.Errorf("result %d = %v, want harness error %v", i, r, want[i])
		}
		if r.CallNs > r.ReturnNs {
			t.Errorf("result %d: call_ns > return_ns", i)
		}
	}
}

func TestExecuteUnknownClient(t *testing.T) {
	resp, err := newTestServer().Execute(context.Background(), &ppb.ExecuteRequest{
		ClientId: "missing", Program: &ppb.Program{Commands: []*ppb.Command{{}, {}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Results) != 2 || resp.Results[0].GetHarnessError().GetKind() != ppb.HarnessError_BAD_REQUEST {
		t.Errorf("unexpected results: %v", resp.Results)
	}
}

func TestConnectNoEndpoints(t *testing.T) {
	if _, err := newTestServer().Connect(context.Background(), &ppb.ConnectRequest{}); err == nil {
		t.Error("Connect with no endpoints succeeded")
	}
}

// An option whose capability is not claimed is refused, naming the option.
func TestCheckConnectOptions(t *testing.T) {
	reqs := map[string]*ppb.ConnectRequest{
		"keepalive_time_ms":     {KeepaliveTimeMs: 10000},
		"keepalive_timeout_ms":  {KeepaliveTimeoutMs: 1000},
		"block_until_connected": {BlockUntilConnected: true},
		"auto_sync_interval_ms": {AutoSyncIntervalMs: 1000},
	}
	for name, req := range reqs {
		err := checkConnectOptions(req, nil)
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), name) {
			t.Errorf("%s without its capability: %v", name, err)
		}
		if err := checkConnectOptions(req, etcdsdk.Capabilities(etcdsdk.SDKVersion())); err != nil {
			t.Errorf("%s with the claimed capabilities: %v", name, err)
		}
	}
}

// The SDK's constructor failing is data (ConnectResponse.error), not a gRPC
// error. clientv3 < 3.7 with grpc.WithBlock fails within the dial timeout on a
// closed port; clientv3 3.7 ignores WithBlock and returns a client at once.
func TestConnectBlockUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close() // a closed port
	s := newTestServer()
	start := time.Now()
	resp, err := s.Connect(context.Background(), &ppb.ConnectRequest{
		Endpoints: []string{"http://" + addr}, DialTimeoutMs: 300, BlockUntilConnected: true,
	})
	if err != nil {
		t.Fatalf("Connect returned a gRPC error: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Connect took %v with a 300 ms dial timeout", took)
	}
	if resp.Error != nil {
		if resp.ClientId != "" || resp.Error.Code != ppb.ErrorCode_DEADLINE_EXCEEDED || resp.ReturnNs < resp.CallNs {
			t.Errorf("unexpected failure response: %v", resp)
		}
		return
	}
	if resp.ClientId == "" {
		t.Fatalf("neither a client nor an error: %v", resp)
	}
	if v := etcdsdk.SDKVersion(); !strings.HasPrefix(v, "3.7.") && v != "unknown" {
		t.Errorf("clientv3 %s returned a client from a blocking Connect to a closed port", v)
	}
	_, _ = s.Disconnect(context.Background(), &ppb.DisconnectRequest{ClientId: resp.ClientId})
}
