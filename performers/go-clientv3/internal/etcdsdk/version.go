package etcdsdk

import (
	"runtime/debug"
	"strings"
)

// SDKModule is the Go module path of the SDK under test.
const SDKModule = "go.etcd.io/etcd/client/v3"

// SDKVersion returns the version of go.etcd.io/etcd/client/v3 actually linked
// into this binary (from the build info), without the leading "v", or
// "unknown" when the build info does not say.
func SDKVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return sdkVersionFromDeps(info.Deps)
}

func sdkVersionFromDeps(deps []*debug.Module) string {
	for _, d := range deps {
		if d == nil || d.Path != SDKModule {
			continue
		}
		v := d.Version
		if d.Replace != nil && d.Replace.Version != "" {
			v = d.Replace.Version
		}
		if v == "" || v == "(devel)" {
			return "unknown"
		}
		return strings.TrimPrefix(v, "v")
	}
	return "unknown"
}
