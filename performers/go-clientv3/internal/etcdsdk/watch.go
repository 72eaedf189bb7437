package etcdsdk

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// DefaultCollectTimeout is WatchCollect's wait when timeout_ms is 0.
const DefaultCollectTimeout = 5 * time.Second

// Watch is one SDK watch (clientv3.Watcher.Watch) whose responses a goroutine
// buffers until WatchCollect takes them.
type Watch struct {
	cancel     context.CancelFunc
	done       chan struct{}   // closed when the SDK's watch channel has closed
	clientDone <-chan struct{} // closed when the client is closed

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever the state changes
	events     []*ppb.WatchEvent
	progress   []int64
	ended      bool
	endErr     error
	compactRev int64
	responses  uint64 // watch responses the SDK handed over so far
}

func watchOpts(w *ppb.WatchStartCommand) ([]clientv3.OpOption, error) {
	opts, err := keyOpts(w.Kind, w.RangeEnd)
	if err != nil {
		return nil, err
	}
	if w.StartRevision != 0 {
		opts = append(opts, clientv3.WithRev(w.StartRevision))
	}
	if w.PrevKv {
		opts = append(opts, clientv3.WithPrevKV())
	}
	if w.ProgressNotify {
		opts = append(opts, clientv3.WithProgressNotify())
	}
	for _, f := range w.Filters {
		switch f {
		case ppb.WatchFilter_WATCH_FILTER_NOPUT:
			opts = append(opts, clientv3.WithFilterPut())
		case ppb.WatchFilter_WATCH_FILTER_NODELETE:
			opts = append(opts, clientv3.WithFilterDelete())
		case ppb.WatchFilter_WATCH_FILTER_UNSPECIFIED:
			// no filter
		default:
			return nil, badRequest("unknown watch filter %d", int32(f))
		}
	}
	// Ask for the creation response, so StartWatch can return only once the
	// server has registered the watch.
	opts = append(opts, clientv3.WithCreatedNotify())
	return opts, nil
}

// errWatchClosed is reported when the SDK closes the watch channel before the
// server confirmed the watch.
var errWatchClosed = errors.New("watch channel closed before the watch was created")

// StartWatch opens a watch and returns once the server has confirmed its
// creation (or the watch already ended, e.g. compacted start revision), so that
// a put issued after it is never missed. On failure the Watch is nil.
//
// clientv3's Watch call itself blocks until the server has created the watch
// (or its context ends), and the watch's context is its whole lifetime, so it
// cannot carry the request timeout. The call therefore runs in a goroutine;
// when request_timeout passes first, the watch's context is canceled (the SDK
// then returns a closed channel) and the command reports DEADLINE_EXCEEDED.
func (cl *Client) StartWatch(w *ppb.WatchStartCommand) (*Watch, *ppb.CommandResult) {
	opts, err := watchOpts(w)
	if err != nil {
		return nil, fromErr(err)
	}
	wctx, wcancel := context.WithCancel(cl.ctx)
	timer := time.NewTimer(cl.requestTimeout)
	defer timer.Stop()

	type opened struct {
		wch   clientv3.WatchChan
		first clientv3.WatchResponse
		ok    bool
	}
	openc := make(chan opened, 1)
	call := Now()
	go func() {
		wch := cl.c.Watch(wctx, string(w.Key), opts...)
		first, ok := <-wch
		openc <- opened{wch, first, ok}
	}()
	var o opened
	select {
	case o = <-openc:
	case <-timer.C:
		ret := Now()
		wcancel()
		return nil, sdkErrResult(call, ret, context.DeadlineExceeded)
	}
	ret := Now()
	if !o.ok {
		err := wctx.Err()
		if err == nil {
			err = errWatchClosed
		}
		wcancel()
		return nil, sdkErrResult(call, ret, err)
	}

	wt := &Watch{cancel: wcancel, done: make(chan struct{}), changed: make(chan struct{}), clientDone: cl.ctx.Done()}
	wt.record(o.first) // the creation response (or the one that ended the watch)
	go wt.loop(o.wch)
	return wt, okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_WatchStart{WatchStart: &ppb.WatchStartResult{}}})
}

func (wt *Watch) loop(wch clientv3.WatchChan) {
	defer close(wt.done)
	for resp := range wch {
		wt.record(resp)
	}
	wt.mu.Lock()
	wt.ended = true
	wt.signalLocked()
	wt.mu.Unlock()
}

// record buffers one response the SDK handed over. Every response counts for
// WatchEvent.response (the creation response asked for with WithCreatedNotify
// is response 1). clientv3 resumes a watch by itself after a lost connection
// and tells the application nothing; a response with an error (Err(): compacted,
// canceled by the server, or the stream's close error) is always the last one
// clientv3 sends before closing the channel, so it ends the watch.
func (wt *Watch) record(resp clientv3.WatchResponse) {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	wt.responses++
	if resp.IsProgressNotify() {
		wt.progress = append(wt.progress, resp.Header.Revision)
	}
	for _, ev := range resp.Events {
		we := &ppb.WatchEvent{Kv: keyValue(ev.Kv), PrevKv: keyValue(ev.PrevKv), Response: wt.responses}
		switch ev.Type {
		case mvccpb.PUT:
			we.Type = ppb.EventType_EVENT_TYPE_PUT
		case mvccpb.DELETE:
			we.Type = ppb.EventType_EVENT_TYPE_DELETE
		}
		wt.events = append(wt.events, we)
	}
	if err := resp.Err(); resp.Canceled || resp.CompactRevision != 0 || err != nil {
		wt.ended = true
		if err != nil && wt.endErr == nil {
			wt.endErr = err
		}
		if resp.CompactRevision != 0 {
			wt.compactRev = resp.CompactRevision
		}
	}
	wt.signalLocked()
}

func (wt *Watch) signalLocked() {
	close(wt.changed)
	wt.changed = make(chan struct{})
}

// Collect waits until at least minEvents events are buffered (minEvents 0 sets
// no threshold: wait the whole timeout), the watch has ended, or the timeout
// passed; it then returns and clears the buffer. call/ret bracket the wait.
func (wt *Watch) Collect(c *ppb.WatchCollectCommand) *ppb.CommandResult {
	timeout := DefaultCollectTimeout
	if c.TimeoutMs != 0 {
		timeout = time.Duration(c.TimeoutMs) * time.Millisecond
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	call := Now()
	for {
		wt.mu.Lock()
		done := wt.ended || (c.MinEvents > 0 && len(wt.events) >= int(c.MinEvents))
		changed := wt.changed
		wt.mu.Unlock()
		if done {
			break
		}
		select {
		case <-changed:
			continue
		case <-timer.C:
		case <-wt.clientDone:
			awaitClose(wt.done)
		}
		break
	}
	ret := Now()

	wt.mu.Lock()
	defer wt.mu.Unlock()
	res := &ppb.WatchCollectResult{
		Events:            wt.events,
		Ended:             wt.ended,
		CompactRevision:   wt.compactRev,
		ProgressRevisions: wt.progress,
	}
	if wt.endErr != nil {
		res.EndError = MapError(wt.endErr)
	}
	wt.events, wt.progress = nil, nil
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_WatchCollect{WatchCollect: res}})
}

// Cancel cancels the watch's context (the SDK then cancels the server-side
// watch and closes the channel) and waits up to wait for the channel to close.
func (wt *Watch) Cancel(wait time.Duration) *ppb.CommandResult {
	call := Now()
	wt.cancel()
	ret := Now()
	select {
	case <-wt.done:
	case <-time.After(wait):
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_WatchCancel{WatchCancel: &ppb.WatchCancelResult{}}})
}

// RequestTimeout is the per-call timeout the client was connected with.
func (cl *Client) RequestTimeout() time.Duration { return cl.requestTimeout }
