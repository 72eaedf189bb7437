package etcdsdk

import (
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

func header(h *pb.ResponseHeader) *ppb.ResponseHeader {
	if h == nil {
		return &ppb.ResponseHeader{Present: false}
	}
	return &ppb.ResponseHeader{
		Revision:  h.Revision,
		ClusterId: h.ClusterId,
		MemberId:  h.MemberId,
		RaftTerm:  h.RaftTerm,
		Present:   true,
	}
}

func keyValue(kv *mvccpb.KeyValue) *ppb.KeyValue {
	if kv == nil {
		return nil
	}
	return &ppb.KeyValue{
		Key:            kv.Key,
		CreateRevision: kv.CreateRevision,
		ModRevision:    kv.ModRevision,
		Version:        kv.Version,
		Value:          kv.Value,
		Lease:          kv.Lease,
	}
}

func keyValues(kvs []*mvccpb.KeyValue) []*ppb.KeyValue {
	out := make([]*ppb.KeyValue, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, keyValue(kv))
	}
	return out
}

func putResult(r *pb.PutResponse) *ppb.PutResult {
	return &ppb.PutResult{Header: header(r.Header), PrevKv: keyValue(r.PrevKv)}
}

func rangeResult(r *pb.RangeResponse) *ppb.RangeResult {
	return &ppb.RangeResult{Header: header(r.Header), Kvs: keyValues(r.Kvs), More: r.More, Count: r.Count}
}

func deleteResult(r *pb.DeleteRangeResponse) *ppb.DeleteRangeResult {
	return &ppb.DeleteRangeResult{Header: header(r.Header), Deleted: r.Deleted, PrevKvs: keyValues(r.PrevKvs)}
}

func txnResult(r *pb.TxnResponse) *ppb.TxnResult {
	out := &ppb.TxnResult{Header: header(r.Header), Succeeded: r.Succeeded}
	for _, op := range r.Responses {
		out.Responses = append(out.Responses, responseOp(op))
	}
	return out
}

func responseOp(op *pb.ResponseOp) *ppb.ResponseOp {
	switch {
	case op.GetResponsePut() != nil:
		return &ppb.ResponseOp{Response: &ppb.ResponseOp_Put{Put: putResult(op.GetResponsePut())}}
	case op.GetResponseRange() != nil:
		return &ppb.ResponseOp{Response: &ppb.ResponseOp_Range{Range: rangeResult(op.GetResponseRange())}}
	case op.GetResponseDeleteRange() != nil:
		return &ppb.ResponseOp{Response: &ppb.ResponseOp_DeleteRange{DeleteRange: deleteResult(op.GetResponseDeleteRange())}}
	case op.GetResponseTxn() != nil:
		return &ppb.ResponseOp{Response: &ppb.ResponseOp_Txn{Txn: txnResult(op.GetResponseTxn())}}
	}
	return &ppb.ResponseOp{} // the server sent an empty ResponseOp; keep the slot
}
