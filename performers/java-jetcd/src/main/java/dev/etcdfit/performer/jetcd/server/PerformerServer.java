package dev.etcdfit.performer.jetcd.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;

import dev.etcdfit.performer.jetcd.Log;
import dev.etcdfit.performer.jetcd.sdk.SdkInfo;

/** The gRPC server: PerformerService on --listen until SIGINT/SIGTERM. */
public final class PerformerServer {
    /** The driver may send and receive large values: the SDK and etcd, not this hop, decide what is too large. */
    static final int MAX_MESSAGE_BYTES = 64 << 20;

    private PerformerServer() {
    }

    public static void run(String listen) throws IOException, InterruptedException {
        InetSocketAddress addr = parseListen(listen);
        PerformerService service = new PerformerService();
        Server server = NettyServerBuilder.forAddress(addr)
            .maxInboundMessageSize(MAX_MESSAGE_BYTES)
            .addService(service)
            .build()
            .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Log.line("shutting down");
            server.shutdown();
            try {
                if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
            }
            service.closeAll();
            Log.line("stopped");
        }, "shutdown"));
        Log.line("listening on " + listen + " (sdk " + SdkInfo.SDK_PACKAGE + " " + SdkInfo.sdkVersion()
            + ", built with jetcd " + SdkInfo.buildVersion() + ", " + SdkInfo.buildPins()
            + ", java " + System.getProperty("java.version") + ", pid " + ProcessHandle.current().pid() + ")");
        server.awaitTermination();
    }

    /** "host:port", "[v6]:port" or ":port" (loopback). */
    static InetSocketAddress parseListen(String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen wants host:port, got " + listen);
        }
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        int port = Integer.parseInt(listen.substring(colon + 1));
        return new InetSocketAddress(host, port);
    }
}
