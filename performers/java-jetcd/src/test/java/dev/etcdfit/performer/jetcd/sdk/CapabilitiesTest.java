package dev.etcdfit.performer.jetcd.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {
    private static final Pattern ID = Pattern.compile("^  ([a-z][a-z0-9_]*(?:\\.[a-z0-9_]+)*):");

    /** The ids of capabilities/catalog.yaml (surefire passes its path). */
    static Set<String> catalog() throws IOException {
        Path p = Path.of(System.getProperty("etcdfit.catalog", "../../capabilities/catalog.yaml"));
        Set<String> ids = new TreeSet<>();
        for (String line : Files.readAllLines(p)) {
            Matcher m = ID.matcher(line);
            if (m.find()) {
                ids.add(m.group(1));
            }
        }
        assertFalse(ids.isEmpty(), "no capability ids read from " + p);
        return ids;
    }

    @Test
    void everyCatalogIdIsClaimedOrExplained() throws IOException {
        Set<String> cat = catalog();
        Set<String> decided = new HashSet<>(Capabilities.SINCE.keySet());
        decided.addAll(Capabilities.NOT_CLAIMED.keySet());
        Set<String> undecided = new TreeSet<>(cat);
        undecided.removeAll(decided);
        assertTrue(undecided.isEmpty(), "catalog ids neither claimed nor in NOT_CLAIMED: " + undecided);
        Set<String> unknown = new TreeSet<>(decided);
        unknown.removeAll(cat);
        assertTrue(unknown.isEmpty(), "ids not in the catalog: " + unknown);
        for (String id : Capabilities.NOT_CLAIMED.keySet()) {
            assertFalse(Capabilities.SINCE.containsKey(id), id + " is both claimed and not claimed");
        }
    }

    @Test
    void versionsBuiltHaveTheSameClaims() {
        List<String> v07 = Capabilities.forVersion("0.7.7");
        List<String> v08 = Capabilities.forVersion("0.8.7");
        assertEquals(v08, v07);
        assertEquals(Capabilities.SINCE.size(), v08.size());
        List<String> sorted = new ArrayList<>(v08);
        sorted.sort(null);
        assertEquals(sorted, v08, "sorted");
    }

    @Test
    void olderAndUnparsableVersions() {
        assertTrue(Capabilities.forVersion("0.6.1").isEmpty(), "nothing is claimed before 0.7.0");
        assertEquals(Capabilities.SINCE.size(), Capabilities.forVersion("unknown").size(), "unparsable = newest");
        assertEquals(Capabilities.SINCE.size(), Capabilities.forVersion("0.9.0-SNAPSHOT").size());
    }

    @Test
    void sdkVersionFromJarName() {
        assertEquals("0.8.7", SdkInfo.versionFromLocation("/x/.cache/performers/java-jetcd/0.8.7/lib/jetcd-core-0.8.7.jar"));
        assertEquals("0.7.7", SdkInfo.versionFromLocation("/m2/io/etcd/jetcd-core/0.7.7/jetcd-core-0.7.7.jar"));
        assertEquals(null, SdkInfo.versionFromLocation("/x/classes/"));
    }
}
