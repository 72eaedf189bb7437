package server

import (
	"time"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
	"etcdfit.dev/performers/go-clientv3/internal/workload"
)

// Workload runs a load natively (capability perf.workload; see internal/workload).
// The stream's context ends the workers: the driver's cancel or deadline stops them.
func (s *Server) Workload(req *ppb.WorkloadRequest, stream ppb.PerformerService_WorkloadServer) error {
	spec, err := workload.Parse(req)
	if err != nil {
		s.log.Printf("Workload refused: %v", err)
		return err
	}
	s.log.Printf("Workload clients=%d workers=%d ops=%v keys=%d duration=%v total=%d rate=%v",
		spec.Clients, spec.Workers, len(spec.Ops), spec.KeySpace, spec.Duration, spec.Total, spec.Rate)
	t0 := time.Now()
	err = workload.Run(stream.Context(), spec, stream.Send, s.log.Printf)
	s.log.Printf("Workload ended after %v: %v", time.Since(t0), err)
	return err
}
