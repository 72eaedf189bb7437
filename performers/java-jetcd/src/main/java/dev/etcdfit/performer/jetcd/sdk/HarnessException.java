package dev.etcdfit.performer.jetcd.sdk;

import etcdfit.performer.v1.Performer.HarnessError;

/** A failure of the performer itself (not of the SDK): becomes a harness_error result. */
public final class HarnessException extends Exception {
    private static final long serialVersionUID = 1L;

    private final HarnessError.Kind kind;

    public HarnessException(HarnessError.Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HarnessError.Kind kind() {
        return kind;
    }

    public static HarnessException badRequest(String format, Object... args) {
        return new HarnessException(HarnessError.Kind.BAD_REQUEST, String.format(format, args));
    }

    public static HarnessException unimplemented(String format, Object... args) {
        return new HarnessException(HarnessError.Kind.UNIMPLEMENTED, String.format(format, args));
    }
}
