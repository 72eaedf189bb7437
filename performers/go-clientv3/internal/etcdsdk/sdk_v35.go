//go:build !etcd34

package etcdsdk

// What differs between clientv3 3.5+ (module go.etcd.io/etcd/client/v3) and the 3.4
// line (sdk_v34.go, built with -tags etcd34 by build.sh, which also moves every import
// to the 3.4 module's paths).

import (
	"context"
	"errors"
	"runtime/debug"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// authenticate is clientv3's Auth.Authenticate (public from 3.5.0 on).
func authenticate(ctx context.Context, c *clientv3.Client, name, password string) (*clientv3.AuthenticateResponse, error) {
	return c.Authenticate(ctx, name, password)
}

// SDKModule is the Go module path of the SDK under test.
const SDKModule = "go.etcd.io/etcd/client/v3"

// SDKPackage is the import path Describe reports (the module path, from 3.5 on).
const SDKPackage = SDKModule

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

// tryLock is concurrency.Mutex.TryLock (3.5.0 on).
func tryLock(ctx context.Context, m *concurrency.Mutex) error { return m.TryLock(ctx) }

// isLocked: TryLock found the lock held (concurrency.ErrLocked, 3.5.0 on).
func isLocked(err error) bool { return errors.Is(err, concurrency.ErrLocked) }

// isSessionExpired: concurrency.ErrSessionExpired (3.5.0 on).
func isSessionExpired(err error) bool { return errors.Is(err, concurrency.ErrSessionExpired) }
