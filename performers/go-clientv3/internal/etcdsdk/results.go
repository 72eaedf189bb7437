package etcdsdk

import (
	"fmt"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// HarnessErr is an error of the performer itself (not of the SDK).
type HarnessErr struct {
	Kind    ppb.HarnessError_Kind
	Message string
}

func (e *HarnessErr) Error() string { return e.Message }

func badRequest(format string, args ...any) *HarnessErr {
	return &HarnessErr{Kind: ppb.HarnessError_BAD_REQUEST, Message: fmt.Sprintf(format, args...)}
}

func unimplemented(format string, args ...any) *HarnessErr {
	return &HarnessErr{Kind: ppb.HarnessError_UNIMPLEMENTED, Message: fmt.Sprintf(format, args...)}
}

// HarnessResult is a result whose outcome is a harness error; no SDK call ran,
// so call_ns == return_ns == now.
func HarnessResult(kind ppb.HarnessError_Kind, msg string) *ppb.CommandResult {
	now := Now()
	return &ppb.CommandResult{
		CallNs:   now,
		ReturnNs: now,
		Outcome:  &ppb.CommandResult_HarnessError{HarnessError: &ppb.HarnessError{Kind: kind, Message: msg}},
	}
}

func harnessResult(e *HarnessErr) *ppb.CommandResult { return HarnessResult(e.Kind, e.Message) }

func okResult(call, ret int64, ok *ppb.CommandOk) *ppb.CommandResult {
	return &ppb.CommandResult{CallNs: call, ReturnNs: ret, Outcome: &ppb.CommandResult_Ok{Ok: ok}}
}

func sdkErrResult(call, ret int64, err error) *ppb.CommandResult {
	return &ppb.CommandResult{CallNs: call, ReturnNs: ret, Outcome: &ppb.CommandResult_SdkError{SdkError: MapError(err)}}
}
