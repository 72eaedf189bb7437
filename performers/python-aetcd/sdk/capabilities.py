"""Catalog ids this performer claims for an aetcd version, and the ones it does not."""

from importlib import metadata

from etcdfit_kit.convert import vtuple

SDK_PACKAGE = "aetcd"


def sdk_version():
    return metadata.version(SDK_PACKAGE)


def _is_prerelease(version):
    return any(tag in version for tag in ("a", "b", "rc", "dev"))


# Catalog ids this performer carries out through the aetcd API, with the first SDK
# version they were checked against. Only the 1.0.0 release has been verified.
_IMPLEMENTED = {
    "kv.put": (1, 0, 0),              # Client.put() -> rtypes.Put (with header)
    "kv.put.prev_kv": (1, 0, 0),      # put(prev_kv=True)
    "kv.put.lease": (1, 0, 0),        # put(lease=id)
    "kv.range": (1, 0, 0),            # Client.get() -> rtypes.Get or None
    "kv.range.prefix": (1, 0, 0),     # Client.get_prefix() (utils.prefix_range_end)
    "kv.range.range_end": (1, 0, 0),  # Client.get_range()
    "kv.range.sort": (1, 0, 0),       # sort_order= / sort_target= (prefix / range)
    "kv.range.keys_only": (1, 0, 0),  # get_prefix(keys_only=True) (prefix only)
    "kv.range.serializable": (1, 0, 0),  # get(serializable=True) (single key only)
    "kv.delete": (1, 0, 0),           # Client.delete() -> rtypes.Delete or None
    "kv.delete.range": (1, 0, 0),     # delete_prefix() / delete_range() (no from-key)
    "kv.delete.prev_kv": (1, 0, 0),   # prev_kv= on all three
    "txn": (1, 0, 0),                 # Client.transaction()
    "txn.compare.value": (1, 0, 0),   # transactions.Value
    "txn.compare.version": (1, 0, 0),  # transactions.Version
    "txn.compare.create": (1, 0, 0),  # transactions.Create
    "txn.compare.mod": (1, 0, 0),     # transactions.Mod
    "txn.compare.range": (1, 0, 0),   # BaseCompare(key, range_end)
    "txn.nested": (1, 0, 0),          # transactions.Txn
    "compact": (1, 0, 0),             # Client.compact()
    "compact.physical": (1, 0, 0),    # compact(physical=True)
    "status": (1, 0, 0),              # Client.status() -> Status
    "lease.grant": (1, 0, 0),         # Client.lease(ttl)
    "lease.grant.id": (1, 0, 0),      # Client.lease(ttl, lease_id)
    "lease.revoke": (1, 0, 0),        # Client.revoke_lease()
    "lease.ttl": (1, 0, 0),           # Client.get_lease_info(keys=False)
    "lease.ttl.keys": (1, 0, 0),      # Client.get_lease_info(keys=True)
    "lease.keepalive_once": (1, 0, 0),  # Client.refresh_lease()
    "watch": (1, 0, 0),               # Client.watch() -> rtypes.Watch (async iterator)
    "watch.prefix": (1, 0, 0),        # Client.watch_prefix()
    "watch.range_end": (1, 0, 0),     # watch(range_end=)
    "watch.start_revision": (1, 0, 0),
    "watch.prev_kv": (1, 0, 0),
    "watch.filters": (1, 0, 0),       # watch(kind=EventKind.PUT / DELETE): one filter at a time
    "watch.cancel": (1, 0, 0),        # rtypes.Watch.cancel()
    "watch.compacted": (1, 0, 0),     # iterator raises RevisionCompactedError(compacted_revision)
    # Client(options={"grpc.keepalive_time_ms": .., "grpc.keepalive_timeout_ms": ..}): the
    # client's documented pass-through of gRPC channel options.
    "connect.keepalive": (1, 0, 0),
    # aetcd.exceptions.ClientError subclasses (every gRPC error of a Client method is
    # turned into one) vs raw errors (asyncio's timeouts, grpc.aio errors) let through.
    "errors.typed": (1, 0, 0),
    # ExecuteSession: many programs on one stream (etcdfit_kit.protocol).
    "execute.session": (1, 0, 0),
    # ExecuteStream with Signal/Wait (etcdfit_kit.streams); clients run in parallel.
    "stream.latches": (1, 0, 0),
    # client.lock(name, ttl) -> aetcd.locks.Lock: one key (the name itself), create_revision == 0 txn.
    "lock.single_key": (1, 0, 0),
    # Workload: etcdfit_kit.workload with sdk/workload.py (clients and workers in-process).
    "perf.workload": (1, 0, 0),
    # aetcd.Client(username=, password=): connect() authenticates once and sends the token as
    # metadata on every call and watch (client.py Client.connect); it is never renewed.
    "auth.basic": (1, 0, 0),
}

# Catalog ids NOT claimed, with the SDK reason (aetcd 1.0.0). These are findings.
NO_STM = "no software transactional memory in the SDK: aetcd 1.0.0 has transactions (client.transaction) only"

UNCLAIMED = {
    "kv.put.ignore_value": "Client.put() has no ignore_value parameter (_build_put_request "
                           "has one but the TODO says it is never set)",
    "kv.put.ignore_lease": "Client.put() has no ignore_lease parameter",
    "kv.range.from_key": "no from-key helper (get_all() ranges from b'\\0' only)",
    "kv.range.limit": "no get*() method takes limit (_build_get_range_request: TODO)",
    "kv.range.revision": "no get*() method takes revision (_build_get_range_request: TODO)",
    "kv.range.count_only": "no get*() method takes count_only (_build_get_range_request: TODO)",
    "kv.range.mod_revision_filter": "no get*() method takes min/max_mod_revision",
    "kv.range.create_revision_filter": "no get*() method takes min/max_create_revision",
    "txn.compare.lease": "aetcd.transactions has Value/Version/Create/Mod compares only, no Lease",
    "lease.leases": "aetcd.Client has no API to list leases",
    "watch.progress_notify": "watch(progress_notify=True) is sent, but Watcher._handle_response "
                             "only forwards events, so progress notifications never reach the caller",
    "lease.keepalive": "no background keep-alive: refresh_lease() / Lease.refresh() send one request on a "
                       "new LeaseKeepAlive stream and return its first response",
    "watch.resume": "Watcher._terminate_stream hands the stream's error to every watch and drops them "
                    "(the iterator raises it); nothing re-creates a watch",
    "watch.response_boundaries": "rtypes.Watch yields single rtypes.Event objects; Watcher._handle_response "
                                 "drops the response they came in",
    "connect.block": "Client.connect() only creates the lazy gRPC channel; there is no option to wait for it",
    "connect.auto_sync": "aetcd.Client takes one host:port and never syncs the member list",
    "lock": "aetcd.locks.Lock keeps one key (the name itself) written by a create_revision == 0 txn, not etcd's "
            "<name>/<lease id> layout (concurrency.Mutex, the v3lock service): it does not exclude their "
            "holders (claimed as lock.single_key)",
    "lock.try": "no try-lock on etcd's lock layout (see lock)",
    "election": "no election recipe in the SDK",
    "connect.tls": "aetcd.Client has no TLS settings: connect() always opens rpc.insecure_channel "
                   "(aetcd 1.0.0 client.py:182)",
    "connect.tls.client_cert": "no TLS at all (see connect.tls)",
    "auth.authenticate": "no Authenticate call in the client's API: only username/password given to the constructor",
    "auth.manage": "no user, role or auth enable/disable calls in aetcd's client",
    **dict.fromkeys(("stm", "stm.isolation.serializable_snapshot", "stm.isolation.serializable",
                     "stm.isolation.repeatable_reads", "stm.isolation.read_committed"), NO_STM),
}


def capabilities_for(version):
    """The catalog ids claimed for a given aetcd version (sorted)."""
    if _is_prerelease(version):
        return []  # only the 1.0.0 release was checked; pre-releases are not built
    v = vtuple(version)
    return sorted(cap for cap, since in _IMPLEMENTED.items() if v >= since)
