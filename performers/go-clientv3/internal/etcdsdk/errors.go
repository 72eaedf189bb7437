package etcdsdk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// etcdErrorCodes maps the SDK's typed server errors (rpctypes) to canonical codes.
// Order matters only for readability: each entry is an exact error value.
var etcdErrorCodes = []struct {
	err  error
	code ppb.ErrorCode
}{
	{rpctypes.ErrCompacted, ppb.ErrorCode_COMPACTED},
	{rpctypes.ErrFutureRev, ppb.ErrorCode_FUTURE_REVISION},
	{rpctypes.ErrLeaseNotFound, ppb.ErrorCode_LEASE_NOT_FOUND},
	{rpctypes.ErrDuplicateKey, ppb.ErrorCode_DUPLICATE_KEY},
	{rpctypes.ErrTooManyOps, ppb.ErrorCode_TOO_MANY_OPS},
	{rpctypes.ErrRequestTooLarge, ppb.ErrorCode_REQUEST_TOO_LARGE},
	{rpctypes.ErrEmptyKey, ppb.ErrorCode_EMPTY_KEY},
	{rpctypes.ErrKeyNotFound, ppb.ErrorCode_KEY_NOT_FOUND},
	{rpctypes.ErrLeaseExist, ppb.ErrorCode_LEASE_EXISTS},
	{rpctypes.ErrLeaseTTLTooLarge, ppb.ErrorCode_LEASE_TTL_TOO_LARGE},
	{rpctypes.ErrValueProvided, ppb.ErrorCode_VALUE_PROVIDED},
	{rpctypes.ErrLeaseProvided, ppb.ErrorCode_LEASE_PROVIDED},
	{rpctypes.ErrPermissionDenied, ppb.ErrorCode_PERMISSION_DENIED},
	{rpctypes.ErrAuthFailed, ppb.ErrorCode_AUTH_FAILED},
}

// grpcCodeCodes maps gRPC status codes (from the SDK's typed errors or raw
// status errors) to canonical codes, after the exact etcd errors above.
var grpcCodeCodes = map[codes.Code]ppb.ErrorCode{
	codes.DeadlineExceeded: ppb.ErrorCode_DEADLINE_EXCEEDED,
	codes.Unavailable:      ppb.ErrorCode_UNAVAILABLE,
	codes.Canceled:         ppb.ErrorCode_CANCELED,
	codes.InvalidArgument:  ppb.ErrorCode_INVALID_ARGUMENT,
	codes.PermissionDenied: ppb.ErrorCode_PERMISSION_DENIED,
	codes.Unauthenticated:  ppb.ErrorCode_AUTH_FAILED,
}

// MapError turns an error returned by the SDK into the canonical SdkError.
// sdk_type is the Go dynamic type, message is err.Error() verbatim, grpc_code
// the status code when the error carries one (a gRPC status, or the SDK's
// rpctypes.EtcdError which keeps the server's code), else -1.
func MapError(err error) *ppb.SdkError {
	if err == nil {
		return nil
	}
	return &ppb.SdkError{
		Code:     errorCode(err),
		SdkType:  fmt.Sprintf("%T", err),
		Message:  err.Error(),
		GrpcCode: grpcCode(err),
	}
}

func grpcCode(err error) int32 {
	if s, ok := status.FromError(err); ok {
		return int32(s.Code())
	}
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		return int32(ee.Code())
	}
	return -1
}

func errorCode(err error) ppb.ErrorCode {
	// rpctypes.Error turns a raw status error carrying a known etcd message
	// into the SDK's typed EtcdError; anything else comes back unchanged.
	norm := rpctypes.Error(err)
	for _, e := range etcdErrorCodes {
		if errors.Is(err, e.err) || errors.Is(norm, e.err) {
			return e.code
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ppb.ErrorCode_DEADLINE_EXCEEDED
	case errors.Is(err, context.Canceled):
		return ppb.ErrorCode_CANCELED
	}
	var code codes.Code
	var ee rpctypes.EtcdError
	if errors.As(norm, &ee) {
		code = ee.Code()
	} else if s, ok := status.FromError(err); ok {
		code = s.Code()
	} else {
		return ppb.ErrorCode_UNKNOWN
	}
	// gRPC's own message-size limit (client send or server receive) is the
	// same failure as etcd's max-request-bytes check: the request is too large.
	if code == codes.ResourceExhausted && strings.Contains(err.Error(), "larger than max") {
		return ppb.ErrorCode_REQUEST_TOO_LARGE
	}
	if c, ok := grpcCodeCodes[code]; ok {
		return c
	}
	return ppb.ErrorCode_UNKNOWN
}
