package dev.etcdfit.performer.jetcd.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;

import etcdfit.performer.v1.Performer.Compare;
import etcdfit.performer.v1.Performer.CompareTarget;
import etcdfit.performer.v1.Performer.DeleteRangeCommand;
import etcdfit.performer.v1.Performer.HarnessError;
import etcdfit.performer.v1.Performer.PutCommand;
import etcdfit.performer.v1.Performer.RangeCommand;
import etcdfit.performer.v1.Performer.RangeKind;
import etcdfit.performer.v1.Performer.SortOrder;
import etcdfit.performer.v1.Performer.SortTarget;
import etcdfit.performer.v1.Performer.WatchFilter;
import etcdfit.performer.v1.Performer.WatchStartCommand;

class OptionsTest {
    private static final ByteString K = ByteString.copyFromUtf8("k");

    @Test
    void keySelectionUsesTheSdkHelpers() throws HarnessException {
        GetOption prefix = Options.getOption(RangeCommand.newBuilder().setKey(K).setKind(RangeKind.RANGE_KIND_PREFIX).build());
        assertTrue(prefix.isPrefix());
        assertFalse(prefix.getEndKey().isPresent());

        GetOption from = Options.getOption(RangeCommand.newBuilder().setKey(K).setKind(RangeKind.RANGE_KIND_FROM_KEY).build());
        assertArrayEquals(new byte[] {0}, from.getEndKey().orElseThrow().getBytes());

        GetOption range = Options.getOption(RangeCommand.newBuilder().setKey(K).setKind(RangeKind.RANGE_KIND_RANGE)
            .setRangeEnd(ByteString.copyFromUtf8("m")).build());
        assertEquals("m", range.getEndKey().orElseThrow().toString());

        DeleteOption del = Options.deleteOption(DeleteRangeCommand.newBuilder().setKey(K).setKind(RangeKind.RANGE_KIND_PREFIX)
            .setPrevKv(true).build());
        assertTrue(del.isPrefix());
        assertTrue(del.isPrevKV());

        WatchOption w = Options.watchOption(WatchStartCommand.newBuilder().setHandle("w").setKey(K)
            .setKind(RangeKind.RANGE_KIND_PREFIX).setStartRevision(7).setPrevKv(true)
            .addFilters(WatchFilter.WATCH_FILTER_NOPUT).build());
        assertTrue(w.isPrefix());
        assertEquals(7, w.getRevision());
        assertTrue(w.isPrevKV());
        assertTrue(w.isNoPut());
        assertFalse(w.isNoDelete());
        assertTrue(w.isCreatedNotify(), "WatchStart waits for the created response");
    }

    @Test
    void rangeOptions() throws HarnessException {
        GetOption o = Options.getOption(RangeCommand.newBuilder().setKey(K).setLimit(2).setRevision(9)
            .setSortOrder(SortOrder.SORT_ORDER_DESCEND).setSortTarget(SortTarget.SORT_TARGET_MOD)
            .setSerializable(true).setKeysOnly(true).setCountOnly(true)
            .setMinModRevision(1).setMaxModRevision(2).setMinCreateRevision(3).setMaxCreateRevision(4).build());
        assertEquals(2, o.getLimit());
        assertEquals(9, o.getRevision());
        assertEquals(GetOption.SortOrder.DESCEND, o.getSortOrder());
        assertEquals(GetOption.SortTarget.MOD, o.getSortField());
        assertTrue(o.isSerializable() && o.isKeysOnly() && o.isCountOnly());
        assertEquals(1, o.getMinModRevision());
        assertEquals(2, o.getMaxModRevision());
        assertEquals(3, o.getMinCreateRevision());
        assertEquals(4, o.getMaxCreateRevision());
    }

    @Test
    void whatJetcdCannotExpressIsUnimplemented() {
        assertKind(HarnessError.Kind.UNIMPLEMENTED,
            assertThrows(HarnessException.class, () -> Options.putOption(PutCommand.newBuilder().setKey(K).setIgnoreValue(true).build())));
        assertKind(HarnessError.Kind.UNIMPLEMENTED,
            assertThrows(HarnessException.class, () -> Options.putOption(PutCommand.newBuilder().setKey(K).setIgnoreLease(true).build())));
        assertKind(HarnessError.Kind.UNIMPLEMENTED, assertThrows(HarnessException.class,
            () -> Options.compare(Compare.newBuilder().setKey(K).setTarget(CompareTarget.COMPARE_TARGET_LEASE).build())));
        assertKind(HarnessError.Kind.UNIMPLEMENTED, assertThrows(HarnessException.class,
            () -> Options.compare(Compare.newBuilder().setKey(K).setKind(RangeKind.RANGE_KIND_PREFIX).build())));
        assertKind(HarnessError.Kind.BAD_REQUEST, assertThrows(HarnessException.class,
            () -> Options.compare(Compare.newBuilder().setKey(K).setKind(RangeKind.RANGE_KIND_FROM_KEY).build())));
        assertKind(HarnessError.Kind.BAD_REQUEST, assertThrows(HarnessException.class,
            () -> Options.getOption(RangeCommand.newBuilder().setKey(K).setKindValue(42).build())));
    }

    @Test
    void negativeLeaseIsRejectedByTheSdkBuilder() {
        assertThrows(IllegalArgumentException.class, () -> Options.putOption(PutCommand.newBuilder().setKey(K).setLease(-1).build()));
    }

    private static void assertKind(HarnessError.Kind kind, HarnessException e) {
        assertEquals(kind, e.kind(), e.getMessage());
    }
}
