package server

// ExecuteStream (programs with latches) and the per-client registry of recipe
// handles: held locks, election campaigns and observers.

import (
	"fmt"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
	"etcdfit.dev/performers/go-clientv3/internal/etcdsdk"
)

const defaultWait = 10 * time.Second

type recipes struct {
	locks     map[string]*etcdsdk.Lock
	campaigns map[string]*etcdsdk.Campaign
	observers map[string]*etcdsdk.Observer
}

// latches is one stream's set of released latches; a Wait blocks on it.
type latches struct {
	mu       sync.Mutex
	released map[string]bool
	changed  chan struct{} // closed and replaced on every change
	ended    bool          // the driver's side of the stream is gone
}

func newLatches() *latches {
	return &latches{released: map[string]bool{}, changed: make(chan struct{})}
}

func (l *latches) release(name string) {
	l.mu.Lock()
	l.released[name] = true
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

func (l *latches) end() {
	l.mu.Lock()
	l.ended = true
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// wait blocks until name is released (true), or the timeout passes or the stream ends (false).
func (l *latches) wait(name string, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		done, ended, ch := l.released[name], l.ended, l.changed
		l.mu.Unlock()
		if done {
			return true
		}
		if ended {
			return false
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// ExecuteStream runs one program whose Signal/Wait commands talk to the driver.
func (s *Server) ExecuteStream(stream ppb.PerformerService_ExecuteStreamServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	req := first.GetProgram()
	if req == nil {
		return status.Error(codes.InvalidArgument, "ExecuteStream: the first message must be the program")
	}
	cmds := req.GetProgram().GetCommands()
	s.log.Printf("ExecuteStream client=%s commands=%d", req.ClientId, len(cmds))
	s.mu.Lock()
	cs, ok := s.clients[req.ClientId]
	s.mu.Unlock()
	send := func(r *ppb.ExecuteStreamResponse) error { return stream.Send(r) }
	result := func(i int, r *ppb.CommandResult) error {
		return send(&ppb.ExecuteStreamResponse{Response: &ppb.ExecuteStreamResponse_Result{Result: &ppb.StreamedResult{Index: uint32(i), Result: r}}})
	}
	if !ok {
		for i := range cmds {
			if err := result(i, etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, fmt.Sprintf("unknown client id %q", req.ClientId))); err != nil {
				return err
			}
		}
		return send(&ppb.ExecuteStreamResponse{Response: &ppb.ExecuteStreamResponse_Done{Done: &ppb.ProgramDone{}}})
	}

	ls := newLatches()
	go func() {
		defer ls.end()
		for {
			m, err := stream.Recv()
			if err != nil {
				return
			}
			if l := m.GetLatchReleased(); l != nil {
				ls.release(l.Latch)
			}
		}
	}()

	cs.exec.Lock()
	defer cs.exec.Unlock()
	for i, cmd := range cmds {
		var r *ppb.CommandResult
		switch x := cmd.GetCommand().(type) {
		case *ppb.Command_Signal:
			call := etcdsdk.Now()
			err := send(&ppb.ExecuteStreamResponse{Response: &ppb.ExecuteStreamResponse_Signalled{Signalled: &ppb.LatchSignalled{Latch: x.Signal.Latch, Index: uint32(i)}}})
			if err != nil {
				return err
			}
			r = &ppb.CommandResult{CallNs: call, ReturnNs: etcdsdk.Now(), Outcome: &ppb.CommandResult_Ok{Ok: &ppb.CommandOk{Payload: &ppb.CommandOk_Signal{Signal: &ppb.SignalResult{}}}}}
		case *ppb.Command_Wait:
			call := etcdsdk.Now()
			timeout := defaultWait
			if x.Wait.TimeoutMs > 0 {
				timeout = time.Duration(x.Wait.TimeoutMs) * time.Millisecond
			}
			released := ls.wait(x.Wait.Latch, timeout)
			r = &ppb.CommandResult{CallNs: call, ReturnNs: etcdsdk.Now(), Outcome: &ppb.CommandResult_Ok{Ok: &ppb.CommandOk{Payload: &ppb.CommandOk_Wait{Wait: &ppb.WaitResult{Released: released}}}}}
		case *ppb.Command_Stm:
			r = cs.cl.Stm(x.Stm, &etcdsdk.StmLatches{
				Signal: func(latch string) error {
					return send(&ppb.ExecuteStreamResponse{Response: &ppb.ExecuteStreamResponse_Signalled{Signalled: &ppb.LatchSignalled{Latch: latch, Index: uint32(i)}}})
				},
				Wait: ls.wait,
			})
		default:
			r = s.runOne(cs, cmd)
		}
		if r == nil {
			r = etcdsdk.HarnessResult(ppb.HarnessError_INTERNAL, "performer produced no result")
		}
		if err := result(i, r); err != nil {
			return err
		}
	}
	return send(&ppb.ExecuteStreamResponse{Response: &ppb.ExecuteStreamResponse_Done{Done: &ppb.ProgramDone{}}})
}

func bad(format string, args ...any) *ppb.CommandResult {
	return etcdsdk.HarnessResult(ppb.HarnessError_BAD_REQUEST, fmt.Sprintf(format, args...))
}

// runConcurrency runs latch and recipe commands (ok=false: not one of them).
func (cs *clientState) runConcurrency(cmd *ppb.Command) (*ppb.CommandResult, bool) {
	rc := &cs.recipes
	if rc.locks == nil {
		rc.locks, rc.campaigns, rc.observers = map[string]*etcdsdk.Lock{}, map[string]*etcdsdk.Campaign{}, map[string]*etcdsdk.Observer{}
	}
	switch x := cmd.GetCommand().(type) {
	case *ppb.Command_Stm:
		return cs.cl.Stm(x.Stm, nil), true
	case *ppb.Command_Signal, *ppb.Command_Wait:
		return bad("signal and wait run only in ExecuteStream programs (latches need the stream)"), true
	case *ppb.Command_LockAcquire:
		h := x.LockAcquire.Handle
		if h == "" || rc.locks[h] != nil {
			return bad("lock_acquire needs a handle that is not live (got %q)", h), true
		}
		l, r := cs.cl.LockAcquire(x.LockAcquire)
		if l != nil {
			rc.locks[h] = l
		}
		return r, true
	case *ppb.Command_LockRelease:
		l, ok := rc.locks[x.LockRelease.Handle]
		if !ok {
			return bad("unknown lock handle %q", x.LockRelease.Handle), true
		}
		delete(rc.locks, x.LockRelease.Handle)
		return l.Release(cs.cl.RequestTimeout()), true
	case *ppb.Command_ElectionCampaign:
		h := x.ElectionCampaign.Handle
		if h == "" || rc.campaigns[h] != nil {
			return bad("election_campaign needs a handle that is not live (got %q)", h), true
		}
		c, r := cs.cl.Campaign(x.ElectionCampaign)
		if c != nil {
			rc.campaigns[h] = c
		}
		return r, true
	case *ppb.Command_ElectionProclaim:
		c, ok := rc.campaigns[x.ElectionProclaim.Handle]
		if !ok {
			return bad("unknown campaign handle %q", x.ElectionProclaim.Handle), true
		}
		return c.Proclaim(x.ElectionProclaim, cs.cl.RequestTimeout()), true
	case *ppb.Command_ElectionLeader:
		if h := x.ElectionLeader.Handle; h != "" {
			c, ok := rc.campaigns[h]
			if !ok {
				return bad("unknown campaign handle %q", h), true
			}
			return cs.cl.Leader(c, nil), true
		}
		return cs.cl.Leader(nil, x.ElectionLeader.Name), true
	case *ppb.Command_ElectionResign:
		c, ok := rc.campaigns[x.ElectionResign.Handle]
		if !ok {
			return bad("unknown campaign handle %q", x.ElectionResign.Handle), true
		}
		delete(rc.campaigns, x.ElectionResign.Handle)
		return c.Resign(cs.cl.RequestTimeout()), true
	case *ppb.Command_ElectionObserveStart:
		h := x.ElectionObserveStart.Handle
		if h == "" || rc.observers[h] != nil {
			return bad("election_observe_start needs a handle that is not live (got %q)", h), true
		}
		o, r := cs.cl.Observe(x.ElectionObserveStart)
		if o != nil {
			rc.observers[h] = o
		}
		return r, true
	case *ppb.Command_ElectionObserveCollect:
		o, ok := rc.observers[x.ElectionObserveCollect.Handle]
		if !ok {
			return bad("unknown observer handle %q", x.ElectionObserveCollect.Handle), true
		}
		return o.Collect(x.ElectionObserveCollect), true
	}
	return nil, false
}

// closeRecipes ends every session the client's recipes hold (at Disconnect).
func (cs *clientState) closeRecipes() {
	cs.exec.Lock()
	rc := cs.recipes
	cs.recipes = recipes{}
	cs.exec.Unlock()
	for _, l := range rc.locks {
		l.Close()
	}
	for _, c := range rc.campaigns {
		c.Close()
	}
	for _, o := range rc.observers {
		o.Close()
	}
}

// ExecuteSession is the fast path: one long-lived stream carrying many programs. Each
// program runs exactly as under Execute, and its response is sent before the next
// program is read, so responses come in request order.
func (s *Server) ExecuteSession(stream ppb.PerformerService_ExecuteSessionServer) error {
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		resp, err := s.Execute(stream.Context(), req)
		if err != nil {
			return err
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}
