package server

import (
	"context"
	"io"
	"log"
	"slices"
	"testing"

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
	s.clients["c"] = &clientState{id: "c", watches: map[string]*etcdsdk.Watch{}}
	cmds := []*ppb.Command{
		{Command: &ppb.Command_Put{Put: &ppb.PutCommand{Key: []byte("k")}}},
		{},
		{Command: &ppb.Command_WatchCollect{WatchCollect: &ppb.WatchCollectCommand{Handle: "nope"}}},
		{Command: &ppb.Command_WatchCancel{WatchCancel: &ppb.WatchCancelCommand{Handle: "nope"}}},
		{Command: &ppb.Command_WatchStart{WatchStart: &ppb.WatchStartCommand{}}},
	}
	resp, err := s.Execute(context.Background(), &ppb.ExecuteRequest{ClientId: "c", Program: &ppb.Program{Commands: cmds}})
	if err != nil {
		t.Fatal(err)
	}
	want := []ppb.HarnessError_Kind{
		ppb.HarnessError_INTERNAL, ppb.HarnessError_BAD_REQUEST, ppb.HarnessError_BAD_REQUEST,
		ppb.HarnessError_BAD_REQUEST, ppb.HarnessError_BAD_REQUEST,
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
