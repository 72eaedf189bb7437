package dev.etcdfit.performer.jetcd.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.security.CodeSource;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.etcd.jetcd.Client;

/**
 * Which SDK is linked. jetcd's jars carry no version in their manifest and no Maven
 * pom.properties (they are built with Gradle), so the version is read from the name of
 * the jar that {@link Client} was actually loaded from (lib/jetcd-core-VERSION.jar, as
 * Maven copied it). The version Maven built with is a fallback and a cross-check.
 */
public final class SdkInfo {
    public static final String SDK_PACKAGE = "io.etcd:jetcd-core";

    private static final Pattern JAR = Pattern.compile("jetcd-core-([0-9][^/]*?)\\.jar$");
    private static final Properties BUILD = loadBuildProperties();
    private static final String VERSION = detectVersion();

    private SdkInfo() {
    }

    /** The jetcd-core version on the class path, e.g. "0.8.7". */
    public static String sdkVersion() {
        return VERSION;
    }

    /** The jetcd version Maven built the performer with (-Djetcd.version). */
    public static String buildVersion() {
        return BUILD.getProperty("build.jetcd.version", "unknown");
    }

    public static String performerVersion() {
        return BUILD.getProperty("performer.version", "0.1.0");
    }

    /** What else the build pinned (grpc-java, protobuf, netty), for the start-up log line. */
    public static String buildPins() {
        return "grpc-java " + BUILD.getProperty("build.grpc.version", "?")
            + ", protobuf-java " + BUILD.getProperty("build.protobuf.version", "?")
            + ", netty " + BUILD.getProperty("build.netty.version", "?");
    }

    static String versionFromLocation(String location) {
        if (location == null) {
            return null;
        }
        Matcher m = JAR.matcher(location);
        return m.find() ? m.group(1) : null;
    }

    private static String detectVersion() {
        try {
            CodeSource src = Client.class.getProtectionDomain().getCodeSource();
            URL loc = src == null ? null : src.getLocation();
            String v = versionFromLocation(loc == null ? null : loc.getPath());
            if (v != null) {
                return v;
            }
        } catch (SecurityException e) {
            // fall through
        }
        String impl = Client.class.getPackage() == null ? null : Client.class.getPackage().getImplementationVersion();
        if (impl != null && !impl.isEmpty()) {
            return impl;
        }
        return buildVersion();
    }

    private static Properties loadBuildProperties() {
        Properties p = new Properties();
        try (InputStream in = SdkInfo.class.getResourceAsStream("/performer.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // defaults apply
        }
        return p;
    }
}
