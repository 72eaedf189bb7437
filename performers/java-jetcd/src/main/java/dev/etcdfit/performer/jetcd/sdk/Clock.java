package dev.etcdfit.performer.jetcd.sdk;

/** The performer's monotonic clock, nanoseconds (call_ns / return_ns). */
public final class Clock {
    private Clock() {
    }

    public static long now() {
        return System.nanoTime();
    }
}
