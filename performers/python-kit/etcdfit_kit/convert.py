"""Canonical result messages from raw etcdserverpb messages, and small conversions.

Both Python SDKs hand back some raw etcdserverpb/mvccpb messages (nested txn responses,
lease responses); their field names are etcd's, whatever protobuf runtime loaded them.
"""

from .errors import Unimplemented
from .stubs import pb

SORT_ORDER = {pb.SORT_ORDER_NONE: None, pb.SORT_ORDER_ASCEND: "ascend",
              pb.SORT_ORDER_DESCEND: "descend"}
SORT_TARGET = {pb.SORT_TARGET_KEY: "key", pb.SORT_TARGET_VERSION: "version",
               pb.SORT_TARGET_CREATE: "create", pb.SORT_TARGET_MOD: "mod",
               pb.SORT_TARGET_VALUE: "value"}


def header(h=None):
    """A ResponseHeader from any object with etcd's header fields; None: not exposed."""
    if h is None:
        return pb.ResponseHeader(present=False)
    return pb.ResponseHeader(revision=h.revision, cluster_id=h.cluster_id,
                             member_id=h.member_id, raft_term=h.raft_term, present=True)


def raw_header(msg):
    """The header of a raw etcd response message (absent: not present)."""
    if msg.HasField("header"):
        return header(msg.header)
    return header(None)


def kv(kv):
    """A raw mvccpb.KeyValue (or an SDK object with its fields) -> KeyValue."""
    return pb.KeyValue(key=kv.key, create_revision=kv.create_revision,
                       mod_revision=kv.mod_revision, version=kv.version,
                       value=kv.value, lease=kv.lease)


def range_result_raw(resp):
    return pb.RangeResult(header=raw_header(resp), kvs=[kv(x) for x in resp.kvs],
                          more=resp.more, count=resp.count)


def delete_result_raw(resp):
    return pb.DeleteRangeResult(header=raw_header(resp), deleted=resp.deleted,
                                prev_kvs=[kv(x) for x in resp.prev_kvs])


def put_result_raw(resp):
    res = pb.PutResult(header=raw_header(resp))
    if resp.HasField("prev_kv"):
        res.prev_kv.CopyFrom(kv(resp.prev_kv))
    return res


def txn_result_raw(resp):
    """A raw etcdserverpb.TxnResponse (nested txn responses come back raw)."""
    out = pb.TxnResult(header=raw_header(resp), succeeded=resp.succeeded)
    for op in resp.responses:
        out.responses.append(response_op_raw(op))
    return out


def response_op_raw(op):
    which = op.WhichOneof("response")
    if which == "response_put":
        return pb.ResponseOp(put=put_result_raw(op.response_put))
    if which == "response_range":
        return pb.ResponseOp(range=range_result_raw(op.response_range))
    if which == "response_delete_range":
        return pb.ResponseOp(delete_range=delete_result_raw(op.response_delete_range))
    if which == "response_txn":
        return pb.ResponseOp(txn=txn_result_raw(op.response_txn))
    raise RuntimeError("unknown ResponseOp kind %r" % which)


def vtuple(version):
    """'0.12.0' -> (0, 12, 0); each part's leading digits ('0rc3' -> 0)."""
    out = []
    for part in version.split("."):
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        out.append(int(digits) if digits else 0)
    return tuple([*out, 0, 0, 0][:3])


def parse_endpoint(endpoint, no_tls_reason):
    """'http://host:port' (or 'host:port') -> (host, port).

    Another scheme is Unimplemented with no_tls_reason (why the SDK cannot use it here).
    """
    ep = endpoint.strip()
    if "://" in ep:
        scheme, ep = ep.split("://", 1)
        if scheme != "http":
            raise Unimplemented("scheme %r: %s" % (scheme, no_tls_reason))
    ep = ep.rstrip("/")
    if ep.startswith("["):
        host, _, rest = ep[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = ep.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("cannot parse endpoint %r (want http://host:port)" % endpoint)
    return host, int(port)
