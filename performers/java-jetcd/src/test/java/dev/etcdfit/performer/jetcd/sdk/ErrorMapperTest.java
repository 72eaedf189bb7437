package dev.etcdfit.performer.jetcd.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;

import etcdfit.performer.v1.Performer.ErrorCode;
import etcdfit.performer.v1.Performer.SdkError;

/** Table-driven: each failure jetcd can report maps to its canonical code, type, message and gRPC code. */
class ErrorMapperTest {

    private static Throwable status(Status.Code code, String description) {
        return code.toStatus().withDescription(description).asRuntimeException();
    }

    private static Throwable etcd(io.etcd.jetcd.common.exception.ErrorCode code, String message) {
        return EtcdExceptionFactory.newEtcdException(code, message);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            // what jetcd's KV/Lease/Maintenance futures fail with: the raw gRPC status of etcd's answer
            Arguments.of("compacted", status(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
                ErrorCode.COMPACTED, 11),
            Arguments.of("future rev", status(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
                ErrorCode.FUTURE_REVISION, 11),
            Arguments.of("lease not found", status(Status.Code.NOT_FOUND, "etcdserver: requested lease not found"),
                ErrorCode.LEASE_NOT_FOUND, 5),
            Arguments.of("duplicate key", status(Status.Code.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"),
                ErrorCode.DUPLICATE_KEY, 3),
            Arguments.of("too many ops", status(Status.Code.INVALID_ARGUMENT, "etcdserver: too many operations in txn request"),
                ErrorCode.TOO_MANY_OPS, 3),
            Arguments.of("request too large", status(Status.Code.INVALID_ARGUMENT, "etcdserver: request is too large"),
                ErrorCode.REQUEST_TOO_LARGE, 3),
            Arguments.of("grpc receive limit", status(Status.Code.RESOURCE_EXHAUSTED,
                "grpc: received message larger than max (3000000 vs. 2097152)"), ErrorCode.REQUEST_TOO_LARGE, 8),
            Arguments.of("no space", status(Status.Code.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),
                ErrorCode.UNKNOWN, 8),
            Arguments.of("empty key", status(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided"),
                ErrorCode.EMPTY_KEY, 3),
            Arguments.of("key not found", status(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found"),
                ErrorCode.KEY_NOT_FOUND, 3),
            Arguments.of("lease exists", status(Status.Code.FAILED_PRECONDITION, "etcdserver: lease already exists"),
                ErrorCode.LEASE_EXISTS, 9),
            Arguments.of("lease ttl too large", status(Status.Code.OUT_OF_RANGE, "etcdserver: too large lease TTL"),
                ErrorCode.LEASE_TTL_TOO_LARGE, 11),
            Arguments.of("value provided", status(Status.Code.INVALID_ARGUMENT, "etcdserver: value is provided"),
                ErrorCode.VALUE_PROVIDED, 3),
            Arguments.of("lease provided", status(Status.Code.INVALID_ARGUMENT, "etcdserver: lease is provided"),
                ErrorCode.LEASE_PROVIDED, 3),
            Arguments.of("permission denied", status(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied"),
                ErrorCode.PERMISSION_DENIED, 7),
            Arguments.of("auth failed", status(Status.Code.INVALID_ARGUMENT,
                "etcdserver: authentication failed, invalid user ID or password"), ErrorCode.AUTH_FAILED, 3),
            Arguments.of("invalid token", status(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token"),
                ErrorCode.AUTH_FAILED, 16),
            Arguments.of("grpc deadline", status(Status.Code.DEADLINE_EXCEEDED, "deadline exceeded after 1s"),
                ErrorCode.DEADLINE_EXCEEDED, 4),
            Arguments.of("unavailable", status(Status.Code.UNAVAILABLE, "io exception"), ErrorCode.UNAVAILABLE, 14),
            Arguments.of("no leader", status(Status.Code.UNAVAILABLE, "etcdserver: no leader"), ErrorCode.UNAVAILABLE, 14),
            Arguments.of("grpc cancelled", status(Status.Code.CANCELLED, "io.grpc.Context was cancelled without error"),
                ErrorCode.CANCELED, 1),
            Arguments.of("invalid sort", status(Status.Code.INVALID_ARGUMENT, "etcdserver: invalid sort option"),
                ErrorCode.INVALID_ARGUMENT, 3),
            Arguments.of("internal", status(Status.Code.INTERNAL, "boom"), ErrorCode.UNKNOWN, 13),
            // jetcd's own exception types (watch errors, keepAliveOnce, closed clients)
            Arguments.of("watch compacted", EtcdExceptionFactory.newCompactedException(42), ErrorCode.COMPACTED, 11),
            Arguments.of("keepAliveOnce lease not found",
                etcd(io.etcd.jetcd.common.exception.ErrorCode.NOT_FOUND, "etcdserver: requested lease not found"),
                ErrorCode.LEASE_NOT_FOUND, 5),
            Arguments.of("watch future rev",
                etcd(io.etcd.jetcd.common.exception.ErrorCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
                ErrorCode.FUTURE_REVISION, 11),
            Arguments.of("etcd exception from status", EtcdExceptionFactory.toEtcdException(
                Status.UNAVAILABLE.withDescription("io exception")), ErrorCode.UNAVAILABLE, 14),
            Arguments.of("etcd exception cancelled",
                etcd(io.etcd.jetcd.common.exception.ErrorCode.CANCELLED, "io.grpc.Context was cancelled without error"),
                ErrorCode.CANCELED, 1),
            Arguments.of("closed client", new ClosedClientException("Watch Client has been closed"), ErrorCode.CANCELED, 1),
            // the performer's wait and the JDK's future machinery
            Arguments.of("request timeout", new TimeoutException("no answer"), ErrorCode.DEADLINE_EXCEEDED, -1),
            Arguments.of("future cancelled", new CancellationException("cancelled"), ErrorCode.CANCELED, -1),
            Arguments.of("builder rejects", new IllegalArgumentException("leaseId should greater than or equal to zero: leaseId=-1"),
                ErrorCode.INVALID_ARGUMENT, -1),
            Arguments.of("plain exception", new IllegalStateException("something"), ErrorCode.UNKNOWN, -1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mapsEachError(String name, Throwable error, ErrorCode code, int grpcCode) {
        SdkError got = ErrorMapper.map(error);
        assertEquals(code, got.getCode(), "code");
        assertEquals(grpcCode, got.getGrpcCode(), "grpc_code");
        assertEquals(error.getMessage(), got.getMessage(), "message verbatim");
        assertEquals(error.getClass().getName(), got.getSdkType(), "sdk_type");
        // errors.typed: jetcd's own EtcdException family, never a raw status or JDK exception
        assertEquals(error instanceof io.etcd.jetcd.common.exception.EtcdException, got.getTyped(), "typed");

        // the same error reaching the performer through a future's wrappers maps the same way
        for (Throwable wrapped : new Throwable[] {new ExecutionException(error), new CompletionException(error),
            new ExecutionException(new CompletionException(error))}) {
            SdkError w = ErrorMapper.map(wrapped);
            assertEquals(got, w, "wrapped in " + wrapped.getClass().getSimpleName());
        }
    }

    /** The class-path copy of etcd's error table loads with every row, and each row's message maps to its code. */
    @Test
    void electionErrorsOfElectionImpl() {
        SdkError not = ErrorMapper.map(new CompletionException(new io.etcd.jetcd.election.NotLeaderException()));
        assertEquals(ErrorCode.NOT_LEADER, not.getCode());
        assertEquals("io.etcd.jetcd.election.NotLeaderException", not.getSdkType());
        assertTrue(not.getTyped());
        assertEquals(ErrorCode.NO_LEADER, ErrorMapper.map(new io.etcd.jetcd.election.NoLeaderException()).getCode());
    }

    @Test
    void errorTableLoadsEveryRow() {
        long rows = ErrorMapper.readTable().lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
        assertTrue(rows >= 20, "etcd_errors.tsv has only " + rows + " rows");
        assertEquals(rows, ErrorMapper.ETCD_MESSAGES.size(), "rows parsed");
        for (ErrorMapper.EtcdMessage row : ErrorMapper.ETCD_MESSAGES) {
            SdkError got = ErrorMapper.map(status(row.grpc(), row.message()));
            assertEquals(row.code(), got.getCode(), row.message());
            assertEquals(row.grpc().value(), got.getGrpcCode(), row.message());
            // an SDK that drops etcd's "etcdserver: " prefix still matches the row
            String bare = row.message().replaceFirst("^etcdserver: ", "");
            assertEquals(row.code(), ErrorMapper.map(new RuntimeException("sdk: " + bare)).getCode(), bare);
        }
        assertEquals(ErrorCode.COMPACTED, ErrorMapper.codeByMessage("mvcc: required revision has been compacted"));
        for (String bad : new String[] {"NOPE\tOUT_OF_RANGE\tetcdserver: x", "COMPACTED\tNOPE\tetcdserver: x",
            "COMPACTED\tOUT_OF_RANGE", "# only a comment"}) {
            assertThrows(IllegalArgumentException.class, () -> ErrorMapper.parseTable(bad), bad);
        }
    }
}
