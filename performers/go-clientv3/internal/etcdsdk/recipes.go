package etcdsdk

// The SDK's concurrency recipes (go.etcd.io/etcd/client/v3/concurrency): locks
// (Mutex) and elections (Election), each in a Session of the command's TTL. The
// performer keeps the recipe objects under driver-chosen handles (server package);
// this file only calls the SDK and maps what it returns.

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

const (
	defaultSessionTTL    = 60
	defaultRecipeTimeout = 10 * time.Second
)

func orTTL(ttl int64) int {
	if ttl <= 0 {
		return defaultSessionTTL
	}
	return int(ttl)
}

func orTimeout(ms uint32, def time.Duration) time.Duration {
	if ms == 0 {
		return def
	}
	return time.Duration(ms) * time.Millisecond
}

// recipeErr maps the recipe package's own errors onto canonical codes, then the rest as usual.
func recipeErr(call, ret int64, err error) *ppb.CommandResult {
	e := MapError(err)
	switch {
	case errors.Is(err, concurrency.ErrElectionNotLeader):
		e.Code = ppb.ErrorCode_NOT_LEADER
	case errors.Is(err, concurrency.ErrElectionNoLeader):
		e.Code = ppb.ErrorCode_NO_LEADER
	case isSessionExpired(err):
		e.Code = ppb.ErrorCode_SESSION_EXPIRED
	}
	if e.SdkType == "" {
		e.SdkType = "*errors.errorString"
	}
	return &ppb.CommandResult{CallNs: call, ReturnNs: ret, Outcome: &ppb.CommandResult_SdkError{SdkError: e}}
}

func (cl *Client) newSession(ttl int64) (*concurrency.Session, error) {
	return concurrency.NewSession(cl.c, concurrency.WithTTL(orTTL(ttl)), concurrency.WithContext(cl.ctx))
}

// ownerRevision is the create revision Mutex.IsOwner compares against: the lock key's
// create revision (the SDK keeps it private and exposes it only through this Cmp). Read by
// reflection because Cmp changed shape: `type Cmp pb.Compare` up to 3.6 (compare.go:33 in
// v3.6.16), `type Cmp struct{ c *pb.Compare }` from 3.7 (compare.go:35 in v3.7.3), and no
// accessor exists in both.
func ownerRevision(m *concurrency.Mutex) int64 {
	c := m.IsOwner()
	v := reflect.ValueOf(&c).Elem()
	if inner := v.FieldByName("c"); inner.IsValid() && inner.Kind() == reflect.Pointer {
		if inner.IsNil() {
			return 0
		}
		v = inner.Elem()
	}
	u := v.FieldByName("TargetUnion")
	if !u.IsValid() || u.IsNil() {
		return 0
	}
	cr := u.Elem().Elem().FieldByName("CreateRevision") // *pb.Compare_CreateRevision
	if !cr.IsValid() {
		return 0
	}
	return cr.Int()
}

// Lock is one held concurrency.Mutex and its session.
type Lock struct {
	s *concurrency.Session
	m *concurrency.Mutex
}

// LockAcquire creates a session and locks a Mutex on it (Lock, or TryLock when
// try_only). The returned Lock is nil unless the lock is held.
func (cl *Client) LockAcquire(c *ppb.LockAcquireCommand) (*Lock, *ppb.CommandResult) {
	ctx, cancel := context.WithTimeout(cl.ctx, orTimeout(c.TimeoutMs, defaultRecipeTimeout))
	defer cancel()
	call := Now()
	s, err := cl.newSession(c.SessionTtl)
	if err != nil {
		return nil, recipeErr(call, Now(), err)
	}
	m := concurrency.NewMutex(s, string(c.Name))
	if c.TryOnly {
		err = tryLock(ctx, m)
	} else {
		err = m.Lock(ctx)
	}
	ret := Now()
	if isLocked(err) {
		_ = s.Close()
		return nil, okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LockAcquire{LockAcquire: &ppb.LockAcquireResult{
			Acquired: false, Lease: int64(s.Lease()),
		}}})
	}
	if err != nil {
		_ = s.Close()
		return nil, recipeErr(call, ret, err)
	}
	return &Lock{s: s, m: m}, okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LockAcquire{LockAcquire: &ppb.LockAcquireResult{
		Acquired: true, Key: []byte(m.Key()), CreateRevision: ownerRevision(m), Lease: int64(s.Lease()),
		Header: header(m.Header()),
	}}})
}

// Release unlocks the Mutex (Unlock deletes its key) and closes the session.
func (l *Lock) Release(timeout time.Duration) *ppb.CommandResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	call := Now()
	err := l.m.Unlock(ctx)
	ret := Now()
	_ = l.s.Close()
	if err != nil {
		return recipeErr(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LockRelease{LockRelease: &ppb.LockReleaseResult{Released: true}}})
}

// Close ends the session (revoking its lease) without an Unlock.
func (l *Lock) Close() { _ = l.s.Close() }

// Campaign is one Election campaign and its session.
type Campaign struct {
	s *concurrency.Session
	e *concurrency.Election
}

// Campaign creates a session and campaigns; it returns once this campaigner leads.
func (cl *Client) Campaign(c *ppb.ElectionCampaignCommand) (*Campaign, *ppb.CommandResult) {
	ctx, cancel := context.WithTimeout(cl.ctx, orTimeout(c.TimeoutMs, defaultRecipeTimeout))
	defer cancel()
	call := Now()
	s, err := cl.newSession(c.SessionTtl)
	if err != nil {
		return nil, recipeErr(call, Now(), err)
	}
	e := concurrency.NewElection(s, string(c.Name))
	err = e.Campaign(ctx, string(c.Value))
	ret := Now()
	if err != nil {
		_ = s.Close()
		return nil, recipeErr(call, ret, err)
	}
	return &Campaign{s: s, e: e}, okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_ElectionCampaign{ElectionCampaign: &ppb.ElectionCampaignResult{
		Key: []byte(e.Key()), CreateRevision: e.Rev(), Lease: int64(s.Lease()), Header: header(e.Header()),
	}}})
}

func (cp *Campaign) Proclaim(c *ppb.ElectionProclaimCommand, timeout time.Duration) *ppb.CommandResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	call := Now()
	err := cp.e.Proclaim(ctx, string(c.Value))
	ret := Now()
	if err != nil {
		return recipeErr(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_ElectionProclaim{ElectionProclaim: &ppb.ElectionProclaimResult{Header: header(cp.e.Header())}}})
}

func (cp *Campaign) Resign(timeout time.Duration) *ppb.CommandResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	call := Now()
	err := cp.e.Resign(ctx)
	ret := Now()
	_ = cp.s.Close()
	if err != nil {
		return recipeErr(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_ElectionResign{ElectionResign: &ppb.ElectionResignResult{Header: header(cp.e.Header())}}})
}

// Close ends the campaign's session (its key goes with the lease) without resigning.
func (cp *Campaign) Close() { _ = cp.s.Close() }

// Leader asks the campaign's Election (cp non-nil) or a new Election on name for its leader.
func (cl *Client) Leader(cp *Campaign, name []byte) *ppb.CommandResult {
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	e := (*concurrency.Election)(nil)
	if cp != nil {
		e = cp.e
	} else {
		s, err := cl.newSession(0)
		if err != nil {
			return recipeErr(call, Now(), err)
		}
		defer func() { _ = s.Close() }()
		e = concurrency.NewElection(s, string(name))
	}
	resp, err := e.Leader(ctx)
	ret := Now()
	if err != nil {
		return recipeErr(call, ret, err)
	}
	out := &ppb.ElectionLeaderResult{Header: header(resp.Header)}
	if len(resp.Kvs) > 0 {
		out.Leader = keyValue(resp.Kvs[0])
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_ElectionLeader{ElectionLeader: out}})
}

// Observer collects what Election.Observe reports, like a watch.
type Observer struct {
	s      *concurrency.Session
	cancel context.CancelFunc

	mu      sync.Mutex
	leaders []*ppb.KeyValue
	ended   bool
	notify  chan struct{}
}

// Observe starts Election.Observe on name in a session of the default TTL.
func (cl *Client) Observe(c *ppb.ElectionObserveStartCommand) (*Observer, *ppb.CommandResult) {
	call := Now()
	s, err := cl.newSession(0)
	if err != nil {
		return nil, recipeErr(call, Now(), err)
	}
	ctx, cancel := context.WithCancel(cl.ctx)
	e := concurrency.NewElection(s, string(c.Name))
	ch := e.Observe(ctx)
	ret := Now()
	o := &Observer{s: s, cancel: cancel, notify: make(chan struct{}, 1)}
	go func() {
		// Observe's element type is GetResponse before 3.7 and *GetResponse from 3.7 on;
		// field access reads the same either way.
		for resp := range ch {
			if len(resp.Kvs) == 0 {
				continue
			}
			o.add(keyValue(resp.Kvs[0]))
		}
		o.mu.Lock()
		o.ended = true
		o.mu.Unlock()
		o.signal()
	}()
	return o, okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_ElectionObserveStart{ElectionObserveStart: &ppb.ElectionObserveStartResult{}}})
}

func (o *Observer) add(kv *ppb.KeyValue) {
	o.mu.Lock()
	o.leaders = append(o.leaders, kv)
	o.mu.Unlock()
	o.signal()
}

func (o *Observer) signal() {
	select {
	case o.notify <- struct{}{}:
	default:
	}
}

// Collect returns the leaders reported since the last collect, once min_leaders arrived,
// the observer ended, or the timeout passed.
func (o *Observer) Collect(c *ppb.ElectionObserveCollectCommand) *ppb.CommandResult {
	call := Now()
	deadline := time.NewTimer(orTimeout(c.TimeoutMs, 5*time.Second))
	defer deadline.Stop()
	for {
		o.mu.Lock()
		enough := (c.MinLeaders > 0 && len(o.leaders) >= int(c.MinLeaders)) || o.ended
		o.mu.Unlock()
		if enough {
			break
		}
		select {
		case <-o.notify:
			continue
		case <-deadline.C:
		}
		break
	}
	o.mu.Lock()
	out := &ppb.ElectionObserveCollectResult{Leaders: o.leaders, Ended: o.ended}
	o.leaders = nil
	o.mu.Unlock()
	return okResult(call, Now(), &ppb.CommandOk{Payload: &ppb.CommandOk_ElectionObserveCollect{ElectionObserveCollect: out}})
}

// Close stops observing and ends the observer's session.
func (o *Observer) Close() {
	o.cancel()
	_ = o.s.Close()
}
