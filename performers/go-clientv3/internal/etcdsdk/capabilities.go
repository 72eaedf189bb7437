package etcdsdk

import (
	"sort"
	"strconv"
	"strings"
)

// capabilitySince lists every catalog capability this performer carries out
// through the SDK, with the first clientv3 version whose public API supports it.
// The 3.4 line lives in module go.etcd.io/etcd (import path go.etcd.io/etcd/clientv3;
// build.sh moves the imports, sdk_v34.go holds what differs); its only build here is
// 3.4.25, against which this source compiles and the suite runs, so claims present in
// that API start at 3.4.25 (earlier 3.4 releases are not built, so not claimed). A
// feature that appeared later gets its own minimum (lock.try: Mutex.TryLock, 3.5.0).
const since34 = "3.4.25"

var capabilitySince = map[string]string{
	"kv.put":                          since34,
	"kv.put.prev_kv":                  since34, // WithPrevKV
	"kv.put.lease":                    since34, // WithLease
	"kv.put.ignore_value":             since34, // WithIgnoreValue
	"kv.put.ignore_lease":             since34, // WithIgnoreLease
	"kv.range":                        since34,
	"kv.range.prefix":                 since34, // WithPrefix
	"kv.range.range_end":              since34, // WithRange
	"kv.range.from_key":               since34, // WithFromKey
	"kv.range.limit":                  since34, // WithLimit
	"kv.range.revision":               since34, // WithRev
	"kv.range.sort":                   since34, // WithSort
	"kv.range.keys_only":              since34, // WithKeysOnly
	"kv.range.count_only":             since34, // WithCountOnly
	"kv.range.serializable":           since34, // WithSerializable
	"kv.range.mod_revision_filter":    since34, // WithMinModRev / WithMaxModRev
	"kv.range.create_revision_filter": since34, // WithMinCreateRev / WithMaxCreateRev
	"kv.delete":                       since34,
	"kv.delete.range":                 since34,
	"kv.delete.prev_kv":               since34,
	"txn":                             since34,
	"txn.compare.value":               since34, // clientv3.Value
	"txn.compare.version":             since34, // clientv3.Version
	"txn.compare.create":              since34, // clientv3.CreateRevision
	"txn.compare.mod":                 since34, // clientv3.ModRevision
	"txn.compare.lease":               since34, // clientv3.LeaseValue
	"txn.compare.range":               since34, // Cmp.WithRange / Cmp.WithPrefix
	"txn.nested":                      since34, // clientv3.OpTxn
	"compact":                         since34,
	"compact.physical":                since34, // WithCompactPhysical
	"status":                          since34, // Maintenance.Status
	"lease.grant":                     since34,
	"lease.revoke":                    since34,
	"lease.ttl":                       since34,
	"lease.ttl.keys":                  since34, // WithAttachedKeys
	"lease.leases":                    since34, // Lease.Leases
	"lease.keepalive_once":            since34,
	"lease.keepalive":                 since34, // Lease.KeepAlive: a channel of renewals, closed when the lease is gone
	"watch":                           since34,
	"watch.prefix":                    since34,
	"watch.range_end":                 since34,
	"watch.start_revision":            since34,
	"watch.prev_kv":                   since34,
	"watch.filters":                   since34, // WithFilterPut / WithFilterDelete
	"watch.cancel":                    since34,
	"watch.compacted":                 since34,
	"watch.progress_notify":           since34, // WithProgressNotify
	// clientv3's watchGRPCStream re-opens the stream after a lost connection and
	// re-creates each watch from the revision after the last one it delivered
	// (serveSubstream's nextRev); verified against kill/restart, see README.
	"watch.resume": since34,
	// Each WatchResponse on the WatchChan is one server response (events of one
	// revision arrive together; fragments are joined unless WithFragment).
	"watch.response_boundaries": since34,
	// Config.DialKeepAliveTime / DialKeepAliveTimeout.
	"connect.keepalive": since34,
	// Config.DialOptions with grpc.WithBlock(), clientv3's documented way to
	// make New wait (up to DialTimeout) for a connection. Claimed at every
	// version because the performer passes that option; clientv3 3.7 dials
	// with grpc.NewClient, which ignores WithBlock (an SDK divergence the
	// fault suite shows, not something the performer emulates).
	"connect.block": since34,
	// Config.AutoSyncInterval.
	"connect.auto_sync": since34,
	// rpctypes.EtcdError (and clientv3's own errors) vs raw grpc status /
	// context errors: see isTyped.
	"errors.typed": since34,
	// ExecuteSession: many programs on one stream (internal/server/stream.go).
	"execute.session": since34,
	// ExecuteStream with Signal/Wait (internal/server/stream.go); clients run in parallel.
	"stream.latches": since34,
	// concurrency.NewMutex / Lock / Unlock on a concurrency.Session (recipes.go).
	"lock": since34,
	// concurrency.Mutex.TryLock and ErrLocked, added in 3.5.0 (v3.5.35 concurrency/mutex.go:48);
	// 3.4.25's Mutex has Lock only.
	"lock.try": "3.5.0",
	// concurrency.NewElection: Campaign, Proclaim, Leader, Observe, Resign.
	"election": since34,
	// concurrency.NewSTM with WithIsolation (stm.go); the four levels at every built version
	// (v3.5.35 / v3.6.16 / v3.7.3 concurrency/stm.go: SerializableSnapshot .. ReadCommitted).
	"stm":                                 "3.5.0",
	"stm.isolation.serializable_snapshot": "3.5.0",
	"stm.isolation.serializable":          "3.5.0",
	"stm.isolation.repeatable_reads":      "3.5.0",
	"stm.isolation.read_committed":        "3.5.0",
	// Workload: clients and workers run in this process (internal/workload).
	"perf.workload": since34,
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
