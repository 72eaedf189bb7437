package etcdsdk

import (
	clientv3 "go.etcd.io/etcd/client/v3"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// keyOpts selects keys with the SDK's own helpers.
func keyOpts(kind ppb.RangeKind, rangeEnd []byte) ([]clientv3.OpOption, error) {
	switch kind {
	case ppb.RangeKind_RANGE_KIND_SINGLE:
		return nil, nil
	case ppb.RangeKind_RANGE_KIND_RANGE:
		return []clientv3.OpOption{clientv3.WithRange(string(rangeEnd))}, nil
	case ppb.RangeKind_RANGE_KIND_PREFIX:
		return []clientv3.OpOption{clientv3.WithPrefix()}, nil
	case ppb.RangeKind_RANGE_KIND_FROM_KEY:
		return []clientv3.OpOption{clientv3.WithFromKey()}, nil
	}
	return nil, badRequest("unknown range kind %d", int32(kind))
}

var sortTargets = map[ppb.SortTarget]clientv3.SortTarget{
	ppb.SortTarget_SORT_TARGET_KEY:     clientv3.SortByKey,
	ppb.SortTarget_SORT_TARGET_VERSION: clientv3.SortByVersion,
	ppb.SortTarget_SORT_TARGET_CREATE:  clientv3.SortByCreateRevision,
	ppb.SortTarget_SORT_TARGET_MOD:     clientv3.SortByModRevision,
	ppb.SortTarget_SORT_TARGET_VALUE:   clientv3.SortByValue,
}

var sortOrders = map[ppb.SortOrder]clientv3.SortOrder{
	ppb.SortOrder_SORT_ORDER_ASCEND:  clientv3.SortAscend,
	ppb.SortOrder_SORT_ORDER_DESCEND: clientv3.SortDescend,
}

func rangeOpts(r *ppb.RangeCommand) ([]clientv3.OpOption, error) {
	opts, err := keyOpts(r.Kind, r.RangeEnd)
	if err != nil {
		return nil, err
	}
	if r.Limit != 0 {
		opts = append(opts, clientv3.WithLimit(r.Limit))
	}
	if r.Revision != 0 {
		opts = append(opts, clientv3.WithRev(r.Revision))
	}
	target, ok := sortTargets[r.SortTarget]
	if !ok {
		return nil, badRequest("unknown sort target %d", int32(r.SortTarget))
	}
	// A target without an order is sent too: etcd then sorts ascending by that target
	// (clientv3.WithSort passes both; dropping the target returned key order).
	if r.SortOrder != ppb.SortOrder_SORT_ORDER_NONE || r.SortTarget != ppb.SortTarget_SORT_TARGET_KEY {
		order := clientv3.SortNone
		if r.SortOrder != ppb.SortOrder_SORT_ORDER_NONE {
			o, ok := sortOrders[r.SortOrder]
			if !ok {
				return nil, badRequest("unknown sort order %d", int32(r.SortOrder))
			}
			order = o
		}
		opts = append(opts, clientv3.WithSort(target, order))
	}
	if r.Serializable {
		opts = append(opts, clientv3.WithSerializable())
	}
	if r.KeysOnly {
		opts = append(opts, clientv3.WithKeysOnly())
	}
	if r.CountOnly {
		opts = append(opts, clientv3.WithCountOnly())
	}
	if r.MinModRevision != 0 {
		opts = append(opts, clientv3.WithMinModRev(r.MinModRevision))
	}
	if r.MaxModRevision != 0 {
		opts = append(opts, clientv3.WithMaxModRev(r.MaxModRevision))
	}
	if r.MinCreateRevision != 0 {
		opts = append(opts, clientv3.WithMinCreateRev(r.MinCreateRevision))
	}
	if r.MaxCreateRevision != 0 {
		opts = append(opts, clientv3.WithMaxCreateRev(r.MaxCreateRevision))
	}
	return opts, nil
}

func putOpts(p *ppb.PutCommand) []clientv3.OpOption {
	var opts []clientv3.OpOption
	if p.Lease != 0 {
		opts = append(opts, clientv3.WithLease(clientv3.LeaseID(p.Lease)))
	}
	if p.PrevKv {
		opts = append(opts, clientv3.WithPrevKV())
	}
	if p.IgnoreValue {
		opts = append(opts, clientv3.WithIgnoreValue())
	}
	if p.IgnoreLease {
		opts = append(opts, clientv3.WithIgnoreLease())
	}
	return opts
}

func deleteOpts(d *ppb.DeleteRangeCommand) ([]clientv3.OpOption, error) {
	opts, err := keyOpts(d.Kind, d.RangeEnd)
	if err != nil {
		return nil, err
	}
	if d.PrevKv {
		opts = append(opts, clientv3.WithPrevKV())
	}
	return opts, nil
}

var compareOps = map[ppb.CompareResult]string{
	ppb.CompareResult_COMPARE_RESULT_EQUAL:     "=",
	ppb.CompareResult_COMPARE_RESULT_GREATER:   ">",
	ppb.CompareResult_COMPARE_RESULT_LESS:      "<",
	ppb.CompareResult_COMPARE_RESULT_NOT_EQUAL: "!=",
}

// compare builds a clientv3.Cmp with the SDK's constructors.
func compare(c *ppb.Compare) (clientv3.Cmp, error) {
	op, ok := compareOps[c.Result]
	if !ok {
		return clientv3.Cmp{}, badRequest("unknown compare result %d", int32(c.Result))
	}
	key := string(c.Key)
	var cmp clientv3.Cmp
	switch c.Target {
	case ppb.CompareTarget_COMPARE_TARGET_VERSION:
		cmp = clientv3.Compare(clientv3.Version(key), op, c.Version)
	case ppb.CompareTarget_COMPARE_TARGET_CREATE:
		cmp = clientv3.Compare(clientv3.CreateRevision(key), op, c.CreateRevision)
	case ppb.CompareTarget_COMPARE_TARGET_MOD:
		cmp = clientv3.Compare(clientv3.ModRevision(key), op, c.ModRevision)
	case ppb.CompareTarget_COMPARE_TARGET_VALUE:
		cmp = clientv3.Compare(clientv3.Value(key), op, string(c.Value))
	case ppb.CompareTarget_COMPARE_TARGET_LEASE:
		cmp = clientv3.Compare(clientv3.LeaseValue(key), op, clientv3.LeaseID(c.Lease))
	default:
		return clientv3.Cmp{}, badRequest("unknown compare target %d", int32(c.Target))
	}
	switch c.Kind {
	case ppb.RangeKind_RANGE_KIND_SINGLE:
	case ppb.RangeKind_RANGE_KIND_RANGE:
		cmp = cmp.WithRange(string(c.RangeEnd))
	case ppb.RangeKind_RANGE_KIND_PREFIX:
		cmp = cmp.WithPrefix()
	case ppb.RangeKind_RANGE_KIND_FROM_KEY:
		return clientv3.Cmp{}, badRequest("compare kind FROM_KEY is not allowed (protocol: SINGLE, RANGE or PREFIX)")
	default:
		return clientv3.Cmp{}, badRequest("unknown compare range kind %d", int32(c.Kind))
	}
	return cmp, nil
}

// requestOp builds a txn op with OpPut / OpGet / OpDelete / OpTxn.
func requestOp(r *ppb.RequestOp) (clientv3.Op, error) {
	switch x := r.GetRequest().(type) {
	case *ppb.RequestOp_Put:
		return clientv3.OpPut(string(x.Put.Key), string(x.Put.Value), putOpts(x.Put)...), nil
	case *ppb.RequestOp_Range:
		opts, err := rangeOpts(x.Range)
		if err != nil {
			return clientv3.Op{}, err
		}
		return clientv3.OpGet(string(x.Range.Key), opts...), nil
	case *ppb.RequestOp_DeleteRange:
		opts, err := deleteOpts(x.DeleteRange)
		if err != nil {
			return clientv3.Op{}, err
		}
		return clientv3.OpDelete(string(x.DeleteRange.Key), opts...), nil
	case *ppb.RequestOp_Txn:
		cmps, then, els, err := txnParts(x.Txn)
		if err != nil {
			return clientv3.Op{}, err
		}
		return clientv3.OpTxn(cmps, then, els), nil
	case nil:
		return clientv3.Op{}, badRequest("txn request op has no request set")
	}
	return clientv3.Op{}, unimplemented("txn request op %T is not implemented", r.GetRequest())
}

func txnParts(t *ppb.TxnCommand) (cmps []clientv3.Cmp, then, els []clientv3.Op, err error) {
	for _, c := range t.Compares {
		cmp, err := compare(c)
		if err != nil {
			return nil, nil, nil, err
		}
		cmps = append(cmps, cmp)
	}
	for _, r := range t.Success {
		op, err := requestOp(r)
		if err != nil {
			return nil, nil, nil, err
		}
		then = append(then, op)
	}
	for _, r := range t.Failure {
		op, err := requestOp(r)
		if err != nil {
			return nil, nil, nil, err
		}
		els = append(els, op)
	}
	return cmps, then, els, nil
}
