// Package workload runs the protocol's Workload command (capability perf.workload):
// SDK clients and workers in this process, no RPC to the driver per operation, and a
// report per interval streamed back through a send function.
package workload

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
	"etcdfit.dev/performers/go-clientv3/internal/etcdsdk"
)

// Bounds on a request, so a typo cannot make the performer allocate or loop without end.
const (
	maxClients  = 10000
	maxWorkers  = 100000
	maxKeySpace = 10_000_000
	maxValue    = 1 << 20
)

// Spec is a validated WorkloadRequest with its defaults applied.
type Spec struct {
	Endpoints      []string
	Clients        int
	Workers        int
	Ops            []ppb.WorkloadOp // op per weight unit: Ops[rng % len(Ops)]
	KeySpace       uint64
	Sequential     bool
	KeySize        int
	Value          string
	Prefix         string
	Duration       time.Duration // 0: none
	Total          uint64        // 0: none
	Rate           float64       // 0: closed loop
	Interval       time.Duration
	DialTimeout    time.Duration
	RequestTimeout time.Duration
	RangeLimit     int64
	Prefill        bool
}

// Parse checks a request and applies the protocol's defaults; its error is an
// INVALID_ARGUMENT status naming the field.
func Parse(req *ppb.WorkloadRequest) (*Spec, error) {
	bad := func(format string, a ...any) error {
		return status.Errorf(codes.InvalidArgument, "Workload: "+format, a...)
	}
	s := &Spec{
		Endpoints:      req.Endpoints,
		Clients:        int(req.Clients),
		Workers:        int(req.Concurrency),
		KeySpace:       req.KeySpace,
		Sequential:     req.KeyDistribution == ppb.KeyDistribution_KEY_DISTRIBUTION_SEQUENTIAL,
		KeySize:        int(req.KeySize),
		Prefix:         string(req.KeyPrefix),
		Duration:       time.Duration(req.DurationMs) * time.Millisecond,
		Total:          req.TotalOps,
		Rate:           req.TargetRate,
		Interval:       time.Duration(req.ReportIntervalMs) * time.Millisecond,
		DialTimeout:    time.Duration(req.DialTimeoutMs) * time.Millisecond,
		RequestTimeout: time.Duration(req.RequestTimeoutMs) * time.Millisecond,
		RangeLimit:     int64(req.RangeLimit),
		Prefill:        req.Prefill,
	}
	if len(s.Endpoints) == 0 {
		return nil, bad("endpoints: at least one is needed")
	}
	if s.Prefix == "" {
		return nil, bad("key_prefix: required (the run's namespace)")
	}
	if s.Duration == 0 && s.Total == 0 {
		return nil, bad("give duration_ms or total_ops (or both): a workload must end")
	}
	if s.Clients == 0 {
		s.Clients = 1
	}
	if s.Workers == 0 {
		s.Workers = s.Clients
	}
	if s.Clients > maxClients || s.Workers > maxWorkers {
		return nil, bad("clients %d / concurrency %d: at most %d / %d", s.Clients, s.Workers, maxClients, maxWorkers)
	}
	if s.KeySpace == 0 {
		s.KeySpace = 1
	}
	if s.KeySpace > maxKeySpace {
		return nil, bad("key_space %d: at most %d", s.KeySpace, maxKeySpace)
	}
	size := int(req.ValueSize)
	if size == 0 {
		size = 8
	}
	if size > maxValue {
		return nil, bad("value_size %d: at most %d", size, maxValue)
	}
	v := make([]byte, size)
	for i := range v {
		v[i] = 'a' + byte(i%26)
	}
	s.Value = string(v)
	if s.Rate < 0 {
		return nil, bad("target_rate %v: must be >= 0 (0: closed loop)", s.Rate)
	}
	if s.Interval <= 0 {
		s.Interval = time.Second
	}
	if s.DialTimeout <= 0 {
		s.DialTimeout = etcdsdk.DefaultDialTimeout
	}
	if s.RequestTimeout <= 0 {
		s.RequestTimeout = etcdsdk.DefaultRequestTimeout
	}
	if s.RangeLimit <= 0 {
		s.RangeLimit = 10
	}
	for _, w := range req.Mix {
		if _, ok := ppb.WorkloadOp_name[int32(w.Op)]; !ok || w.Op == ppb.WorkloadOp_WORKLOAD_OP_UNSPECIFIED {
			return nil, bad("mix: unknown op %v", w.Op)
		}
		if w.Weight > 1000 {
			return nil, bad("mix: weight %d of %v: at most 1000", w.Weight, w.Op)
		}
		for i := uint32(0); i < w.Weight; i++ {
			s.Ops = append(s.Ops, w.Op)
		}
	}
	if len(req.Mix) == 0 {
		s.Ops = []ppb.WorkloadOp{ppb.WorkloadOp_WORKLOAD_OP_PUT}
	}
	if len(s.Ops) == 0 {
		return nil, bad("mix: every weight is 0")
	}
	return s, nil
}

// Key is key i of the key space: the prefix, then i zero-padded to KeySize bytes in all.
func (s *Spec) Key(buf []byte, i uint64) []byte {
	buf = append(buf[:0], s.Prefix...)
	digits := strconv.AppendUint(nil, i, 10)
	for pad := s.KeySize - len(s.Prefix) - len(digits); pad > 0; pad-- {
		buf = append(buf, '0')
	}
	return append(buf, digits...)
}

// worker state the reporter reads under mu.
type tally struct {
	mu     sync.Mutex
	hist   Hist
	errs   map[ppb.ErrorCode]uint64
	sample map[ppb.ErrorCode]string
	ops    uint64
}

func (t *tally) record(us uint64, e *ppb.SdkError) {
	t.mu.Lock()
	if e == nil {
		t.hist.Record(us)
		t.ops++
	} else {
		t.errs[e.Code]++
		if _, ok := t.sample[e.Code]; !ok {
			t.sample[e.Code] = e.SdkType + ": " + e.Message
		}
	}
	t.mu.Unlock()
}

// Run carries out a workload, calling send for each report; it returns when the
// workload is over (or ctx is done) and every client is closed.
func Run(ctx context.Context, s *Spec, send func(*ppb.WorkloadReport) error, logf func(string, ...any)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	clients, connectUs, failures := openClients(ctx, s, logf)
	defer func() {
		for _, c := range clients {
			_ = c.Close()
		}
	}()
	base := func() *ppb.WorkloadReport {
		return &ppb.WorkloadReport{Connections: uint32(len(clients)), ConnectFailures: uint32(failures),
			CpuSeconds: cpuSeconds(), RssBytes: rssBytes()}
	}
	if len(clients) == 0 {
		r := base()
		r.Final, r.ConnectUs = true, connectUs
		r.HarnessError = fmt.Sprintf("no client could connect to %v (%d tried); see the performer log", s.Endpoints, failures)
		return send(r)
	}
	var prefill time.Duration
	if s.Prefill {
		t0 := time.Now()
		if err := doPrefill(ctx, s, clients); err != nil {
			r := base()
			r.Final, r.ConnectUs = true, connectUs
			r.HarnessError = "prefill failed: " + err.Error()
			return send(r)
		}
		prefill = time.Since(t0)
		logf("Workload: prefill of %d keys took %v", s.KeySpace, prefill)
	}

	tallies := make([]*tally, s.Workers)
	for i := range tallies {
		tallies[i] = &tally{errs: map[ppb.ErrorCode]uint64{}, sample: map[ppb.ErrorCode]string{}}
	}
	start := time.Now()
	runCtx := ctx
	if s.Duration > 0 {
		var c context.CancelFunc
		runCtx, c = context.WithDeadline(ctx, start.Add(s.Duration))
		defer c()
	}
	var claimed, seq atomic.Uint64
	var wg sync.WaitGroup
	for w := 0; w < s.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			work(runCtx, s, clients[w%len(clients)], tallies[w], w, start, &claimed, &seq)
		}(w)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var total Hist
	totalErrs := map[ppb.ErrorCode]uint64{}
	samples := map[ppb.ErrorCode]string{}
	var totalOps uint64
	collect := func() (*Hist, map[ppb.ErrorCode]uint64, uint64) {
		var h Hist
		errs := map[ppb.ErrorCode]uint64{}
		var ops uint64
		for _, t := range tallies {
			t.mu.Lock()
			h.Merge(&t.hist)
			t.hist.Reset()
			for c, n := range t.errs {
				errs[c] += n
				if _, ok := samples[c]; !ok {
					samples[c] = t.sample[c]
				}
			}
			clear(t.errs)
			ops += t.ops
			t.ops = 0
			t.mu.Unlock()
		}
		total.Merge(&h)
		for c, n := range errs {
			totalErrs[c] += n
		}
		totalOps += ops
		return &h, errs, ops
	}
	errList := func(m map[ppb.ErrorCode]uint64) []*ppb.WorkloadErrorCount {
		var out []*ppb.WorkloadErrorCount
		for c, n := range m {
			out = append(out, &ppb.WorkloadErrorCount{Code: c, Count: n, Sample: samples[c]})
		}
		return out
	}
	ticker := time.NewTicker(s.Interval)
	defer ticker.Stop()
	var seqNo uint32
	last := start
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-ctx.Done():
			<-done // workers stop at once: their calls run under ctx
			return ctx.Err()
		case now := <-ticker.C:
			h, errs, ops := collect()
			r := base()
			r.Seq, r.ElapsedMs, r.IntervalMs = seqNo, uint64(now.Sub(start).Milliseconds()), uint64(now.Sub(last).Milliseconds())
			r.Ops, r.Errors, r.Latency = ops, errList(errs), h.Proto()
			if seqNo == 0 {
				r.ConnectUs, r.PrefillMs = connectUs, uint64(prefill.Milliseconds())
			}
			if err := send(r); err != nil {
				cancel()
				<-done
				return err
			}
			seqNo++
			last = now
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	end := time.Now()
	if h, errs, ops := collect(); ops > 0 || len(errs) > 0 {
		r := base()
		r.Seq, r.ElapsedMs, r.IntervalMs = seqNo, uint64(end.Sub(start).Milliseconds()), uint64(end.Sub(last).Milliseconds())
		r.Ops, r.Errors, r.Latency = ops, errList(errs), h.Proto()
		if seqNo == 0 {
			r.ConnectUs, r.PrefillMs = connectUs, uint64(prefill.Milliseconds())
		}
		if err := send(r); err != nil {
			return err
		}
		seqNo++
	}
	r := base()
	r.Seq, r.Final, r.ElapsedMs, r.IntervalMs = seqNo, true, uint64(end.Sub(start).Milliseconds()), uint64(end.Sub(start).Milliseconds())
	r.Ops, r.Errors, r.Latency, r.ConnectUs, r.PrefillMs = totalOps, errList(totalErrs), total.Proto(), connectUs, uint64(prefill.Milliseconds())
	return send(r)
}

// openClients creates the SDK clients one after another; a client counts as
// connected once it has answered a get of the prefix.
func openClients(ctx context.Context, s *Spec, logf func(string, ...any)) ([]*clientv3.Client, []uint64, int) {
	var clients []*clientv3.Client
	var us []uint64
	failures := 0
	for i := 0; i < s.Clients && ctx.Err() == nil; i++ {
		t0 := time.Now()
		c, err := clientv3.New(etcdsdk.SDKConfig(etcdsdk.Config{Endpoints: s.Endpoints, DialTimeout: s.DialTimeout}))
		if err == nil {
			cctx, cancel := context.WithTimeout(ctx, s.DialTimeout+s.RequestTimeout)
			_, err = c.Get(cctx, s.Prefix)
			cancel()
			if err != nil {
				_ = c.Close()
			}
		}
		if err != nil {
			failures++
			logf("Workload: client %d could not connect: %v", i, err)
			continue
		}
		us = append(us, uint64(time.Since(t0).Microseconds()))
		clients = append(clients, c)
	}
	return clients, us, failures
}

func doPrefill(ctx context.Context, s *Spec, clients []*clientv3.Client) error {
	var next atomic.Uint64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for w := 0; w < s.Workers; w++ {
		wg.Add(1)
		go func(c *clientv3.Client) {
			defer wg.Done()
			var buf []byte
			for {
				i := next.Add(1) - 1
				if i >= s.KeySpace || ctx.Err() != nil {
					return
				}
				buf = s.Key(buf, i)
				cctx, cancel := context.WithTimeout(ctx, s.RequestTimeout)
				_, err := c.Put(cctx, string(buf), s.Value)
				cancel()
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}(clients[w%len(clients)])
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// work is one worker's loop: claim an operation, (open loop: wait for its slot),
// run it, record it; until the count is reached or ctx ends (duration or cancel).
func work(ctx context.Context, s *Spec, c *clientv3.Client, t *tally, w int, start time.Time, claimed, seq *atomic.Uint64) {
	rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(w)))
	rangeEnd := clientv3.GetPrefixRangeEnd(s.Prefix)
	var buf []byte
	for ctx.Err() == nil {
		n := claimed.Add(1)
		if s.Total > 0 && n > s.Total {
			return
		}
		began := time.Now()
		if s.Rate > 0 {
			began = start.Add(time.Duration(float64(n-1) / s.Rate * float64(time.Second)))
			if d := time.Until(began); d > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(d):
				}
			}
		}
		var i uint64
		if s.Sequential {
			i = (seq.Add(1) - 1) % s.KeySpace
		} else {
			i = rng.Uint64N(s.KeySpace)
		}
		buf = s.Key(buf, i)
		key := string(buf)
		op := s.Ops[0]
		if len(s.Ops) > 1 {
			op = s.Ops[rng.IntN(len(s.Ops))]
		}
		cctx, cancel := context.WithTimeout(ctx, s.RequestTimeout)
		var err error
		switch op {
		case ppb.WorkloadOp_WORKLOAD_OP_PUT:
			_, err = c.Put(cctx, key, s.Value)
		case ppb.WorkloadOp_WORKLOAD_OP_GET:
			_, err = c.Get(cctx, key)
		case ppb.WorkloadOp_WORKLOAD_OP_RANGE:
			_, err = c.Get(cctx, key, clientv3.WithRange(rangeEnd), clientv3.WithLimit(s.RangeLimit))
		case ppb.WorkloadOp_WORKLOAD_OP_TXN:
			_, err = c.Txn(cctx).Then(clientv3.OpPut(key, s.Value)).Commit()
		case ppb.WorkloadOp_WORKLOAD_OP_DELETE:
			_, err = c.Delete(cctx, key)
		}
		cancel()
		if err != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
			status.Code(err) == codes.Canceled || status.Code(err) == codes.DeadlineExceeded) {
			return // the run ended under this call: not an SDK error
		}
		us := uint64(time.Since(began).Microseconds())
		if err != nil {
			t.record(us, etcdsdk.MapError(err))
		} else {
			t.record(us, nil)
		}
	}
}
