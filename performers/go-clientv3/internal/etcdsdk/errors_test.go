package etcdsdk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"etcdfit.dev/performers/go-clientv3/gen"
	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

func TestMapError(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		code     ppb.ErrorCode
		grpcCode int32
	}{
		{"compacted", rpctypes.ErrCompacted, ppb.ErrorCode_COMPACTED, int32(codes.OutOfRange)},
		{"compacted raw status", rpctypes.ErrGRPCCompacted, ppb.ErrorCode_COMPACTED, int32(codes.OutOfRange)},
		{"future rev", rpctypes.ErrFutureRev, ppb.ErrorCode_FUTURE_REVISION, int32(codes.OutOfRange)},
		{"lease not found", rpctypes.ErrLeaseNotFound, ppb.ErrorCode_LEASE_NOT_FOUND, int32(codes.NotFound)},
		{"duplicate key", rpctypes.ErrDuplicateKey, ppb.ErrorCode_DUPLICATE_KEY, int32(codes.InvalidArgument)},
		{"too many ops", rpctypes.ErrTooManyOps, ppb.ErrorCode_TOO_MANY_OPS, int32(codes.InvalidArgument)},
		{"request too large", rpctypes.ErrRequestTooLarge, ppb.ErrorCode_REQUEST_TOO_LARGE, int32(codes.InvalidArgument)},
		{"grpc send limit", status.Error(codes.ResourceExhausted, "trying to send message larger than max (3000000 vs. 2097152)"), ppb.ErrorCode_REQUEST_TOO_LARGE, int32(codes.ResourceExhausted)},
		{"no space", rpctypes.ErrNoSpace, ppb.ErrorCode_UNKNOWN, int32(codes.ResourceExhausted)},
		{"empty key", rpctypes.ErrEmptyKey, ppb.ErrorCode_EMPTY_KEY, int32(codes.InvalidArgument)},
		{"key not found", rpctypes.ErrKeyNotFound, ppb.ErrorCode_KEY_NOT_FOUND, int32(codes.InvalidArgument)},
		{"lease exists", rpctypes.ErrLeaseExist, ppb.ErrorCode_LEASE_EXISTS, int32(codes.FailedPrecondition)},
		{"lease ttl too large", rpctypes.ErrLeaseTTLTooLarge, ppb.ErrorCode_LEASE_TTL_TOO_LARGE, int32(codes.OutOfRange)},
		{"value provided", rpctypes.ErrValueProvided, ppb.ErrorCode_VALUE_PROVIDED, int32(codes.InvalidArgument)},
		{"lease provided", rpctypes.ErrLeaseProvided, ppb.ErrorCode_LEASE_PROVIDED, int32(codes.InvalidArgument)},
		{"permission denied", rpctypes.ErrPermissionDenied, ppb.ErrorCode_PERMISSION_DENIED, int32(codes.PermissionDenied)},
		{"auth failed", rpctypes.ErrAuthFailed, ppb.ErrorCode_AUTH_FAILED, int32(codes.InvalidArgument)},
		{"invalid auth token", rpctypes.ErrInvalidAuthToken, ppb.ErrorCode_AUTH_FAILED, int32(codes.Unauthenticated)},
		{"ctx deadline", context.DeadlineExceeded, ppb.ErrorCode_DEADLINE_EXCEEDED, -1},
		{"wrapped ctx deadline", fmt.Errorf("op: %w", context.DeadlineExceeded), ppb.ErrorCode_DEADLINE_EXCEEDED, -1},
		{"grpc deadline", status.Error(codes.DeadlineExceeded, "deadline"), ppb.ErrorCode_DEADLINE_EXCEEDED, int32(codes.DeadlineExceeded)},
		{"etcd deadline", rpctypes.ErrGRPCDeadlineExceeded, ppb.ErrorCode_DEADLINE_EXCEEDED, int32(codes.DeadlineExceeded)},
		{"unavailable", status.Error(codes.Unavailable, "connection refused"), ppb.ErrorCode_UNAVAILABLE, int32(codes.Unavailable)},
		{"no leader", rpctypes.ErrNoLeader, ppb.ErrorCode_UNAVAILABLE, int32(codes.Unavailable)},
		{"ctx canceled", context.Canceled, ppb.ErrorCode_CANCELED, -1},
		{"grpc canceled", status.Error(codes.Canceled, "canceled"), ppb.ErrorCode_CANCELED, int32(codes.Canceled)},
		{"invalid sort option", rpctypes.ErrInvalidSortOption, ppb.ErrorCode_INVALID_ARGUMENT, int32(codes.InvalidArgument)},
		{"other invalid argument", status.Error(codes.InvalidArgument, "bad"), ppb.ErrorCode_INVALID_ARGUMENT, int32(codes.InvalidArgument)},
		{"internal", status.Error(codes.Internal, "boom"), ppb.ErrorCode_UNKNOWN, int32(codes.Internal)},
		{"plain error", errors.New("something"), ppb.ErrorCode_UNKNOWN, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := MapError(tc.err)
			if got.Code != tc.code {
				t.Errorf("code = %v, want %v", got.Code, tc.code)
			}
			if got.GrpcCode != tc.grpcCode {
				t.Errorf("grpc_code = %d, want %d", got.GrpcCode, tc.grpcCode)
			}
			if got.Message != tc.err.Error() {
				t.Errorf("message = %q, want verbatim %q", got.Message, tc.err.Error())
			}
			if want := fmt.Sprintf("%T", tc.err); got.SdkType != want {
				t.Errorf("sdk_type = %q, want %q", got.SdkType, want)
			}
		})
	}
	if MapError(nil) != nil {
		t.Error("MapError(nil) != nil")
	}
}

// TestErrorTable: the embedded copy of etcd's error table loads with every row,
// and each row's message maps to the row's code, whether it arrives as a raw
// gRPC status or as bare text without etcd's "etcdserver: " prefix (the typed
// rpctypes path cannot see that one, so it shows the table is what is used).
func TestErrorTable(t *testing.T) {
	var want int
	for _, line := range strings.Split(gen.EtcdErrorsTSV, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			want++
		}
	}
	if len(etcdMessages) != want || want < 20 {
		t.Fatalf("etcdMessages has %d rows, etcd_errors.tsv %d", len(etcdMessages), want)
	}
	for _, row := range etcdMessages {
		if got := MapError(status.Error(row.grpc, row.message)); got.Code != row.code || got.GrpcCode != int32(row.grpc) {
			t.Errorf("status %v %q: code %v grpc_code %d, want %v %d", row.grpc, row.message, got.Code, got.GrpcCode, row.code, row.grpc)
		}
		bare := strings.TrimPrefix(row.message, "etcdserver: ")
		if got := MapError(errors.New("sdk: " + bare)); got.Code != row.code {
			t.Errorf("%q: code %v, want %v", bare, got.Code, row.code)
		}
	}
	if c, ok := codeByMessage("mvcc: required revision has been compacted"); !ok || c != ppb.ErrorCode_COMPACTED {
		t.Errorf("COMPACTED message: %v %v", c, ok)
	}
	for _, bad := range []string{"NOPE\tOUT_OF_RANGE\tetcdserver: x", "COMPACTED\tNOPE\tetcdserver: x", "COMPACTED\tOUT_OF_RANGE", "# only a comment"} {
		if _, err := parseErrorTable(bad); err == nil {
			t.Errorf("parseErrorTable(%q) accepted it", bad)
		}
	}
}

// TestTyped: typed is true only for the SDK's own error types, judged on the
// error exactly as the SDK returned it.
func TestTyped(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		typed bool
	}{
		{"etcd error", rpctypes.ErrCompacted, true},
		{"wrapped etcd error", fmt.Errorf("op: %w", rpctypes.ErrLeaseNotFound), true},
		{"keep-alive halted", clientv3.ErrKeepAliveHalted{Reason: context.Canceled}, true},
		{"no endpoints", clientv3.ErrNoAvailableEndpoints, true},
		{"old cluster", clientv3.ErrOldCluster, true},
		{"raw status with etcd's message", rpctypes.ErrGRPCCompacted, false},
		{"raw unavailable", status.Error(codes.Unavailable, "connection refused"), false},
		{"ctx deadline", context.DeadlineExceeded, false},
		{"ctx canceled", context.Canceled, false},
		{"plain", errors.New("x"), false},
	}
	for _, tc := range cases {
		if got := MapError(tc.err).Typed; got != tc.typed {
			t.Errorf("%s: typed = %t, want %t", tc.name, got, tc.typed)
		}
	}
}
