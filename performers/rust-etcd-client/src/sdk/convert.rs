//! etcd-client responses -> protocol results.

use crate::pb;
use etcd_client::{DeleteResponse, GetResponse, KeyValue, PutResponse, ResponseHeader, TxnOpResponse, TxnResponse};

/// The response header as the SDK exposes it; present=false when it gave none.
pub fn header(h: Option<&ResponseHeader>) -> Option<pb::ResponseHeader> {
    Some(match h {
        Some(h) => pb::ResponseHeader {
            revision: h.revision(),
            cluster_id: h.cluster_id(),
            member_id: h.member_id(),
            raft_term: h.raft_term(),
            present: true,
        },
        None => pb::ResponseHeader { present: false, ..Default::default() },
    })
}

pub fn key_value(kv: &KeyValue) -> pb::KeyValue {
    pb::KeyValue {
        key: kv.key().to_vec(),
        create_revision: kv.create_revision(),
        mod_revision: kv.mod_revision(),
        version: kv.version(),
        value: kv.value().to_vec(),
        lease: kv.lease(),
    }
}

pub fn put_result(r: &PutResponse) -> pb::PutResult {
    pb::PutResult { header: header(r.header()), prev_kv: r.prev_key().map(key_value) }
}

pub fn range_result(r: &GetResponse) -> pb::RangeResult {
    pb::RangeResult {
        header: header(r.header()),
        kvs: r.kvs().iter().map(key_value).collect(),
        more: r.more(),
        count: r.count(),
    }
}

pub fn delete_result(r: &DeleteResponse) -> pb::DeleteRangeResult {
    pb::DeleteRangeResult {
        header: header(r.header()),
        deleted: r.deleted(),
        prev_kvs: r.prev_kvs().iter().map(key_value).collect(),
    }
}

pub fn txn_result(r: &TxnResponse) -> pb::TxnResult {
    use pb::response_op::Response;
    let responses = r
        .op_responses()
        .iter()
        .map(|op| pb::ResponseOp {
            response: Some(match op {
                TxnOpResponse::Put(p) => Response::Put(put_result(p)),
                TxnOpResponse::Get(g) => Response::Range(range_result(g)),
                TxnOpResponse::Delete(d) => Response::DeleteRange(delete_result(d)),
                TxnOpResponse::Txn(t) => Response::Txn(txn_result(t)),
            }),
        })
        .collect();
    pb::TxnResult { header: header(r.header()), succeeded: r.succeeded(), responses }
}
