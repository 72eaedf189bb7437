package dev.etcdfit.performer.jetcd.sdk;

import java.util.Iterator;
import java.util.List;

import com.google.protobuf.ByteString;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Response;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;

import etcdfit.performer.v1.Performer.DeleteRangeResult;
import etcdfit.performer.v1.Performer.KeyValue;
import etcdfit.performer.v1.Performer.PutResult;
import etcdfit.performer.v1.Performer.RangeResult;
import etcdfit.performer.v1.Performer.RequestOp;
import etcdfit.performer.v1.Performer.ResponseHeader;
import etcdfit.performer.v1.Performer.ResponseOp;
import etcdfit.performer.v1.Performer.TxnCommand;
import etcdfit.performer.v1.Performer.TxnResult;

/** jetcd responses to protocol results. */
public final class Convert {
    private Convert() {
    }

    /** jetcd exposes a header on every response (AbstractResponse.getHeader). */
    public static ResponseHeader header(Response.Header h) {
        if (h == null) {
            return ResponseHeader.newBuilder().setPresent(false).build();
        }
        return ResponseHeader.newBuilder()
            .setRevision(h.getRevision())
            .setClusterId(h.getClusterId())
            .setMemberId(h.getMemberId())
            .setRaftTerm(h.getRaftTerm())
            .setPresent(true)
            .build();
    }

    public static ByteString bytes(ByteSequence b) {
        return b == null ? ByteString.EMPTY : ByteString.copyFrom(b.getBytes());
    }

    public static KeyValue keyValue(io.etcd.jetcd.KeyValue kv) {
        return KeyValue.newBuilder()
            .setKey(bytes(kv.getKey()))
            .setCreateRevision(kv.getCreateRevision())
            .setModRevision(kv.getModRevision())
            .setVersion(kv.getVersion())
            .setValue(bytes(kv.getValue()))
            .setLease(kv.getLease())
            .build();
    }

    /**
     * jetcd never returns null for an event's previous key-value (WatchEvent.getPrevKV wraps
     * the proto's default instance when the server sent none), so "absent" is recognised by
     * what no stored key-value can have: mod_revision 0.
     */
    public static boolean isAbsent(io.etcd.jetcd.KeyValue kv) {
        return kv == null || (kv.getModRevision() == 0 && kv.getCreateRevision() == 0 && kv.getKey().isEmpty());
    }

    public static PutResult putResult(PutResponse r) {
        PutResult.Builder b = PutResult.newBuilder().setHeader(header(r.getHeader()));
        if (r.hasPrevKv()) {
            b.setPrevKv(keyValue(r.getPrevKv()));
        }
        return b.build();
    }

    public static RangeResult rangeResult(GetResponse r) {
        RangeResult.Builder b = RangeResult.newBuilder()
            .setHeader(header(r.getHeader()))
            .setMore(r.isMore())
            .setCount(r.getCount());
        for (io.etcd.jetcd.KeyValue kv : r.getKvs()) {
            b.addKvs(keyValue(kv));
        }
        return b.build();
    }

    public static DeleteRangeResult deleteResult(DeleteResponse r) {
        DeleteRangeResult.Builder b = DeleteRangeResult.newBuilder()
            .setHeader(header(r.getHeader()))
            .setDeleted(r.getDeleted());
        for (io.etcd.jetcd.KeyValue kv : r.getPrevKvs()) {
            b.addPrevKvs(keyValue(kv));
        }
        return b.build();
    }

    /**
     * jetcd's TxnResponse gives the per-op responses as four lists, one per op type
     * (getPutResponses / getGetResponses / getDeleteResponses / getTxnResponses), each in
     * server order, but not their interleaving. etcd answers the ops of the branch it took
     * one for one and in order, so the protocol's ordered list is rebuilt by walking the
     * ops of that branch (as sent) and taking the next response of the op's type. Nested
     * txns recurse with their own command. A list that runs short leaves an empty slot.
     */
    public static TxnResult txnResult(TxnResponse r, TxnCommand cmd) {
        TxnResult.Builder b = TxnResult.newBuilder()
            .setHeader(header(r.getHeader()))
            .setSucceeded(r.isSucceeded());
        List<RequestOp> branch = r.isSucceeded() ? cmd.getSuccessList() : cmd.getFailureList();
        Iterator<PutResponse> puts = r.getPutResponses().iterator();
        Iterator<GetResponse> gets = r.getGetResponses().iterator();
        Iterator<DeleteResponse> deletes = r.getDeleteResponses().iterator();
        Iterator<TxnResponse> txns = r.getTxnResponses().iterator();
        for (RequestOp op : branch) {
            ResponseOp.Builder ro = ResponseOp.newBuilder();
            switch (op.getRequestCase()) {
                case PUT:
                    if (puts.hasNext()) {
                        ro.setPut(putResult(puts.next()));
                    }
                    break;
                case RANGE:
                    if (gets.hasNext()) {
                        ro.setRange(rangeResult(gets.next()));
                    }
                    break;
                case DELETE_RANGE:
                    if (deletes.hasNext()) {
                        ro.setDeleteRange(deleteResult(deletes.next()));
                    }
                    break;
                case TXN:
                    if (txns.hasNext()) {
                        ro.setTxn(txnResult(txns.next(), op.getTxn()));
                    }
                    break;
                default:
                    break;
            }
            b.addResponses(ro);
        }
        return b.build();
    }
}
