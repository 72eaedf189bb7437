package etcdsdk

import (
	"context"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// KeepAlive is one SDK keep-alive stream (clientv3.Lease.KeepAlive): the SDK
// renews the lease in the background and hands each renewal over on a channel,
// which a goroutine drains into a buffer until LeaseKeepAliveCollect takes it.
//
// clientv3 closes the channel, without an error, when the lease is gone (a
// renewal answered with TTL <= 0: revoked or expired), when no renewal came
// back within the lease's TTL, when the context passed to KeepAlive ends (Stop,
// Disconnect) and when the client is closed. The closed channel is the SDK's
// only signal, so the stream is reported ended with no end_error.
type KeepAlive struct {
	cancel     context.CancelFunc
	done       chan struct{}   // closed when the SDK's channel has closed
	clientDone <-chan struct{} // closed when the client is closed

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced whenever the state changes
	responses []*ppb.KeepAliveResponse
	ended     bool
}

// StartKeepAlive starts the SDK's keep-alive for lease k.Id, or, with id 0,
// grants a lease of k.Ttl seconds through the SDK first and keeps that one
// alive. call/ret bracket the SDK calls (Grant, then KeepAlive).
func (cl *Client) StartKeepAlive(k *ppb.LeaseKeepAliveStartCommand) (*KeepAlive, *ppb.CommandResult) {
	if k.Id == 0 && k.Ttl <= 0 {
		return nil, HarnessResult(ppb.HarnessError_BAD_REQUEST, "lease_keep_alive_start needs a lease id, or id 0 and a ttl > 0 to grant one")
	}
	if k.Id != 0 && k.Ttl != 0 {
		return nil, HarnessResult(ppb.HarnessError_BAD_REQUEST, "lease_keep_alive_start takes a lease id or a ttl, not both")
	}
	id := clientv3.LeaseID(k.Id)
	var grantedTTL int64
	call := Now()
	if id == 0 {
		ctx, cancel := cl.callCtx()
		resp, err := cl.c.Grant(ctx, k.Ttl)
		cancel()
		if err != nil {
			return nil, sdkErrResult(call, Now(), err)
		}
		id, grantedTTL = resp.ID, resp.TTL
	}
	// The keep-alive lives until Stop, Disconnect or the SDK closes it: its
	// context is the client's, not a per-call one.
	kctx, kcancel := context.WithCancel(cl.ctx)
	ch, err := cl.c.KeepAlive(kctx, id)
	ret := Now()
	if err != nil {
		kcancel()
		return nil, sdkErrResult(call, ret, err)
	}
	ka := &KeepAlive{cancel: kcancel, done: make(chan struct{}), clientDone: cl.ctx.Done(), changed: make(chan struct{})}
	go ka.loop(ch)
	return ka, okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LeaseKeepAliveStart{
		LeaseKeepAliveStart: &ppb.LeaseKeepAliveStartResult{Id: int64(id), Ttl: grantedTTL},
	}})
}

func (ka *KeepAlive) loop(ch <-chan *clientv3.LeaseKeepAliveResponse) {
	defer close(ka.done)
	for resp := range ch {
		received := Now()
		ka.mu.Lock()
		ka.responses = append(ka.responses, &ppb.KeepAliveResponse{
			Ttl: resp.TTL, ReceivedNs: received, Header: header(resp.ResponseHeader),
		})
		ka.signalLocked()
		ka.mu.Unlock()
	}
	ka.mu.Lock()
	ka.ended = true
	ka.signalLocked()
	ka.mu.Unlock()
}

func (ka *KeepAlive) signalLocked() {
	close(ka.changed)
	ka.changed = make(chan struct{})
}

// Collect waits until at least MinResponses renewals are buffered (0: no
// threshold, wait the whole timeout), the stream has ended, or the timeout
// passed; it then returns and clears the buffer.
func (ka *KeepAlive) Collect(c *ppb.LeaseKeepAliveCollectCommand) *ppb.CommandResult {
	timeout := DefaultCollectTimeout
	if c.TimeoutMs != 0 {
		timeout = time.Duration(c.TimeoutMs) * time.Millisecond
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	call := Now()
wait:
	for {
		ka.mu.Lock()
		done := ka.ended || (c.MinResponses > 0 && len(ka.responses) >= int(c.MinResponses))
		changed := ka.changed
		ka.mu.Unlock()
		if done {
			break
		}
		select {
		case <-changed:
		case <-timer.C:
			break wait
		case <-ka.clientDone:
			awaitClose(ka.done)
			break wait
		}
	}
	ret := Now()

	ka.mu.Lock()
	defer ka.mu.Unlock()
	res := &ppb.LeaseKeepAliveCollectResult{Responses: ka.responses, Ended: ka.ended}
	ka.responses = nil
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LeaseKeepAliveCollect{LeaseKeepAliveCollect: res}})
}

// Stop cancels the keep-alive's context (the SDK then stops renewing this
// lease for it and closes the channel) and waits up to wait for the close.
func (ka *KeepAlive) Stop(wait time.Duration) *ppb.CommandResult {
	call := Now()
	ka.cancel()
	ret := Now()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ka.done:
		case <-t.C:
		}
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LeaseKeepAliveStop{LeaseKeepAliveStop: &ppb.LeaseKeepAliveStopResult{}}})
}

// closeGrace bounds how long a collect waits, once the client is closed, for
// the SDK to close the channel it feeds (so the result says ended).
const closeGrace = time.Second

// awaitClose waits up to closeGrace for done to close.
func awaitClose(done <-chan struct{}) {
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
