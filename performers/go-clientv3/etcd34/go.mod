// The lockfile of go-clientv3's 3.4 build (build.sh 3.4.25 OUT): clientv3 3.4 lives in
// module go.etcd.io/etcd, fetched as a pseudo-version of the release-3.4 commit
// (94593e63d45c is v3.4.25: its version/version.go says so). Its balancer and resolver
// use gRPC-Go APIs removed in 1.30, so gRPC stays at 1.29.1, the newest it compiles
// with, and the protocol stubs come from gen/_etcd34 (SupportPackageIsVersion6).
// Regenerate: copy the source as build.sh does, then `go get` these pins + `go mod tidy`.
module etcdfit.dev/performers/go-clientv3

go 1.26.0

require (
	github.com/golang/protobuf v1.4.3
	go.etcd.io/etcd v0.5.0-alpha.5.0.20230414071934-94593e63d45c
	google.golang.org/grpc v1.29.1
	google.golang.org/protobuf v1.26.0-rc.1
)

require (
	github.com/coreos/go-semver v0.2.0 // indirect
	github.com/coreos/go-systemd v0.0.0-20180511133405-39ca1b05acc7 // indirect
	github.com/coreos/pkg v0.0.0-20160727233714-3ac0863d7acf // indirect
	github.com/gogo/protobuf v1.3.2 // indirect
	github.com/google/uuid v1.0.0 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	go.uber.org/atomic v1.3.2 // indirect
	go.uber.org/multierr v1.1.0 // indirect
	go.uber.org/zap v1.10.0 // indirect
	golang.org/x/net v0.7.0 // indirect
	golang.org/x/sys v0.5.0 // indirect
	golang.org/x/text v0.7.0 // indirect
	google.golang.org/genproto v0.0.0-20190819201941-24fa4b261c55 // indirect
)
