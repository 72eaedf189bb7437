"""Catalog ids this performer claims for an etcd3 version, and the ones it does not."""

from importlib import metadata

from etcdfit_kit.convert import vtuple

SDK_PACKAGE = "etcd3"


def sdk_version():
    return metadata.version(SDK_PACKAGE)


# Catalog ids this performer carries out through the etcd3 API, with the first SDK
# version that offers it. 0.10.0, 0.11.1 and 0.12.0 are built and run by the suite.
# 0.10 has no *_response methods: ranges go through get()/get_prefix()/get_range(),
# which return (value, metadata) tuples (header only via metadata, no count/more).
_IMPLEMENTED = {
    "kv.put": (0, 10, 0),            # put()
    "kv.put.prev_kv": (0, 10, 0),    # put(prev_kv=True)
    "kv.put.lease": (0, 10, 0),      # put(lease=id)
    "kv.range": (0, 10, 0),          # get_response()
    "kv.range.prefix": (0, 10, 0),   # get_prefix_response()
    "kv.range.range_end": (0, 10, 0),  # get_range_response()
    "kv.range.sort": (0, 10, 0),     # sort_order= / sort_target=
    "kv.range.keys_only": (0, 10, 0),  # keys_only= (prefix / range only)
    "kv.range.serializable": (0, 10, 0),
    "kv.delete": (0, 10, 0),         # delete(return_response=True)
    "kv.delete.prev_kv": (0, 10, 0),  # delete(prev_kv=True) (single key only)
    "txn": (0, 10, 0),               # transaction()
    "txn.compare.value": (0, 10, 0),
    "txn.compare.version": (0, 10, 0),
    "txn.compare.create": (0, 10, 0),
    "txn.compare.mod": (0, 10, 0),
    "txn.compare.range": (0, 10, 0),  # BaseCompare(key, range_end)
    "txn.nested": (0, 10, 0),        # transactions.Txn
    "compact": (0, 10, 0),
    "compact.physical": (0, 10, 0),
    "status": (0, 10, 0),
    "lease.grant": (0, 10, 0),       # lease(ttl)
    "lease.grant.id": (0, 10, 0),    # lease(ttl, lease_id)
    "lease.revoke": (0, 10, 0),      # revoke_lease()
    "lease.ttl": (0, 10, 0),         # get_lease_info()
    "lease.ttl.keys": (0, 10, 0),    # get_lease_info() always asks keys=True
    "lease.keepalive_once": (0, 10, 0),  # refresh_lease()
    "watch": (0, 10, 0),             # add_watch_callback()
    "watch.prefix": (0, 11, 0),      # add_watch_prefix_callback() (new in 0.11)
    "watch.range_end": (0, 10, 0),   # add_watch_callback(range_end=)
    "watch.start_revision": (0, 10, 0),
    "watch.prev_kv": (0, 10, 0),
    "watch.cancel": (0, 10, 0),      # cancel_watch()
    "watch.compacted": (0, 10, 0),   # RevisionCompactedError(compacted_revision)
    "watch.progress_notify": (0, 11, 0),  # 0.10 calls back per event, never for a progress notify
    # 0.11+ call back once per watch response (etcd3.watch.WatchResponse with its events);
    # 0.10 calls back once per event, so the responses are hidden.
    "watch.response_boundaries": (0, 11, 0),
    # etcd3.client(grpc_options=[("grpc.keepalive_time_ms", ..), ("grpc.keepalive_timeout_ms", ..)]):
    # the client's documented pass-through of gRPC channel options (every version).
    "connect.keepalive": (0, 10, 0),
    # Etcd3Exception subclasses (ConnectionFailedError, ConnectionTimeoutError,
    # PreconditionFailedError, InternalServerError, ...) vs grpc.RpcError let through.
    "errors.typed": (0, 10, 0),
    # ExecuteSession: many programs on one stream (etcdfit_kit.protocol).
    "execute.session": (0, 10, 0),
    # ExecuteStream with Signal/Wait (etcdfit_kit.streams); clients run in parallel.
    "stream.latches": (0, 10, 0),
    # client.lock(name, ttl) -> etcd3.locks.Lock: one key ('/locks/' + name), create_revision == 0 txn.
    "lock.single_key": (0, 10, 0),
    # Workload: etcdfit_kit.workload with sdk/workload.py (clients and workers in-process).
    "perf.workload": (0, 10, 0),
    # etcd3.client(ca_cert=, cert_cert=, cert_key=): file paths, written by sdk/tls.py.
    "connect.tls": (0, 10, 0),
    "connect.tls.client_cert": (0, 10, 0),
    # etcd3.client(user=, password=): Authenticate once in the constructor, the token sent
    # as metadata on every call (client.py Etcd3Client.__init__); never renewed.
    "auth.basic": (0, 10, 0),
}

# Catalog ids NOT claimed, with the SDK reason (etcd3 0.12.0). These are findings.
NO_STM = "no software transactional memory in the SDK: etcd3 0.12.0 has transactions (client.transaction) only"

UNCLAIMED = {
    "kv.put.ignore_value": "put() has no ignore_value parameter",
    "kv.put.ignore_lease": "put() has no ignore_lease parameter",
    "kv.range.from_key": "no from-key helper (get_all_response only ranges from b'\\0')",
    "kv.range.limit": "get_*_response accept limit= but _build_get_range_request silently drops it",
    "kv.range.revision": "get_*_response accept revision= but _build_get_range_request silently drops it",
    "kv.range.count_only": "get_*_response accept count_only= but _build_get_range_request silently drops it",
    "kv.range.mod_revision_filter": "min/max_mod_revision= accepted but silently dropped by _build_get_range_request",
    "kv.range.create_revision_filter":
        "min/max_create_revision= accepted but silently dropped by _build_get_range_request",
    "kv.delete.range": "only delete_prefix() (without prev_kv); no interval or from-key delete",
    "txn.compare.lease": "etcd3.transactions has Value/Version/Create/Mod compares only, no Lease",
    "lease.leases": "no API to list leases",
    "watch.filters": "add_watch_callback(filters=...) raises AttributeError (assigns a repeated protobuf field)",
    "lease.keepalive": "no background keep-alive: refresh_lease() / Lease.refresh() send one request on a "
                       "new LeaseKeepAlive stream and return its one response",
    "watch.resume": "Watcher._run hands a stream's grpc.RpcError to every callback and drops them; the "
                    "next stream carries only watches added after it (no re-creation, no resume)",
    "connect.block": "etcd3.client() has no option to wait for a connection: the gRPC channel is lazy",
    "connect.auto_sync": "etcd3.client() takes one host:port and never syncs the member list",
    "lock": "etcd3.locks.Lock keeps one key ('/locks/' + name) written by a create_revision == 0 txn, not etcd's "
            "<name>/<lease id> layout (concurrency.Mutex, the v3lock service): it does not exclude their "
            "holders (claimed as lock.single_key)",
    "lock.try": "no try-lock on etcd's lock layout (see lock)",
    "election": "no election recipe in the SDK",
    "auth.authenticate": "no Authenticate call in the client's API: only the constructor's user/password "
                         "(the raw auth_stub is not the SDK's API)",
    "auth.manage": "no user, role or auth enable/disable calls in etcd3's client",
    **dict.fromkeys(("stm", "stm.isolation.serializable_snapshot", "stm.isolation.serializable",
                     "stm.isolation.repeatable_reads", "stm.isolation.read_committed"), NO_STM),
}


def capabilities_for(version):
    """The catalog ids claimed for a given etcd3 version (sorted)."""
    v = vtuple(version)
    return sorted(cap for cap, since in _IMPLEMENTED.items() if v >= since)
