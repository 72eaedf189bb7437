package etcdsdk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"etcdfit.dev/performers/go-clientv3/gen"
	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// etcdErrorCodes maps the SDK's typed server errors (rpctypes) to canonical codes:
// the typed-error path, tried before etcd's error table (etcdMessages).
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

// etcdMessage is one row of etcd's error table, gen/etcd_errors.tsv (a copy of
// protos/etcdfit/performer/v1/etcd_errors.tsv made by protos/generate.sh).
type etcdMessage struct {
	code    ppb.ErrorCode
	grpc    codes.Code // the status code etcd sends the message with
	message string     // the message exactly as etcd sends it
	match   string     // message without its leading "etcdserver: ": what an SDK error must contain
}

// etcdMessages is etcd's error table, in file order: the first row whose match
// text the error's message contains gives the code.
var etcdMessages = mustParseErrorTable(gen.EtcdErrorsTSV)

// parseErrorTable reads the table's format: '#' comment lines, blank lines, and
// rows of three TAB-separated columns (code, grpc_status, message).
func parseErrorTable(tsv string) ([]etcdMessage, error) {
	var rows []etcdMessage
	for i, line := range strings.Split(tsv, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[2] == "" {
			return nil, fmt.Errorf("etcd_errors.tsv line %d: want 3 TAB-separated columns, got %q", i+1, line)
		}
		code, ok := ppb.ErrorCode_value[f[0]]
		if !ok {
			return nil, fmt.Errorf("etcd_errors.tsv line %d: %q is not an ErrorCode", i+1, f[0])
		}
		var grpc codes.Code
		if err := grpc.UnmarshalJSON([]byte(`"` + f[1] + `"`)); err != nil {
			return nil, fmt.Errorf("etcd_errors.tsv line %d: %q is not a gRPC status code", i+1, f[1])
		}
		rows = append(rows, etcdMessage{
			code:    ppb.ErrorCode(code),
			grpc:    grpc,
			message: f[2],
			match:   strings.TrimPrefix(f[2], "etcdserver: "),
		})
	}
	if len(rows) == 0 {
		return nil, errors.New("etcd_errors.tsv has no rows")
	}
	return rows, nil
}

func mustParseErrorTable(tsv string) []etcdMessage {
	rows, err := parseErrorTable(tsv)
	if err != nil {
		panic(err)
	}
	return rows
}

// codeByMessage is the code of the first table row whose text the message contains.
func codeByMessage(message string) (ppb.ErrorCode, bool) {
	for _, row := range etcdMessages {
		if strings.Contains(message, row.match) {
			return row.code, true
		}
	}
	return ppb.ErrorCode_UNKNOWN, false
}

// grpcCodeCodes maps gRPC status codes (from the SDK's typed errors or raw
// status errors) to canonical codes, when no row of etcd's table matched.
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
// rpctypes.EtcdError which keeps the server's code), else -1; typed says
// whether the SDK handed over one of its own error types (isTyped).
func MapError(err error) *ppb.SdkError {
	if err == nil {
		return nil
	}
	return &ppb.SdkError{
		Code:     errorCode(err),
		SdkType:  fmt.Sprintf("%T", err),
		Message:  err.Error(),
		GrpcCode: grpcCode(err),
		Typed:    isTyped(err),
	}
}

// clientv3's own sentinel errors (package-level errors.New values).
var sdkSentinels = []error{
	clientv3.ErrNoAvailableEndpoints,
	clientv3.ErrOldCluster,
}

// isTyped: the error, exactly as the SDK returned it, is one of the SDK's own
// error types: rpctypes.EtcdError (what clientv3 turns etcd's server errors
// into), clientv3.ErrKeepAliveHalted, or a clientv3 sentinel. A raw gRPC
// status error (e.g. UNAVAILABLE from the transport), context.DeadlineExceeded
// / context.Canceled (what clientv3 returns when the call's context ends) and
// any other error are not the SDK's own. No normalisation (rpctypes.Error) is
// applied here: the point is what the application received.
func isTyped(err error) bool {
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		return true
	}
	var halted clientv3.ErrKeepAliveHalted
	if errors.As(err, &halted) {
		return true
	}
	for _, s := range sdkSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
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

// errorCode: the SDK's typed errors first (rpctypes, context), then etcd's
// error table by message, then the gRPC status code.
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
	// etcd's error table, by message (a status error's message carries etcd's text).
	if c, ok := codeByMessage(err.Error()); ok {
		return c
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
