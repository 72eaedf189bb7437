package workload

import (
	"testing"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// lowerBound inverts BucketOf the way performer.proto documents it.
func lowerBound(idx uint32) uint64 {
	if idx < 128 {
		return uint64(idx)
	}
	m := idx>>6 - 1
	return uint64(idx-m<<6) << m
}

func TestBucketsAreContiguousAndBounded(t *testing.T) {
	for _, tc := range []struct {
		us  uint64
		idx uint32
	}{
		{0, 0}, {127, 127}, {128, 128}, {129, 128}, {130, 129}, {255, 191}, {256, 192}, {1000, 317},
	} {
		if got := BucketOf(tc.us); got != tc.idx {
			t.Errorf("BucketOf(%d) = %d, want %d", tc.us, got, tc.idx)
		}
	}
	prev := uint32(0)
	for us := uint64(0); us < 1<<20; us++ {
		idx := BucketOf(us)
		if idx != prev && idx != prev+1 {
			t.Fatalf("BucketOf(%d) = %d jumps from %d", us, idx, prev)
		}
		if lo := lowerBound(idx); lo > us || us-lo > us/64 {
			t.Fatalf("BucketOf(%d) = %d has lower bound %d", us, idx, lo)
		}
		prev = idx
	}
	if BucketOf(1<<62) != maxBucket {
		t.Errorf("huge latencies must share the last bucket")
	}
}

func TestHistMergeAndProto(t *testing.T) {
	var a, b Hist
	a.Record(5)
	a.Record(300)
	b.Record(5)
	a.Merge(&b)
	p := a.Proto()
	if p.Total != 3 || p.SumUs != 310 || p.MaxUs != 300 || p.MinUs != 5 || len(p.Bucket) != 2 || p.Count[0] != 2 {
		t.Fatalf("merged histogram: %+v", p)
	}
}

func TestParseRefusesEndlessAndUnknown(t *testing.T) {
	if _, err := Parse(&ppb.WorkloadRequest{Endpoints: []string{"x"}, KeyPrefix: []byte("p/")}); err == nil {
		t.Error("a workload without duration or count must be refused")
	}
	req := &ppb.WorkloadRequest{Endpoints: []string{"x"}, KeyPrefix: []byte("p/"), TotalOps: 1,
		Mix: []*ppb.OpWeight{{Op: 99, Weight: 1}}}
	if _, err := Parse(req); err == nil {
		t.Error("an unknown op must be refused")
	}
	s, err := Parse(&ppb.WorkloadRequest{Endpoints: []string{"x"}, KeyPrefix: []byte("p/"), TotalOps: 1, KeySize: 8})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.Key(nil, 42)); got != "p/000042" {
		t.Errorf("Key = %q", got)
	}
}

// The bucket edges every performer's unit test checks (the same table in each language:
// python-kit test_kit.py, node-etcd3 test/workload.test.js, java-jetcd WorkloadTest,
// rust-etcd-client workload.rs); this implementation is the reference.
var sharedBucketEdges = [][2]uint64{
	{0, 0}, {1, 1}, {127, 127}, {128, 128}, {129, 128}, {130, 129}, {255, 191}, {256, 192},
	{1000, 317}, {1023, 319}, {1024, 320}, {4095, 447}, {4096, 448}, {65535, 703}, {65536, 704},
	{1000000, 954}, {2147483647, 1663}, {2147483648, 1664}, {4294967295, 1727}, {4294967296, 1728},
	{1099511627776, 2047},
}

func TestSharedBucketEdges(t *testing.T) {
	for _, e := range sharedBucketEdges {
		if got := BucketOf(e[0]); uint64(got) != e[1] {
			t.Errorf("BucketOf(%d) = %d, want %d", e[0], got, e[1])
		}
	}
}
