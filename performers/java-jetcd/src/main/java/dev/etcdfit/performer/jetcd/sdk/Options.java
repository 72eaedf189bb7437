package dev.etcdfit.performer.jetcd.sdk;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;

import etcdfit.performer.v1.Performer.Compare;
import etcdfit.performer.v1.Performer.DeleteRangeCommand;
import etcdfit.performer.v1.Performer.PutCommand;
import etcdfit.performer.v1.Performer.RangeCommand;
import etcdfit.performer.v1.Performer.RangeKind;
import etcdfit.performer.v1.Performer.RequestOp;
import etcdfit.performer.v1.Performer.TxnCommand;
import etcdfit.performer.v1.Performer.WatchFilter;
import etcdfit.performer.v1.Performer.WatchStartCommand;

/**
 * Protocol commands to jetcd options, ops and compares, built only with jetcd's public
 * builders. Key selection uses the SDK's own helpers: {@code isPrefix(true)} (jetcd computes
 * the range end with OptionsUtil.prefixEndOf) and, for "from key", {@code withRange("\0")},
 * which jetcd documents on GetOption/DeleteOption/WatchOption.Builder.withRange as "the range
 * is all keys >= key" (jetcd has no separately named from-key helper).
 * A HarnessException means the request cannot be expressed (UNIMPLEMENTED) or is malformed
 * (BAD_REQUEST); an IllegalArgumentException thrown by a jetcd builder is the SDK rejecting it.
 */
public final class Options {
    private Options() {
    }

    /** etcd's "all keys >= key" range end, as documented on jetcd's withRange. */
    static final byte[] FROM_KEY_END = {0};

    public static ByteSequence bytes(ByteString b) {
        return ByteSequence.from(b.toByteArray());
    }

    // ------------------------------------------------------------------ KV

    public static PutOption putOption(PutCommand p) throws HarnessException {
        if (p.getIgnoreValue()) {
            throw HarnessException.unimplemented(
                "put ignore_value: jetcd's PutOption cannot express it (capability kv.put.ignore_value not claimed)");
        }
        if (p.getIgnoreLease()) {
            throw HarnessException.unimplemented(
                "put ignore_lease: jetcd's PutOption cannot express it (capability kv.put.ignore_lease not claimed)");
        }
        PutOption.Builder b = PutOption.builder();
        if (p.getLease() != 0) {
            b.withLeaseId(p.getLease());
        }
        if (p.getPrevKv()) {
            b.withPrevKV();
        }
        return b.build();
    }

    public static GetOption getOption(RangeCommand r) throws HarnessException {
        GetOption.Builder b = GetOption.builder();
        switch (kind(r.getKind())) {
            case RANGE_KIND_SINGLE:
                break;
            case RANGE_KIND_RANGE:
                b.withRange(bytes(r.getRangeEnd()));
                break;
            case RANGE_KIND_PREFIX:
                b.isPrefix(true);
                break;
            case RANGE_KIND_FROM_KEY:
                b.withRange(ByteSequence.from(FROM_KEY_END));
                break;
            default:
                throw HarnessException.badRequest("unknown range kind %d", r.getKindValue());
        }
        if (r.getLimit() != 0) {
            b.withLimit(r.getLimit());
        }
        if (r.getRevision() != 0) {
            b.withRevision(r.getRevision());
        }
        GetOption.SortTarget target = sortTarget(r);
        switch (r.getSortOrder()) {
            case SORT_ORDER_NONE:
                // a target without an order is sent too: etcd then sorts ascending by it
                if (r.getSortTarget() != etcdfit.performer.v1.Performer.SortTarget.SORT_TARGET_KEY) {
                    b.withSortField(target).withSortOrder(GetOption.SortOrder.NONE);
                }
                break;
            case SORT_ORDER_ASCEND:
                b.withSortField(target).withSortOrder(GetOption.SortOrder.ASCEND);
                break;
            case SORT_ORDER_DESCEND:
                b.withSortField(target).withSortOrder(GetOption.SortOrder.DESCEND);
                break;
            default:
                throw HarnessException.badRequest("unknown sort order %d", r.getSortOrderValue());
        }
        if (r.getSerializable()) {
            b.withSerializable(true);
        }
        if (r.getKeysOnly()) {
            b.withKeysOnly(true);
        }
        if (r.getCountOnly()) {
            b.withCountOnly(true);
        }
        if (r.getMinModRevision() != 0) {
            b.withMinModRevision(r.getMinModRevision());
        }
        if (r.getMaxModRevision() != 0) {
            b.withMaxModRevision(r.getMaxModRevision());
        }
        if (r.getMinCreateRevision() != 0) {
            b.withMinCreateRevision(r.getMinCreateRevision());
        }
        if (r.getMaxCreateRevision() != 0) {
            b.withMaxCreateRevision(r.getMaxCreateRevision());
        }
        return b.build();
    }

    private static GetOption.SortTarget sortTarget(RangeCommand r) throws HarnessException {
        switch (r.getSortTarget()) {
            case SORT_TARGET_KEY:
                return GetOption.SortTarget.KEY;
            case SORT_TARGET_VERSION:
                return GetOption.SortTarget.VERSION;
            case SORT_TARGET_CREATE:
                return GetOption.SortTarget.CREATE;
            case SORT_TARGET_MOD:
                return GetOption.SortTarget.MOD;
            case SORT_TARGET_VALUE:
                return GetOption.SortTarget.VALUE;
            default:
                throw HarnessException.badRequest("unknown sort target %d", r.getSortTargetValue());
        }
    }

    public static DeleteOption deleteOption(DeleteRangeCommand d) throws HarnessException {
        DeleteOption.Builder b = DeleteOption.builder();
        switch (kind(d.getKind())) {
            case RANGE_KIND_SINGLE:
                break;
            case RANGE_KIND_RANGE:
                b.withRange(bytes(d.getRangeEnd()));
                break;
            case RANGE_KIND_PREFIX:
                b.isPrefix(true);
                break;
            case RANGE_KIND_FROM_KEY:
                b.withRange(ByteSequence.from(FROM_KEY_END));
                break;
            default:
                throw HarnessException.badRequest("unknown range kind %d", d.getKindValue());
        }
        if (d.getPrevKv()) {
            b.withPrevKV(true);
        }
        return b.build();
    }

    private static RangeKind kind(RangeKind k) throws HarnessException {
        if (k == RangeKind.UNRECOGNIZED) {
            throw HarnessException.badRequest("unknown range kind");
        }
        return k;
    }

    // ------------------------------------------------------------------ txn

    public static Cmp compare(Compare c) throws HarnessException {
        Cmp.Op op;
        switch (c.getResult()) {
            case COMPARE_RESULT_EQUAL:
                op = Cmp.Op.EQUAL;
                break;
            case COMPARE_RESULT_GREATER:
                op = Cmp.Op.GREATER;
                break;
            case COMPARE_RESULT_LESS:
                op = Cmp.Op.LESS;
                break;
            case COMPARE_RESULT_NOT_EQUAL:
                op = Cmp.Op.NOT_EQUAL;
                break;
            default:
                throw HarnessException.badRequest("unknown compare result %d", c.getResultValue());
        }
        switch (c.getKind()) {
            case RANGE_KIND_SINGLE:
                break;
            case RANGE_KIND_RANGE:
            case RANGE_KIND_PREFIX:
                throw HarnessException.unimplemented(
                    "compare over a key range: jetcd's Cmp(key, op, target) covers one key only "
                        + "(capability txn.compare.range not claimed)");
            case RANGE_KIND_FROM_KEY:
                throw HarnessException.badRequest("compare kind FROM_KEY is not allowed (protocol: SINGLE, RANGE or PREFIX)");
            default:
                throw HarnessException.badRequest("unknown compare range kind %d", c.getKindValue());
        }
        CmpTarget<?> target;
        switch (c.getTarget()) {
            case COMPARE_TARGET_VERSION:
                target = CmpTarget.version(c.getVersion());
                break;
            case COMPARE_TARGET_CREATE:
                target = CmpTarget.createRevision(c.getCreateRevision());
                break;
            case COMPARE_TARGET_MOD:
                target = CmpTarget.modRevision(c.getModRevision());
                break;
            case COMPARE_TARGET_VALUE:
                target = CmpTarget.value(bytes(c.getValue()));
                break;
            case COMPARE_TARGET_LEASE:
                throw HarnessException.unimplemented(
                    "compare on a key's lease: jetcd's CmpTarget has no lease target (capability txn.compare.lease not claimed)");
            default:
                throw HarnessException.badRequest("unknown compare target %d", c.getTargetValue());
        }
        return new Cmp(bytes(c.getKey()), op, target);
    }

    public static Op requestOp(RequestOp r) throws HarnessException {
        switch (r.getRequestCase()) {
            case PUT:
                return Op.put(bytes(r.getPut().getKey()), bytes(r.getPut().getValue()), putOption(r.getPut()));
            case RANGE:
                return Op.get(bytes(r.getRange().getKey()), getOption(r.getRange()));
            case DELETE_RANGE:
                return Op.delete(bytes(r.getDeleteRange().getKey()), deleteOption(r.getDeleteRange()));
            case TXN:
                TxnParts p = txnParts(r.getTxn());
                return Op.txn(p.cmps, p.success, p.failure);
            case REQUEST_NOT_SET:
                throw HarnessException.badRequest("txn request op has no request set");
            default:
                throw HarnessException.unimplemented("txn request op %s is not implemented", r.getRequestCase());
        }
    }

    /** The compares and both branches of a txn, as jetcd objects. */
    public static final class TxnParts {
        public final Cmp[] cmps;
        public final Op[] success;
        public final Op[] failure;

        TxnParts(Cmp[] cmps, Op[] success, Op[] failure) {
            this.cmps = cmps;
            this.success = success;
            this.failure = failure;
        }
    }

    public static TxnParts txnParts(TxnCommand t) throws HarnessException {
        List<Cmp> cmps = new ArrayList<>();
        for (Compare c : t.getComparesList()) {
            cmps.add(compare(c));
        }
        List<Op> success = new ArrayList<>();
        for (RequestOp r : t.getSuccessList()) {
            success.add(requestOp(r));
        }
        List<Op> failure = new ArrayList<>();
        for (RequestOp r : t.getFailureList()) {
            failure.add(requestOp(r));
        }
        return new TxnParts(cmps.toArray(new Cmp[0]), success.toArray(new Op[0]), failure.toArray(new Op[0]));
    }

    // ------------------------------------------------------------------ watch

    public static WatchOption watchOption(WatchStartCommand w) throws HarnessException {
        WatchOption.Builder b = WatchOption.builder();
        switch (kind(w.getKind())) {
            case RANGE_KIND_SINGLE:
                break;
            case RANGE_KIND_RANGE:
                b.withRange(bytes(w.getRangeEnd()));
                break;
            case RANGE_KIND_PREFIX:
                b.isPrefix(true);
                break;
            case RANGE_KIND_FROM_KEY:
                b.withRange(ByteSequence.from(FROM_KEY_END));
                break;
            default:
                throw HarnessException.badRequest("unknown range kind %d", w.getKindValue());
        }
        if (w.getStartRevision() != 0) {
            b.withRevision(w.getStartRevision());
        }
        if (w.getPrevKv()) {
            b.withPrevKV(true);
        }
        if (w.getProgressNotify()) {
            b.withProgressNotify(true);
        }
        for (WatchFilter f : w.getFiltersList()) {
            switch (f) {
                case WATCH_FILTER_NOPUT:
                    b.withNoPut(true);
                    break;
                case WATCH_FILTER_NODELETE:
                    b.withNoDelete(true);
                    break;
                case WATCH_FILTER_UNSPECIFIED:
                    break;
                default:
                    throw HarnessException.badRequest("unknown watch filter %s", f);
            }
        }
        // Ask jetcd to pass the server's "created" response to the listener, so WatchStart
        // returns only once the server has registered the watch.
        b.withCreateNotify(true);
        return b.build();
    }
}
