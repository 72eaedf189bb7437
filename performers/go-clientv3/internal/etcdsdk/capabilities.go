package etcdsdk

import (
	"sort"
	"strconv"
	"strings"
)

// capabilitySince lists every catalog capability this performer carries out
// through the SDK, with the first SDK version (at this module path) whose
// public API supports it. go.etcd.io/etcd/client/v3 exists as a module path
// from 3.5.0 on, and every feature below was already in clientv3 by then, so
// they all start at 3.5.0; a later feature gets its own minimum here.
var capabilitySince = map[string]string{
	"kv.put":                          "3.5.0",
	"kv.put.prev_kv":                  "3.5.0", // WithPrevKV
	"kv.put.lease":                    "3.5.0", // WithLease
	"kv.put.ignore_value":             "3.5.0", // WithIgnoreValue
	"kv.put.ignore_lease":             "3.5.0", // WithIgnoreLease
	"kv.range":                        "3.5.0",
	"kv.range.prefix":                 "3.5.0", // WithPrefix
	"kv.range.range_end":              "3.5.0", // WithRange
	"kv.range.from_key":               "3.5.0", // WithFromKey
	"kv.range.limit":                  "3.5.0", // WithLimit
	"kv.range.revision":               "3.5.0", // WithRev
	"kv.range.sort":                   "3.5.0", // WithSort
	"kv.range.keys_only":              "3.5.0", // WithKeysOnly
	"kv.range.count_only":             "3.5.0", // WithCountOnly
	"kv.range.serializable":           "3.5.0", // WithSerializable
	"kv.range.mod_revision_filter":    "3.5.0", // WithMinModRev / WithMaxModRev
	"kv.range.create_revision_filter": "3.5.0", // WithMinCreateRev / WithMaxCreateRev
	"kv.delete":                       "3.5.0",
	"kv.delete.range":                 "3.5.0",
	"kv.delete.prev_kv":               "3.5.0",
	"txn":                             "3.5.0",
	"txn.compare.value":               "3.5.0", // clientv3.Value
	"txn.compare.version":             "3.5.0", // clientv3.Version
	"txn.compare.create":              "3.5.0", // clientv3.CreateRevision
	"txn.compare.mod":                 "3.5.0", // clientv3.ModRevision
	"txn.compare.lease":               "3.5.0", // clientv3.LeaseValue
	"txn.compare.range":               "3.5.0", // Cmp.WithRange / Cmp.WithPrefix
	"txn.nested":                      "3.5.0", // clientv3.OpTxn
	"compact":                         "3.5.0",
	"compact.physical":                "3.5.0", // WithCompactPhysical
	"status":                          "3.5.0", // Maintenance.Status
	"lease.grant":                     "3.5.0",
	"lease.revoke":                    "3.5.0",
	"lease.ttl":                       "3.5.0",
	"lease.ttl.keys":                  "3.5.0", // WithAttachedKeys
	"lease.leases":                    "3.5.0", // Lease.Leases
	"lease.keepalive_once":            "3.5.0",
	"lease.keepalive":                 "3.5.0", // Lease.KeepAlive: a channel of renewals, closed when the lease is gone
	"watch":                           "3.5.0",
	"watch.prefix":                    "3.5.0",
	"watch.range_end":                 "3.5.0",
	"watch.start_revision":            "3.5.0",
	"watch.prev_kv":                   "3.5.0",
	"watch.filters":                   "3.5.0", // WithFilterPut / WithFilterDelete
	"watch.cancel":                    "3.5.0",
	"watch.compacted":                 "3.5.0",
	"watch.progress_notify":           "3.5.0", // WithProgressNotify
	// clientv3's watchGRPCStream re-opens the stream after a lost connection and
	// re-creates each watch from the revision after the last one it delivered
	// (serveSubstream's nextRev); verified against kill/restart, see README.
	"watch.resume": "3.5.0",
	// Each WatchResponse on the WatchChan is one server response (events of one
	// revision arrive together; fragments are joined unless WithFragment).
	"watch.response_boundaries": "3.5.0",
	// Config.DialKeepAliveTime / DialKeepAliveTimeout.
	"connect.keepalive": "3.5.0",
	// Config.DialOptions with grpc.WithBlock(), clientv3's documented way to
	// make New wait (up to DialTimeout) for a connection. Claimed at every
	// version because the performer passes that option; clientv3 3.7 dials
	// with grpc.NewClient, which ignores WithBlock (an SDK divergence the
	// fault suite shows, not something the performer emulates).
	"connect.block": "3.5.0",
	// Config.AutoSyncInterval.
	"connect.auto_sync": "3.5.0",
	// rpctypes.EtcdError (and clientv3's own errors) vs raw grpc status /
	// context errors: see isTyped.
	"errors.typed": "3.5.0",
	// ExecuteStream with Signal/Wait (internal/server/stream.go); clients run in parallel.
	"stream.latches": "3.5.0",
	// concurrency.NewMutex / Lock / Unlock on a concurrency.Session (recipes.go).
	"lock": "3.5.0",
	// concurrency.Mutex.TryLock, present at every built version (v3.5.35 concurrency/mutex.go:48).
	"lock.try": "3.5.0",
	// concurrency.NewElection: Campaign, Proclaim, Leader, Observe, Resign.
	"election": "3.5.0",
	// concurrency.NewSTM with WithIsolation (stm.go); the four levels at every built version
	// (v3.5.35 / v3.6.16 / v3.7.3 concurrency/stm.go: SerializableSnapshot .. ReadCommitted).
	"stm":                                 "3.5.0",
	"stm.isolation.serializable_snapshot": "3.5.0",
	"stm.isolation.serializable":          "3.5.0",
	"stm.isolation.repeatable_reads":      "3.5.0",
	"stm.isolation.read_committed":        "3.5.0",
	// Workload: clients and workers run in this process (internal/workload).
	"perf.workload": "3.5.0",
	// Config.TLS (a *tls.Config with the CA, the client certificate, ServerName): auth.go TLSConfig.
	"connect.tls":             "3.5.0",
	"connect.tls.client_cert": "3.5.0",
	// Config.Username/Password: clientv3 authenticates in New and on "invalid auth token" again.
	"auth.basic": "3.5.0",
	// clientv3's Auth interface (Authenticate, UserAdd..., RoleGrantPermission..., AuthEnable).
	"auth.authenticate": "3.5.0",
	"auth.manage":       "3.5.0",
}

// NotClaimed lists catalog capabilities this performer deliberately does not
// claim, with the reason. Every catalog id is either in capabilitySince or here
// (a test checks it, so a new catalog id forces a decision).
var NotClaimed = map[string]string{
	"lock.single_key": "concurrency.Mutex keeps one key per contender (<name>/<lease id>), etcd's lock layout (claimed as lock)",
	"lease.grant.id": "clientv3's Lease.Grant(ctx, ttl) has no way to choose the lease id; " +
		"only the raw gRPC LeaseGrantRequest has one, which is not the SDK's API",
}

// Capabilities returns the sorted catalog ids this performer implements through
// the SDK at the given version ("3.6.16", with or without a leading "v").
// An unparseable version ("unknown", a pseudo-version) is treated as the newest.
func Capabilities(sdkVersion string) []string {
	v, ok := parseVersion(sdkVersion)
	out := make([]string, 0, len(capabilitySince))
	for id, since := range capabilitySince {
		min, _ := parseVersion(since)
		if !ok || !less(v, min) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// parseVersion parses "X.Y.Z" (optionally "vX.Y.Z" and a "-pre"/"+build" suffix).
func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func less(a, b [3]int) bool {
	for i := 0; i < 3; i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
