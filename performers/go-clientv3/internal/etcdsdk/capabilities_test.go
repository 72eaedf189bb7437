package etcdsdk

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// catalogIDs reads the capability ids from the repository's catalog.
func catalogIDs(t *testing.T) []string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "..", "capabilities", "catalog.yaml")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("catalog not found (%v); run inside the etcdfit repository", err)
	}
	defer f.Close()
	re := regexp.MustCompile(`^  ([a-z0-9_.]+):`)
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			ids = append(ids, m[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no capability ids parsed from catalog")
	}
	return ids
}

func TestCapabilitiesMatchCatalog(t *testing.T) {
	ids := catalogIDs(t)
	claimed := Capabilities("3.6.16")
	for _, c := range claimed {
		if !slices.Contains(ids, c) {
			t.Errorf("claimed capability %q is not in the catalog", c)
		}
	}
	for _, id := range ids {
		_, isClaimed := capabilitySince[id]
		_, isNot := NotClaimed[id]
		if isClaimed == isNot {
			t.Errorf("catalog id %q must be in exactly one of capabilitySince / NotClaimed", id)
		}
	}
}

func TestCapabilitiesByVersion(t *testing.T) {
	all := Capabilities("3.6.16")
	if !slices.IsSorted(all) {
		t.Error("capabilities not sorted")
	}
	if len(all) != len(capabilitySince) {
		t.Errorf("3.6.16: got %d capabilities, want all %d", len(all), len(capabilitySince))
	}
	if slices.Contains(all, "lease.grant.id") {
		t.Error("lease.grant.id must not be claimed: the SDK cannot choose a lease id")
	}
	for _, v := range []string{"v3.6.16", "3.5.0", "3.6.0-rc.1", "unknown", ""} {
		if got := Capabilities(v); !slices.Equal(got, all) {
			t.Errorf("Capabilities(%q) = %d ids, want %d", v, len(got), len(all))
		}
	}
	// 3.4.25 (module go.etcd.io/etcd): everything but Mutex.TryLock and Auth.Authenticate (both
	// public from 3.5.0), and the STM, TLS and auth ids, which no 3.4 run has checked yet.
	not34 := func(id string) bool {
		return id == "lock.try" || strings.HasPrefix(id, "stm") || strings.HasPrefix(id, "auth.") ||
			strings.HasPrefix(id, "connect.tls")
	}
	want34 := slices.DeleteFunc(slices.Clone(all), not34)
	if got := Capabilities("3.4.25"); !slices.Equal(got, want34) {
		t.Errorf("Capabilities(3.4.25) = %v, want all but lock.try, stm*, auth.*, connect.tls*", got)
	}
	if got := Capabilities("3.4.9"); len(got) != 0 {
		t.Errorf("3.4.9 is older than the one 3.4 release built (3.4.25); got %v", got)
	}
}

func TestParseVersion(t *testing.T) {
	cases := map[string][3]int{"3.6.16": {3, 6, 16}, "v3.5.1": {3, 5, 1}, "3.6.0-alpha.0": {3, 6, 0}}
	for in, want := range cases {
		got, ok := parseVersion(in)
		if !ok || got != want {
			t.Errorf("parseVersion(%q) = %v,%v want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "3.6", "x.y.z", "unknown"} {
		if _, ok := parseVersion(bad); ok {
			t.Errorf("parseVersion(%q) ok, want failure", bad)
		}
	}
}

func TestSDKVersionFromDeps(t *testing.T) {
	deps := []*debug.Module{{Path: "other", Version: "v1.0.0"}, {Path: SDKModule, Version: "v3.6.16"}}
	if got := sdkVersionFromDeps(deps); got != "3.6.16" {
		t.Errorf("got %q", got)
	}
	deps[1].Replace = &debug.Module{Path: SDKModule, Version: "v3.5.21"}
	if got := sdkVersionFromDeps(deps); got != "3.5.21" {
		t.Errorf("replace: got %q", got)
	}
	if got := sdkVersionFromDeps(nil); got != "unknown" {
		t.Errorf("missing: got %q", got)
	}
}
