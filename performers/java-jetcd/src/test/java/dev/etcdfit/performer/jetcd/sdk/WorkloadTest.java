package dev.etcdfit.performer.jetcd.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import etcdfit.performer.v1.Performer.LatencyHistogram;
import etcdfit.performer.v1.Performer.OpWeight;
import etcdfit.performer.v1.Performer.WorkloadRequest;

/** The Workload's buckets against go-clientv3's (sharedBucketEdges, the reference), its histogram and checks. */
class WorkloadTest {
    static final long[][] SHARED_BUCKET_EDGES = {
        {0, 0}, {1, 1}, {127, 127}, {128, 128}, {129, 128}, {130, 129}, {255, 191}, {256, 192},
        {1000, 317}, {1023, 319}, {1024, 320}, {4095, 447}, {4096, 448}, {65535, 703}, {65536, 704},
        {1000000, 954}, {2147483647L, 1663}, {2147483648L, 1664}, {4294967295L, 1727}, {4294967296L, 1728},
        {1099511627776L, 2047},
    };

    @Test
    void bucketEdgesMatchGo() {
        for (long[] e : SHARED_BUCKET_EDGES) {
            assertEquals(e[1], Workload.bucketOf(e[0]), "bucketOf(" + e[0] + ")");
        }
    }

    @Test
    void histMergeAndProto() {
        Workload.Hist a = new Workload.Hist();
        Workload.Hist b = new Workload.Hist();
        a.record(5);
        a.record(300);
        b.record(5);
        a.merge(b);
        LatencyHistogram p = a.proto();
        assertEquals(List.of(5, 203), p.getBucketList());
        assertEquals(List.of(2L, 1L), p.getCountList());
        assertEquals(3, p.getTotal());
        assertEquals(310, p.getSumUs());
        assertEquals(300, p.getMaxUs());
        assertEquals(5, p.getMinUs());
    }

    @Test
    void parseRefusesEndlessAndUnknown() throws Exception {
        WorkloadRequest base = WorkloadRequest.newBuilder().addEndpoints("x").setKeyPrefix(ByteString.copyFromUtf8("p/")).build();
        assertThrows(Workload.Invalid.class, () -> Workload.parse(base));
        assertThrows(Workload.Invalid.class, () -> Workload.parse(base.toBuilder().setTotalOps(1)
            .addMix(OpWeight.newBuilder().setOpValue(99).setWeight(1)).build()));
        Workload.Spec s = Workload.parse(base.toBuilder().setTotalOps(1).setKeySize(8).build());
        assertArrayEquals("p/000042".getBytes(StandardCharsets.US_ASCII), s.key(42));
    }
}
