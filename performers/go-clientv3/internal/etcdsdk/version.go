package etcdsdk

import (
	"runtime/debug"
	"strings"
)

// SDKModule, SDKPackage and SDKVersion live in sdk_v35.go / sdk_v34.go (by build tag).

// sdkVersionFromDeps is the version of SDKModule among the build info's deps.
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
