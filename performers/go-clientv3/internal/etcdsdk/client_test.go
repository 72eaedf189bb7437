package etcdsdk

import (
	"testing"
	"time"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// Every Connect option lands in the SDK's own setting.
func TestSDKConfig(t *testing.T) {
	sc := SDKConfig(Config{
		Endpoints: []string{"http://127.0.0.1:1"}, DialTimeout: time.Second,
		KeepAliveTime: 10 * time.Second, KeepAliveTimeout: 3 * time.Second,
		BlockUntilReady: true, AutoSyncInterval: 5 * time.Second,
	})
	if sc.DialTimeout != time.Second || sc.DialKeepAliveTime != 10*time.Second ||
		sc.DialKeepAliveTimeout != 3*time.Second || sc.AutoSyncInterval != 5*time.Second {
		t.Errorf("settings not passed through: %+v", sc)
	}
	if len(sc.DialOptions) != 1 {
		t.Errorf("block_until_connected: want grpc.WithBlock() in DialOptions, got %d options", len(sc.DialOptions))
	}
	if sc := SDKConfig(Config{Endpoints: []string{"x"}}); len(sc.DialOptions) != 0 || sc.DialKeepAliveTime != 0 || sc.AutoSyncInterval != 0 {
		t.Errorf("defaults must leave the SDK's own: %+v", sc)
	}
}

func TestStartKeepAliveBadRequest(t *testing.T) {
	cl := &Client{} // no SDK call is made for a malformed request
	for _, k := range []*ppb.LeaseKeepAliveStartCommand{{Handle: "h"}, {Handle: "h", Id: 1, Ttl: 2}, {Handle: "h", Ttl: -1}} {
		ka, res := cl.StartKeepAlive(k)
		if ka != nil || res.GetHarnessError().GetKind() != ppb.HarnessError_BAD_REQUEST {
			t.Errorf("%v: got %v, want BAD_REQUEST", k, res)
		}
	}
}
