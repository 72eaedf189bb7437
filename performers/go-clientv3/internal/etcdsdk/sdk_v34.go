//go:build etcd34

package etcdsdk

// clientv3 3.4 (module go.etcd.io/etcd, import path go.etcd.io/etcd/clientv3). This file
// is written against the 3.5 import paths like every other one: build.sh rewrites them
// to the 3.4 module's (api/v3/version -> go.etcd.io/etcd/version, client/v3/concurrency
// -> clientv3/concurrency, ...), so `go mod tidy` of the default build never sees 3.4.

import (
	"context"
	"errors"

	"go.etcd.io/etcd/api/v3/version"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// errNoAuthenticate: clientv3 3.4 authenticates only inside New (its authenticator is
// unexported; Auth has no Authenticate), so auth.authenticate is claimed from 3.5.0 on
// and an Authenticate command never gets here.
var errNoAuthenticate = errors.New("clientv3 3.4 has no public Authenticate (Auth interface, clientv3/auth.go)")

func authenticate(context.Context, *clientv3.Client, string, string) (*clientv3.AuthenticateResponse, error) {
	return nil, errNoAuthenticate
}

// SDKModule is the Go module the 3.4 client lives in.
const SDKModule = "go.etcd.io/etcd"

// SDKPackage is the 3.4 client's import path, what Describe reports.
const SDKPackage = "go.etcd.io/etcd/clientv3"

// SDKVersion is the release the linked module says it is (version.Version, "3.4.25"):
// the module itself is fetched as a pseudo-version (v0.5.0-alpha.5.0.<date>-<commit>),
// which names no release.
func SDKVersion() string { return version.Version }

// errNoTryLock: 3.4's concurrency.Mutex has Lock only (TryLock and ErrLocked came in
// 3.5.0), so lock.try is not claimed and a try_only LockAcquire never gets here.
var errNoTryLock = errors.New("concurrency.Mutex.TryLock does not exist in clientv3 3.4")

func tryLock(context.Context, *concurrency.Mutex) error { return errNoTryLock }

func isLocked(error) bool { return false }

// isSessionExpired: 3.4 has no concurrency.ErrSessionExpired; an expired session shows
// as whatever the server said (a lease or key error).
func isSessionExpired(error) bool { return false }
