package etcdsdk

import "time"

var processStart = time.Now()

// Now is the performer's monotonic clock in nanoseconds (since process start).
// time.Since uses the monotonic reading, so wall-clock jumps do not affect it.
func Now() int64 { return int64(time.Since(processStart)) }
