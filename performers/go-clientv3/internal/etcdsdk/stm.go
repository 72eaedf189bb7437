package etcdsdk

// StmCommand through clientv3's software transactional memory
// (go.etcd.io/etcd/client/v3/concurrency stm.go): NewSTM runs the apply function,
// commits its writes in one txn guarded by the isolation level's compares, and runs
// the function again after a failed commit until one succeeds (runSTM's loop has no
// bound of its own: the abort context and max_attempts bound it here).

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

const defaultStmAttempts = 100

// StmLatches lets the first attempt of an STM signal and wait at latches (ExecuteStream).
type StmLatches struct {
	Signal func(latch string) error
	Wait   func(latch string, timeout time.Duration) bool
}

var stmIsolation = map[ppb.StmIsolation]concurrency.Isolation{
	ppb.StmIsolation_STM_ISOLATION_DEFAULT:               concurrency.SerializableSnapshot, // NewSTM's default
	ppb.StmIsolation_STM_ISOLATION_SERIALIZABLE_SNAPSHOT: concurrency.SerializableSnapshot,
	ppb.StmIsolation_STM_ISOLATION_SERIALIZABLE:          concurrency.Serializable,
	ppb.StmIsolation_STM_ISOLATION_REPEATABLE_READS:      concurrency.RepeatableReads,
	ppb.StmIsolation_STM_ISOLATION_READ_COMMITTED:        concurrency.ReadCommitted,
}

// errStmData is a value the rule cannot add to: the driver's data was wrong, not the SDK.
type errStmData struct{ msg string }

func (e *errStmData) Error() string { return e.msg }

func validateStm(c *ppb.StmCommand, latches *StmLatches) *HarnessErr {
	if len(c.Adds) == 0 {
		return badRequest("stm needs at least one add")
	}
	seen := map[string]bool{}
	for _, a := range c.Adds {
		if len(a.Key) == 0 || seen[string(a.Key)] {
			return badRequest("stm adds need distinct, non-empty keys (got %q twice or empty)", a.Key)
		}
		seen[string(a.Key)] = true
	}
	if latches == nil && (c.ReadSignal != "" || c.WriteWait != "") {
		return badRequest("stm latches (read_signal, write_wait) run only in ExecuteStream programs")
	}
	if _, ok := stmIsolation[c.Isolation]; !ok {
		return unimplemented("stm isolation %v is not one of clientv3's", c.Isolation)
	}
	return nil
}

// Stm runs c with concurrency.NewSTM; latches is nil under Execute.
func (cl *Client) Stm(c *ppb.StmCommand, latches *StmLatches) *ppb.CommandResult {
	if he := validateStm(c, latches); he != nil {
		return harnessResult(he)
	}
	maxAttempts := c.MaxAttempts
	if maxAttempts == 0 {
		maxAttempts = defaultStmAttempts
	}
	ctx, cancel := context.WithTimeout(cl.ctx, orTimeout(c.TimeoutMs, defaultRecipeTimeout))
	defer cancel()
	var (
		attempts      uint32
		reads, writes []*ppb.StmValue
		released      bool
	)
	apply := func(s concurrency.STM) error {
		attempts++
		if attempts > maxAttempts {
			return fmt.Errorf("stm: gave up after %d attempts", maxAttempts)
		}
		reads, writes = nil, nil
		sums := make([]int64, len(c.Adds))
		for i, a := range c.Adds {
			k := string(a.Key)
			raw := s.Get(k)
			present := s.Rev(k) != 0
			n := int64(0)
			if present {
				v, err := strconv.ParseInt(raw, 10, 64)
				if err != nil {
					return &errStmData{fmt.Sprintf("stm: the value at %q is not a decimal integer: %q", k, raw)}
				}
				n = v
			}
			reads = append(reads, &ppb.StmValue{Key: a.Key, Value: []byte(raw), Present: present})
			sums[i] = n + a.Delta
		}
		if attempts == 1 && latches != nil {
			if c.ReadSignal != "" {
				if err := latches.Signal(c.ReadSignal); err != nil {
					return err
				}
			}
			if c.WriteWait != "" {
				released = latches.Wait(c.WriteWait, orTimeout(c.WriteWaitTimeoutMs, defaultRecipeTimeout))
			}
		}
		for i, a := range c.Adds {
			v := strconv.FormatInt(sums[i], 10)
			s.Put(string(a.Key), v)
			writes = append(writes, &ppb.StmValue{Key: a.Key, Value: []byte(v), Present: true})
		}
		return nil
	}
	call := Now()
	resp, err := concurrency.NewSTM(cl.c, apply, concurrency.WithAbortContext(ctx), concurrency.WithIsolation(stmIsolation[c.Isolation]))
	ret := Now()
	var de *errStmData
	if errors.As(err, &de) {
		return HarnessResult(ppb.HarnessError_BAD_REQUEST, de.msg)
	}
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_Stm{Stm: &ppb.StmResult{
		Attempts: attempts, Reads: reads, Writes: writes, Header: header(resp.Header), WaitReleased: released,
	}}})
}
