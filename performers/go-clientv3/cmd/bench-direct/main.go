// Command bench-direct is the harness-overhead baseline: N sequential Puts
// through go.etcd.io/etcd/client/v3 directly, with no performer in between.
// It prints one JSON line: {"n":N,"elapsed_ns":...}.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	endpoints := flag.String("endpoints", "http://127.0.0.1:2379", "comma-separated etcd endpoints")
	n := flag.Int("n", 1000, "number of sequential puts")
	prefix := flag.String("prefix", "/etcdfit-bench/", "key prefix")
	flag.Parse()
	if err := run(strings.Split(*endpoints, ","), *n, *prefix); err != nil {
		fmt.Fprintln(os.Stderr, "bench-direct:", err)
		os.Exit(1)
	}
}

func run(endpoints []string, n int, prefix string) error {
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	defer c.Close()
	// Untimed warm-up: clientv3 dials lazily, and the performer being compared
	// against has a live connection, so the first Put must not be timed here.
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := c.Put(ctx, prefix+"warmup", "v")
		cancel()
		if err != nil {
			return fmt.Errorf("warm-up put: %w", err)
		}
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := c.Put(ctx, prefix+strconv.Itoa(i), "v")
		cancel()
		if err != nil {
			return fmt.Errorf("put %d: %w", i, err)
		}
	}
	elapsed := time.Since(start)
	return json.NewEncoder(os.Stdout).Encode(struct {
		N         int   `json:"n"`
		ElapsedNs int64 `json:"elapsed_ns"`
	}{n, elapsed.Nanoseconds()})
}
