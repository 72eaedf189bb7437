// Command etcd is etcd's own server main, built from go.etcd.io/etcd/server/v3 at
// the version pinned in go.mod (or re-pinned by build.sh). It accepts every flag
// of the released etcd binary; etcdfit passes only the single-member ones.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
