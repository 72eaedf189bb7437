//! Capabilities this performer carries out through etcd-client's public API, as a
//! function of the linked SDK version.

/// Every claimed catalog id with the first etcd-client version whose public API
/// has what it needs (checked against the published sources of 0.12.4 .. 0.21.1:
/// every API below is already in 0.12.4, the oldest line this table covers), and
/// the API used.
const CAPABILITY_SINCE: &[(&str, &str, &str)] = &[
    ("kv.put", "0.12.0", "Client::put"),
    ("perf.workload", "0.12.0", "Workload (src/workload.rs): Client::connect per client, tokio tasks, put/get/txn/delete"),
    ("kv.put.prev_kv", "0.12.0", "PutOptions::with_prev_key"),
    ("kv.put.lease", "0.12.0", "PutOptions::with_lease"),
    ("kv.put.ignore_value", "0.12.0", "PutOptions::with_ignore_value"),
    ("kv.put.ignore_lease", "0.12.0", "PutOptions::with_ignore_lease"),
    ("kv.range", "0.12.0", "Client::get"),
    ("kv.range.prefix", "0.12.0", "GetOptions::with_prefix"),
    ("kv.range.range_end", "0.12.0", "GetOptions::with_range"),
    ("kv.range.from_key", "0.12.0", "GetOptions::with_from_key"),
    ("kv.range.limit", "0.12.0", "GetOptions::with_limit"),
    ("kv.range.revision", "0.12.0", "GetOptions::with_revision"),
    ("kv.range.sort", "0.12.0", "GetOptions::with_sort"),
    ("kv.range.keys_only", "0.12.0", "GetOptions::with_keys_only"),
    ("kv.range.count_only", "0.12.0", "GetOptions::with_count_only"),
    ("kv.range.serializable", "0.12.0", "GetOptions::with_serializable"),
    ("kv.range.mod_revision_filter", "0.12.0", "GetOptions::with_min/max_mod_revision"),
    ("kv.range.create_revision_filter", "0.12.0", "GetOptions::with_min/max_create_revision"),
    ("kv.delete", "0.12.0", "Client::delete"),
    ("kv.delete.range", "0.12.0", "DeleteOptions::with_prefix/with_range/with_from_key"),
    ("kv.delete.prev_kv", "0.12.0", "DeleteOptions::with_prev_key"),
    ("txn", "0.12.0", "Client::txn, Txn::when/and_then/or_else"),
    ("txn.compare.value", "0.12.0", "Compare::value"),
    ("txn.compare.version", "0.12.0", "Compare::version"),
    ("txn.compare.create", "0.12.0", "Compare::create_revision"),
    ("txn.compare.mod", "0.12.0", "Compare::mod_revision"),
    ("txn.compare.lease", "0.12.0", "Compare::lease"),
    ("txn.compare.range", "0.12.0", "Compare::with_range/with_prefix"),
    ("txn.nested", "0.12.0", "TxnOp::txn"),
    ("compact", "0.12.0", "Client::compact"),
    ("compact.physical", "0.12.0", "CompactionOptions::with_physical"),
    ("status", "0.12.0", "Client::status"),
    ("lease.grant", "0.12.0", "Client::lease_grant"),
    ("lease.grant.id", "0.12.0", "LeaseGrantOptions::with_id"),
    ("lease.revoke", "0.12.0", "Client::lease_revoke"),
    ("lease.ttl", "0.12.0", "Client::lease_time_to_live"),
    ("lease.ttl.keys", "0.12.0", "LeaseTimeToLiveOptions::with_keys"),
    ("lease.leases", "0.12.0", "Client::leases"),
    ("lease.keepalive_once", "0.12.0", "Client::lease_keep_alive, LeaseKeeper::keep_alive"),
    ("watch", "0.12.0", "Client::watch"),
    ("watch.prefix", "0.12.0", "WatchOptions::with_prefix"),
    ("watch.range_end", "0.12.0", "WatchOptions::with_range"),
    ("watch.start_revision", "0.12.0", "WatchOptions::with_start_revision"),
    ("watch.prev_kv", "0.12.0", "WatchOptions::with_prev_key"),
    ("watch.filters", "0.12.0", "WatchOptions::with_filters"),
    ("watch.cancel", "0.12.0", "Watcher::cancel (< 0.18), WatchStream::cancel (>= 0.18)"),
    ("watch.compacted", "0.12.0", "WatchResponse::canceled/compact_revision"),
    ("watch.progress_notify", "0.12.0", "WatchOptions::with_progress_notify"),
    ("watch.response_boundaries", "0.12.0", "WatchStream::message (one WatchResponse per message)"),
    ("lease.keepalive", "0.12.0", "Client::lease_keep_alive, LeaseKeeper::keep_alive, LeaseKeepAliveStream::message"),
    ("connect.keepalive", "0.12.0", "ConnectOptions::with_keep_alive(interval, timeout)"),
    ("connect.tls", "0.12.0", "ConnectOptions::with_tls(TlsOptions::new().ca_certificate(..).domain_name(..)) (cargo feature tls)"),
    ("connect.tls.client_cert", "0.12.0", "TlsOptions::identity(Identity::from_pem(cert, key)) (cargo feature tls)"),
    ("auth.basic", "0.12.0", "ConnectOptions::with_user (>= 0.20 also with_auto_token_refresh)"),
    ("auth.authenticate", "0.12.0", "AuthClient::authenticate"),
    ("auth.manage", "0.12.0", "AuthClient::user_add/user_delete/user_change_password/user_grant_role/user_revoke_role/role_add/role_grant_permission/role_revoke_permission/auth_enable/auth_disable"),
    ("execute.session", "0.12.0", "the performer's ExecuteSession: many programs on one stream (no SDK API involved)"),
    ("stream.latches", "0.12.0", "the performer's ExecuteStream around the SDK calls (no SDK API involved)"),
    ("lock", "0.12.0", "Client::lock(name, LockOptions::with_lease) / Client::unlock (etcd's v3lock service)"),
    ("election", "0.12.0", "Client::campaign/proclaim/leader/observe/resign (etcd's v3election service)"),
    ("errors.typed", "0.12.0", "etcd_client::Error variants (GRpcStatus, TransportError, IoError are passthroughs)"),
];

/// Catalog ids deliberately not claimed, with the reason (checked against the
/// sources of every listed version, 0.13.0 .. 0.21.1).
#[cfg_attr(not(test), allow(dead_code))]
pub const NOT_CLAIMED: &[(&str, &str)] = &[
    (
        "connect.block",
        "Client::connect has no blocking option: it builds a balanced channel that dials on first use \
         (it only calls the server at once to authenticate when a user is set)",
    ),
    ("connect.auto_sync", "etcd-client has no member-list auto-sync (only Client::add_endpoint/remove_endpoint)"),
    (
        "watch.resume",
        "the SDK never re-establishes a watch: after a connection loss or server restart WatchStream::message \
         returns the transport error and the stream is over (measured at every listed version)",
    ),
    (
        "lock.try",
        "LockClient::lock calls etcd's v3lock Lock, which blocks until the lock is held: the crate (and the \
         service) has no try-lock at any listed version",
    ),
    (
        "lock.single_key",
        "the crate's lock is etcd's v3lock layout (<name>/<lease id>, lowest create revision holds): capability lock",
    ),
    (
        "stm",
        "the crate has no software transactional memory at any listed version (KvClient::txn only)",
    ),
    (
        "stm.isolation.serializable_snapshot",
        "the crate has no software transactional memory at any listed version (KvClient::txn only)",
    ),
    (
        "stm.isolation.serializable",
        "the crate has no software transactional memory at any listed version (KvClient::txn only)",
    ),
    (
        "stm.isolation.repeatable_reads",
        "the crate has no software transactional memory at any listed version (KvClient::txn only)",
    ),
    (
        "stm.isolation.read_committed",
        "the crate has no software transactional memory at any listed version (KvClient::txn only)",
    ),
];

/// The sorted catalog ids implemented through the SDK at `sdk_version`
/// ("0.21.1"). An unparseable version counts as the newest.
pub fn capabilities(sdk_version: &str) -> Vec<String> {
    let v = parse_version(sdk_version);
    let mut out: Vec<String> = CAPABILITY_SINCE
        .iter()
        .filter(|(_, since, _)| match (v, parse_version(since)) {
            (Some(v), Some(min)) => v >= min,
            _ => true,
        })
        .map(|(id, _, _)| id.to_string())
        .collect();
    out.sort();
    out
}

/// "X.Y.Z" (optionally with a leading "v" and a "-pre"/"+build" suffix).
pub fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
    let s = s.trim().trim_start_matches('v');
    let s = s.split(['-', '+']).next()?;
    let mut parts = s.split('.').map(|p| p.parse::<u64>().ok());
    let v = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every catalog id is either claimed or listed in NOT_CLAIMED, and nothing
    /// else is claimed (reads capabilities/catalog.yaml from the repository).
    #[test]
    fn claims_cover_the_catalog_exactly() {
        let path = std::env::var("ETCDFIT_CATALOG").unwrap_or_else(|_| {
            format!("{}/../../capabilities/catalog.yaml", env!("CARGO_MANIFEST_DIR"))
        });
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("catalog not found at {path}; skipped");
            return;
        };
        let mut catalog = BTreeSet::new();
        let mut inside = false;
        for line in text.lines() {
            if line.starts_with("capabilities:") {
                inside = true;
                continue;
            }
            if inside {
                let t = line.trim_start();
                if line.starts_with("  ") && !t.starts_with('#') {
                    if let Some((id, _)) = t.split_once(':') {
                        catalog.insert(id.to_string());
                    }
                }
            }
        }
        assert!(!catalog.is_empty());
        let claimed: BTreeSet<String> = capabilities("0.21.1").into_iter().collect();
        let not: BTreeSet<String> = NOT_CLAIMED.iter().map(|(id, _)| id.to_string()).collect();
        for id in &claimed {
            assert!(catalog.contains(id), "claimed id {id} is not in the catalog");
        }
        for id in &catalog {
            assert!(claimed.contains(id) || not.contains(id), "catalog id {id} neither claimed nor in NOT_CLAIMED");
        }
    }

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("0.21.1"), Some((0, 21, 1)));
        assert_eq!(parse_version("v0.17.0-rc.1"), Some((0, 17, 0)));
        assert_eq!(parse_version("unknown"), None);
        assert_eq!(parse_version("1.2"), None);
    }

    #[test]
    fn older_versions_below_the_table_claim_less() {
        assert!(capabilities("0.11.0").is_empty());
        assert_eq!(capabilities("0.17.0"), capabilities("0.21.1"));
        assert_eq!(capabilities("unknown").len(), CAPABILITY_SINCE.len());
    }
}
