package dev.etcdfit.performer.jetcd;

import dev.etcdfit.performer.jetcd.server.PerformerServer;

/** Entry point: {@code java -jar performer.jar --listen 127.0.0.1:PORT}. */
public final class Main {
    private Main() {
    }

    /** Kept referenced: java.util.logging holds loggers weakly, and a collected one forgets its level. */
    private static final java.util.logging.Logger GRPC_JUL = java.util.logging.Logger.getLogger("io.grpc");

    public static void main(String[] args) {
        // grpc-java logs through java.util.logging (INFO lines at start-up): warnings and up only.
        GRPC_JUL.setLevel(java.util.logging.Level.WARNING);
        String listen = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--listen") && i + 1 < args.length) {
                listen = args[++i];
            } else if (a.startsWith("--listen=")) {
                listen = a.substring("--listen=".length());
            } else {
                usage("unknown argument: " + a);
            }
        }
        if (listen == null || listen.isEmpty()) {
            usage("--listen host:port is required");
        }
        try {
            PerformerServer.run(listen);
        } catch (Exception e) {
            Log.line("fatal: " + e);
            System.exit(1);
        }
    }

    private static void usage(String why) {
        System.err.println("java-jetcd performer: " + why);
        System.err.println("usage: java -jar performer.jar --listen 127.0.0.1:PORT");
        System.exit(2);
    }
}
