package dev.etcdfit.performer.jetcd;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** The performer's own log: one line per event on stderr. Never give it secrets. */
public final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private Log() {
    }

    public static void line(String msg) {
        String s = "[java-jetcd " + LocalTime.now().format(TIME) + "] " + msg;
        synchronized (System.err) {
            System.err.println(s);
            System.err.flush();
        }
    }
}
