package dev.etcdfit.performer.jetcd.sdk;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

import etcdfit.performer.v1.Performer.ErrorCode;
import etcdfit.performer.v1.Performer.SdkError;

/**
 * Maps what jetcd reports as a failure onto the protocol's canonical SdkError.
 *
 * <p>
 * Order: the SDK's own error types first (jetcd's {@link CompactedException}), then etcd's
 * error text (jetcd keeps the server's message: as {@link EtcdException#getMessage()} or as
 * the gRPC status description of a {@link StatusRuntimeException}), then the gRPC code
 * (jetcd's {@link io.etcd.jetcd.common.exception.ErrorCode} mirrors gRPC's codes by name).
 * sdk_type is the Java class name of the (unwrapped) exception, message its getMessage()
 * verbatim, grpc_code the status code when the exception carries one, else -1.
 */
public final class ErrorMapper {
    private ErrorMapper() {
    }

    /** etcd's error texts (api/v3rpc/rpctypes/error.go), most specific first. */
    static final List<Map.Entry<String, ErrorCode>> ETCD_MESSAGES = List.of(
        Map.entry("required revision has been compacted", ErrorCode.COMPACTED),
        Map.entry("required revision is a future revision", ErrorCode.FUTURE_REVISION),
        Map.entry("requested lease not found", ErrorCode.LEASE_NOT_FOUND),
        Map.entry("duplicate key given in txn request", ErrorCode.DUPLICATE_KEY),
        Map.entry("too many operations in txn request", ErrorCode.TOO_MANY_OPS),
        Map.entry("request is too large", ErrorCode.REQUEST_TOO_LARGE),
        Map.entry("key is not provided", ErrorCode.EMPTY_KEY),
        Map.entry("etcdserver: key not found", ErrorCode.KEY_NOT_FOUND),
        Map.entry("lease already exists", ErrorCode.LEASE_EXISTS),
        Map.entry("too large lease TTL", ErrorCode.LEASE_TTL_TOO_LARGE),
        Map.entry("value is provided", ErrorCode.VALUE_PROVIDED),
        Map.entry("lease is provided", ErrorCode.LEASE_PROVIDED),
        Map.entry("etcdserver: permission denied", ErrorCode.PERMISSION_DENIED),
        Map.entry("authentication failed, invalid user ID or password", ErrorCode.AUTH_FAILED),
        Map.entry("etcdserver: invalid auth token", ErrorCode.AUTH_FAILED));

    /** gRPC status codes with a canonical meaning, after the exact etcd errors above. */
    static final Map<Status.Code, ErrorCode> GRPC_CODES = Map.of(
        Status.Code.DEADLINE_EXCEEDED, ErrorCode.DEADLINE_EXCEEDED,
        Status.Code.UNAVAILABLE, ErrorCode.UNAVAILABLE,
        Status.Code.CANCELLED, ErrorCode.CANCELED,
        Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT,
        Status.Code.PERMISSION_DENIED, ErrorCode.PERMISSION_DENIED,
        Status.Code.UNAUTHENTICATED, ErrorCode.AUTH_FAILED);

    public static SdkError map(Throwable error) {
        Throwable t = unwrap(error);
        Status.Code grpc = grpcCode(t);
        String message = t.getMessage() == null ? "" : t.getMessage();
        return SdkError.newBuilder()
            .setCode(code(t, grpc))
            .setSdkType(t.getClass().getName())
            .setMessage(message)
            .setGrpcCode(grpc == null ? -1 : grpc.value())
            .build();
    }

    /**
     * Strips the wrappers that only carry an SDK failure across threads: a future's
     * ExecutionException / CompletionException and failsafe's FailsafeException (jetcd runs
     * its calls under a failsafe retry policy).
     */
    public static Throwable unwrap(Throwable t) {
        while (t.getCause() != null && t.getCause() != t
            && (t instanceof ExecutionException || t instanceof CompletionException
                || t.getClass().getName().equals("dev.failsafe.FailsafeException"))) {
            t = t.getCause();
        }
        return t;
    }

    /** The gRPC status code the exception carries (itself or in its cause chain), or null. */
    static Status.Code grpcCode(Throwable t) {
        if (t instanceof EtcdException) {
            return grpcCodeOf(((EtcdException) t).getErrorCode());
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof StatusRuntimeException) {
                return ((StatusRuntimeException) c).getStatus().getCode();
            }
            if (c instanceof StatusException) {
                return ((StatusException) c).getStatus().getCode();
            }
        }
        return null;
    }

    /** jetcd's ErrorCode constants are named after gRPC's status codes. */
    static Status.Code grpcCodeOf(io.etcd.jetcd.common.exception.ErrorCode code) {
        try {
            return Status.Code.valueOf(code.name());
        } catch (IllegalArgumentException e) {
            return Status.Code.UNKNOWN;
        }
    }

    /** The server's own text: an EtcdException's message, a status description, else the message. */
    static String etcdText(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof EtcdException) {
                return c.getMessage();
            }
            if (c instanceof StatusRuntimeException) {
                return ((StatusRuntimeException) c).getStatus().getDescription();
            }
            if (c instanceof StatusException) {
                return ((StatusException) c).getStatus().getDescription();
            }
        }
        return t.getMessage();
    }

    static ErrorCode code(Throwable t, Status.Code grpc) {
        if (t instanceof CompactedException) {
            return ErrorCode.COMPACTED;
        }
        String text = etcdText(t);
        if (text != null) {
            for (Map.Entry<String, ErrorCode> e : ETCD_MESSAGES) {
                if (text.contains(e.getKey())) {
                    return e.getValue();
                }
            }
        }
        if (t instanceof TimeoutException) {
            return ErrorCode.DEADLINE_EXCEEDED; // the performer's request timeout on the SDK's future
        }
        if (t instanceof CancellationException || t instanceof InterruptedException) {
            return ErrorCode.CANCELED;
        }
        if (grpc == null) {
            if (t instanceof IllegalArgumentException) {
                return ErrorCode.INVALID_ARGUMENT; // rejected by the SDK before any request
            }
            return ErrorCode.UNKNOWN;
        }
        // gRPC's own message-size limit (client send or server receive) is the same failure
        // as etcd's max-request-bytes check: the request is too large.
        if (grpc == Status.Code.RESOURCE_EXHAUSTED && text != null && text.contains("larger than max")) {
            return ErrorCode.REQUEST_TOO_LARGE;
        }
        return GRPC_CODES.getOrDefault(grpc, ErrorCode.UNKNOWN);
    }
}
