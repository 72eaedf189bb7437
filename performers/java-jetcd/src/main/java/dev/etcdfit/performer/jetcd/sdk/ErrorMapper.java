package dev.etcdfit.performer.jetcd.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.election.NotLeaderException;
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
 * error text looked up in etcd's error table (gen/etcd_errors.tsv; jetcd keeps the server's
 * message: as {@link EtcdException#getMessage()} or as the gRPC status description of a
 * {@link StatusRuntimeException}), then the gRPC code
 * (jetcd's {@link io.etcd.jetcd.common.exception.ErrorCode} mirrors gRPC's codes by name).
 * sdk_type is the Java class name of the (unwrapped) exception, message its getMessage()
 * verbatim, grpc_code the status code when the exception carries one, else -1, typed whether
 * it is one of jetcd's own {@link EtcdException} types.
 */
public final class ErrorMapper {
    private ErrorMapper() {
    }

    /**
     * One row of etcd's error table: the canonical code, the gRPC status etcd sends it with,
     * the message exactly as etcd sends it, and that message without its leading
     * "etcdserver: " (what an SDK error's text must contain to match the row).
     */
    record EtcdMessage(ErrorCode code, Status.Code grpc, String message, String match) {
    }

    /** The class-path copy of gen/etcd_errors.tsv (pom.xml; generate.sh copies it from protos/). */
    static final String TABLE_RESOURCE = "/etcd_errors.tsv";

    /** etcd's error table, in file order: the first row whose text the error contains wins. */
    static final List<EtcdMessage> ETCD_MESSAGES = parseTable(readTable());

    static String readTable() {
        try (InputStream in = ErrorMapper.class.getResourceAsStream(TABLE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(TABLE_RESOURCE + " is not on the class path (pom.xml packs gen/etcd_errors.tsv)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The table's format: '#' comments, blank lines, rows of code TAB grpc_status TAB message. */
    static List<EtcdMessage> parseTable(String tsv) {
        List<EtcdMessage> rows = new ArrayList<>();
        String[] lines = tsv.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 3 || f[2].isEmpty()) {
                throw new IllegalArgumentException("etcd_errors.tsv line " + (i + 1) + ": want 3 TAB-separated columns: " + line);
            }
            ErrorCode code;
            Status.Code grpc;
            try {
                code = ErrorCode.valueOf(f[0]);
                grpc = Status.Code.valueOf(f[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("etcd_errors.tsv line " + (i + 1) + ": unknown code: " + line, e);
            }
            String match = f[2].startsWith("etcdserver: ") ? f[2].substring("etcdserver: ".length()) : f[2];
            rows.add(new EtcdMessage(code, grpc, f[2], match));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("etcd_errors.tsv has no rows");
        }
        return List.copyOf(rows);
    }

    /** The code of the first table row whose text the message contains, or null. */
    static ErrorCode codeByMessage(String text) {
        for (EtcdMessage row : ETCD_MESSAGES) {
            if (text.contains(row.match())) {
                return row.code();
            }
        }
        return null;
    }

    /** gRPC status codes with a canonical meaning, when no row of etcd's table matched. */
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
            .setTyped(typed(t))
            .build();
    }

    /**
     * errors.typed: jetcd's own error types all extend {@link EtcdException} (CompactedException,
     * ClosedClientException, ...), except the election client's NotLeaderException and
     * NoLeaderException (plain RuntimeExceptions of io.etcd.jetcd.election). A raw io.grpc.StatusRuntimeException (what jetcd's KV, lease
     * and maintenance futures fail with), an IllegalArgumentException of an option builder and
     * the performer's own TimeoutException (its request deadline) are not.
     */
    static boolean typed(Throwable unwrapped) {
        return unwrapped instanceof EtcdException || unwrapped instanceof NotLeaderException
            || unwrapped instanceof NoLeaderException;
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
        // ElectionImpl.convertException turns v3election's "election: not leader" / "no leader"
        // statuses into these (io.etcd.jetcd.election, plain RuntimeExceptions).
        if (t instanceof NotLeaderException) {
            return ErrorCode.NOT_LEADER;
        }
        if (t instanceof NoLeaderException) {
            return ErrorCode.NO_LEADER;
        }
        String text = etcdText(t);
        ErrorCode byMessage = text == null ? null : codeByMessage(text);
        if (byMessage != null) {
            return byMessage;
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
