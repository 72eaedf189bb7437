package workload

import (
	"math/bits"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// The protocol's latency buckets (LatencyHistogram in performer.proto): exact below
// 128 us, then 64 buckets per power of two. The same scheme in every performer lets
// the driver merge histograms by adding counts. Indexes are capped at maxBucket
// (latencies of ~2^31 us, 35 minutes, and beyond share the last bucket; the exact
// maximum is kept beside).
const maxBucket = 2047

// BucketOf is the bucket index of a latency in microseconds.
func BucketOf(us uint64) uint32 {
	m := bits.Len64(us) - 7
	if m < 0 {
		m = 0
	}
	idx := uint64(m)<<6 + us>>uint(m)
	if idx > maxBucket {
		return maxBucket
	}
	return uint32(idx)
}

// Hist is one latency histogram (not safe for concurrent use; each worker owns one).
type Hist struct {
	counts     [maxBucket + 1]uint64
	total, sum uint64
	max, min   uint64
}

// Record adds one latency.
func (h *Hist) Record(us uint64) {
	h.counts[BucketOf(us)]++
	if h.total == 0 || us < h.min {
		h.min = us
	}
	if us > h.max {
		h.max = us
	}
	h.total++
	h.sum += us
}

// Merge adds o's counts to h.
func (h *Hist) Merge(o *Hist) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.total == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.total += o.total
	h.sum += o.sum
}

// Reset empties h.
func (h *Hist) Reset() { *h = Hist{} }

// Proto is h in the protocol's sparse form.
func (h *Hist) Proto() *ppb.LatencyHistogram {
	out := &ppb.LatencyHistogram{Total: h.total, SumUs: h.sum, MaxUs: h.max, MinUs: h.min}
	for i, c := range h.counts {
		if c != 0 {
			out.Bucket = append(out.Bucket, uint32(i))
			out.Count = append(out.Count, c)
		}
	}
	return out
}
