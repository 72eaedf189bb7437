// Command performer is the etcdfit performer for go.etcd.io/etcd/client/v3.
package main

import (
	"flag"
	"fmt"
	"os"

	"etcdfit.dev/performers/go-clientv3/internal/server"
)

func main() {
	fs := flag.NewFlagSet("performer", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	listen := fs.String("listen", "", "host:port to serve the performer protocol on (required)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *listen == "" || fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: performer --listen host:port")
		os.Exit(2)
	}
	if err := server.Run(server.Config{Listen: *listen}, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "performer:", err)
		os.Exit(1)
	}
}
