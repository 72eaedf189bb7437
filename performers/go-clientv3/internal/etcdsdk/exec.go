package etcdsdk

import (
	"errors"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// Run carries out one non-watch command through the SDK and returns its result.
// Watch commands need the per-client watch registry and go through StartWatch.
func (cl *Client) Run(cmd *ppb.Command) *ppb.CommandResult {
	switch x := cmd.GetCommand().(type) {
	case *ppb.Command_Put:
		return cl.put(x.Put)
	case *ppb.Command_Range:
		return cl.rangeCmd(x.Range)
	case *ppb.Command_DeleteRange:
		return cl.deleteRange(x.DeleteRange)
	case *ppb.Command_Txn:
		return cl.txn(x.Txn)
	case *ppb.Command_Compact:
		return cl.compact(x.Compact)
	case *ppb.Command_LeaseGrant:
		return cl.leaseGrant(x.LeaseGrant)
	case *ppb.Command_LeaseRevoke:
		return cl.leaseRevoke(x.LeaseRevoke)
	case *ppb.Command_LeaseTimeToLive:
		return cl.leaseTimeToLive(x.LeaseTimeToLive)
	case *ppb.Command_LeaseLeases:
		return cl.leaseLeases()
	case *ppb.Command_LeaseKeepAliveOnce:
		return cl.leaseKeepAliveOnce(x.LeaseKeepAliveOnce)
	case *ppb.Command_Status:
		return cl.status(x.Status)
	case nil:
		return HarnessResult(ppb.HarnessError_BAD_REQUEST, "command has no operation set (empty oneof)")
	}
	if r, ok := cl.runAuth(cmd); ok {
		return r
	}
	return HarnessResult(ppb.HarnessError_UNIMPLEMENTED, "command type not implemented by this performer")
}

// fromErr turns an option-building error into a harness result.
func fromErr(err error) *ppb.CommandResult {
	var he *HarnessErr
	if errors.As(err, &he) {
		return harnessResult(he)
	}
	return HarnessResult(ppb.HarnessError_INTERNAL, err.Error())
}

func (cl *Client) put(p *ppb.PutCommand) *ppb.CommandResult {
	opts := putOpts(p)
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Put(ctx, string(p.Key), string(p.Value), opts...)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_Put{Put: putResult((*pb.PutResponse)(resp))}})
}

func (cl *Client) rangeCmd(r *ppb.RangeCommand) *ppb.CommandResult {
	opts, err := rangeOpts(r)
	if err != nil {
		return fromErr(err)
	}
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Get(ctx, string(r.Key), opts...)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_Range{Range: rangeResult((*pb.RangeResponse)(resp))}})
}

func (cl *Client) deleteRange(d *ppb.DeleteRangeCommand) *ppb.CommandResult {
	opts, err := deleteOpts(d)
	if err != nil {
		return fromErr(err)
	}
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Delete(ctx, string(d.Key), opts...)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_DeleteRange{DeleteRange: deleteResult((*pb.DeleteRangeResponse)(resp))}})
}

func (cl *Client) txn(t *ppb.TxnCommand) *ppb.CommandResult {
	cmps, then, els, err := txnParts(t)
	if err != nil {
		return fromErr(err)
	}
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Txn(ctx).If(cmps...).Then(then...).Else(els...).Commit()
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_Txn{Txn: txnResult((*pb.TxnResponse)(resp))}})
}

func (cl *Client) compact(c *ppb.CompactCommand) *ppb.CommandResult {
	var opts []clientv3.CompactOption
	if c.Physical {
		opts = append(opts, clientv3.WithCompactPhysical())
	}
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Compact(ctx, c.Revision, opts...)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_Compact{Compact: &ppb.CompactResult{Header: header(resp.Header)}}})
}

func (cl *Client) leaseGrant(g *ppb.LeaseGrantCommand) *ppb.CommandResult {
	if g.Id != 0 {
		return HarnessResult(ppb.HarnessError_UNIMPLEMENTED,
			"lease grant with a client-chosen id: clientv3's Lease.Grant(ctx, ttl) cannot choose the id (capability lease.grant.id not claimed)")
	}
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Grant(ctx, g.Ttl)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LeaseGrant{LeaseGrant: &ppb.LeaseGrantResult{
		Header: header(resp.ResponseHeader), Id: int64(resp.ID), Ttl: resp.TTL,
	}}})
}

func (cl *Client) leaseRevoke(r *ppb.LeaseRevokeCommand) *ppb.CommandResult {
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Revoke(ctx, clientv3.LeaseID(r.Id))
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LeaseRevoke{LeaseRevoke: &ppb.LeaseRevokeResult{Header: header(resp.Header)}}})
}

func (cl *Client) leaseTimeToLive(t *ppb.LeaseTimeToLiveCommand) *ppb.CommandResult {
	var opts []clientv3.LeaseOption
	if t.Keys {
		opts = append(opts, clientv3.WithAttachedKeys())
	}
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.TimeToLive(ctx, clientv3.LeaseID(t.Id), opts...)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LeaseTimeToLive{LeaseTimeToLive: &ppb.LeaseTimeToLiveResult{
		Header: header(resp.ResponseHeader), Id: int64(resp.ID), Ttl: resp.TTL, GrantedTtl: resp.GrantedTTL, Keys: resp.Keys,
	}}})
}

func (cl *Client) leaseLeases() *ppb.CommandResult {
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Leases(ctx)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	ids := make([]int64, 0, len(resp.Leases))
	for _, l := range resp.Leases {
		ids = append(ids, int64(l.ID))
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LeaseLeases{LeaseLeases: &ppb.LeaseLeasesResult{
		Header: header(resp.ResponseHeader), Ids: ids,
	}}})
}

func (cl *Client) leaseKeepAliveOnce(k *ppb.LeaseKeepAliveOnceCommand) *ppb.CommandResult {
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.KeepAliveOnce(ctx, clientv3.LeaseID(k.Id))
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_LeaseKeepAliveOnce{LeaseKeepAliveOnce: &ppb.LeaseKeepAliveOnceResult{
		Header: header(resp.ResponseHeader), Id: int64(resp.ID), Ttl: resp.TTL,
	}}})
}

func (cl *Client) status(s *ppb.StatusCommand) *ppb.CommandResult {
	ep := s.Endpoint
	if ep == "" {
		ep = cl.endpoints[0] // Status takes an endpoint exactly as the client was given it
	}
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	resp, err := cl.c.Status(ctx, ep)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err)
	}
	return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_Status{Status: &ppb.StatusResult{
		Header: header(resp.Header), Version: resp.Version, DbSize: resp.DbSize,
		Leader: resp.Leader, RaftIndex: resp.RaftIndex, RaftTerm: resp.RaftTerm,
	}}})
}
