package dev.etcdfit.performer.jetcd.sdk;

import etcdfit.performer.v1.Performer.CommandOk;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.HarnessError;

/** Builders of the three kinds of command result. */
public final class Results {
    private Results() {
    }

    public static CommandResult ok(long call, long ret, CommandOk ok) {
        return CommandResult.newBuilder().setCallNs(call).setReturnNs(ret).setOk(ok).build();
    }

    public static CommandResult sdkError(long call, long ret, Throwable error) {
        return CommandResult.newBuilder().setCallNs(call).setReturnNs(ret)
            .setSdkError(ErrorMapper.map(error)).build();
    }

    /** A harness error: no SDK call ran, so call_ns == return_ns == now. */
    public static CommandResult harness(HarnessError.Kind kind, String message) {
        long now = Clock.now();
        return CommandResult.newBuilder().setCallNs(now).setReturnNs(now)
            .setHarnessError(HarnessError.newBuilder().setKind(kind).setMessage(message == null ? "" : message))
            .build();
    }

    public static CommandResult harness(HarnessException e) {
        return harness(e.kind(), e.getMessage());
    }
}
