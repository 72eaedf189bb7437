//! Building etcd-client request options from protocol commands, with the SDK's
//! own key-selection helpers (with_prefix / with_from_key / with_range).

use super::Harness;
use crate::pb;
use etcd_client::{
    Compare, CompareOp, DeleteOptions, GetOptions, PutOptions, SortOrder, SortTarget, Txn, TxnOp,
    WatchFilterType, WatchOptions,
};

fn range_kind(kind: i32) -> Result<pb::RangeKind, Harness> {
    pb::RangeKind::try_from(kind).map_err(|_| Harness::bad_request(format!("unknown range kind {kind}")))
}

/// PutOptions: lease, prev_kv, ignore_value, ignore_lease.
pub fn put_options(p: &pb::PutCommand) -> PutOptions {
    let mut o = PutOptions::new();
    if p.lease != 0 {
        o = o.with_lease(p.lease);
    }
    if p.prev_kv {
        o = o.with_prev_key();
    }
    if p.ignore_value {
        o = o.with_ignore_value();
    }
    if p.ignore_lease {
        o = o.with_ignore_lease();
    }
    o
}

fn sort_target(t: i32) -> Result<SortTarget, Harness> {
    Ok(match pb::SortTarget::try_from(t) {
        Ok(pb::SortTarget::Key) => SortTarget::Key,
        Ok(pb::SortTarget::Version) => SortTarget::Version,
        Ok(pb::SortTarget::Create) => SortTarget::Create,
        Ok(pb::SortTarget::Mod) => SortTarget::Mod,
        Ok(pb::SortTarget::Value) => SortTarget::Value,
        Err(_) => return Err(Harness::bad_request(format!("unknown sort target {t}"))),
    })
}

/// GetOptions for a range command (key selection, limit, revision, sort, flags, filters).
pub fn get_options(r: &pb::RangeCommand) -> Result<GetOptions, Harness> {
    let mut o = GetOptions::new();
    o = match range_kind(r.kind)? {
        pb::RangeKind::Single => o,
        pb::RangeKind::Range => o.with_range(r.range_end.clone()),
        pb::RangeKind::Prefix => o.with_prefix(),
        pb::RangeKind::FromKey => o.with_from_key(),
    };
    if r.limit != 0 {
        o = o.with_limit(r.limit);
    }
    if r.revision != 0 {
        o = o.with_revision(r.revision);
    }
    let target = sort_target(r.sort_target)?;
    match pb::SortOrder::try_from(r.sort_order) {
        // a target without an order is sent too: etcd then sorts ascending by it
        Ok(pb::SortOrder::None) if r.sort_target != pb::SortTarget::Key as i32 => {
            o = o.with_sort(target, SortOrder::None)
        }
        Ok(pb::SortOrder::None) => {}
        Ok(pb::SortOrder::Ascend) => o = o.with_sort(target, SortOrder::Ascend),
        Ok(pb::SortOrder::Descend) => o = o.with_sort(target, SortOrder::Descend),
        Err(_) => return Err(Harness::bad_request(format!("unknown sort order {}", r.sort_order))),
    }
    if r.serializable {
        o = o.with_serializable();
    }
    if r.keys_only {
        o = o.with_keys_only();
    }
    if r.count_only {
        o = o.with_count_only();
    }
    if r.min_mod_revision != 0 {
        o = o.with_min_mod_revision(r.min_mod_revision);
    }
    if r.max_mod_revision != 0 {
        o = o.with_max_mod_revision(r.max_mod_revision);
    }
    if r.min_create_revision != 0 {
        o = o.with_min_create_revision(r.min_create_revision);
    }
    if r.max_create_revision != 0 {
        o = o.with_max_create_revision(r.max_create_revision);
    }
    Ok(o)
}

/// DeleteOptions: key selection and prev_kv.
pub fn delete_options(d: &pb::DeleteRangeCommand) -> Result<DeleteOptions, Harness> {
    let mut o = DeleteOptions::new();
    o = match range_kind(d.kind)? {
        pb::RangeKind::Single => o,
        pb::RangeKind::Range => o.with_range(d.range_end.clone()),
        pb::RangeKind::Prefix => o.with_prefix(),
        pb::RangeKind::FromKey => o.with_from_key(),
    };
    if d.prev_kv {
        o = o.with_prev_key();
    }
    Ok(o)
}

/// A txn compare built with Compare::{version, create_revision, mod_revision, value, lease}
/// and Compare::with_range / with_prefix.
pub fn compare(c: &pb::Compare) -> Result<Compare, Harness> {
    let op = match pb::CompareResult::try_from(c.result) {
        Ok(pb::CompareResult::Equal) => CompareOp::Equal,
        Ok(pb::CompareResult::Greater) => CompareOp::Greater,
        Ok(pb::CompareResult::Less) => CompareOp::Less,
        Ok(pb::CompareResult::NotEqual) => CompareOp::NotEqual,
        Err(_) => return Err(Harness::bad_request(format!("unknown compare result {}", c.result))),
    };
    let key = c.key.clone();
    let cmp = match pb::CompareTarget::try_from(c.target) {
        Ok(pb::CompareTarget::Version) => Compare::version(key, op, c.version),
        Ok(pb::CompareTarget::Create) => Compare::create_revision(key, op, c.create_revision),
        Ok(pb::CompareTarget::Mod) => Compare::mod_revision(key, op, c.mod_revision),
        Ok(pb::CompareTarget::Value) => Compare::value(key, op, c.value.clone()),
        Ok(pb::CompareTarget::Lease) => Compare::lease(key, op, c.lease),
        Err(_) => return Err(Harness::bad_request(format!("unknown compare target {}", c.target))),
    };
    Ok(match range_kind(c.kind)? {
        pb::RangeKind::Single => cmp,
        pb::RangeKind::Range => cmp.with_range(c.range_end.clone()),
        pb::RangeKind::Prefix => cmp.with_prefix(),
        pb::RangeKind::FromKey => {
            return Err(Harness::bad_request(
                "compare kind FROM_KEY is not allowed (protocol: SINGLE, RANGE or PREFIX)",
            ))
        }
    })
}

/// A txn operation built with TxnOp::{put, get, delete, txn}.
pub fn txn_op(r: &pb::RequestOp) -> Result<TxnOp, Harness> {
    use pb::request_op::Request;
    match &r.request {
        Some(Request::Put(p)) => Ok(TxnOp::put(p.key.clone(), p.value.clone(), Some(put_options(p)))),
        Some(Request::Range(g)) => Ok(TxnOp::get(g.key.clone(), Some(get_options(g)?))),
        Some(Request::DeleteRange(d)) => Ok(TxnOp::delete(d.key.clone(), Some(delete_options(d)?))),
        Some(Request::Txn(t)) => Ok(TxnOp::txn(txn(t)?)),
        None => Err(Harness::bad_request("txn request op has no request set")),
    }
}

/// Txn::new().when(compares).and_then(success).or_else(failure).
pub fn txn(t: &pb::TxnCommand) -> Result<Txn, Harness> {
    let compares = t.compares.iter().map(compare).collect::<Result<Vec<_>, _>>()?;
    let success = t.success.iter().map(txn_op).collect::<Result<Vec<_>, _>>()?;
    let failure = t.failure.iter().map(txn_op).collect::<Result<Vec<_>, _>>()?;
    Ok(Txn::new().when(compares).and_then(success).or_else(failure))
}

/// WatchOptions: key selection, start revision, prev_kv, progress_notify, filters.
pub fn watch_options(w: &pb::WatchStartCommand) -> Result<WatchOptions, Harness> {
    let mut o = WatchOptions::new();
    o = match range_kind(w.kind)? {
        pb::RangeKind::Single => o,
        pb::RangeKind::Range => o.with_range(w.range_end.clone()),
        pb::RangeKind::Prefix => o.with_prefix(),
        pb::RangeKind::FromKey => o.with_from_key(),
    };
    if w.start_revision != 0 {
        o = o.with_start_revision(w.start_revision);
    }
    if w.prev_kv {
        o = o.with_prev_key();
    }
    if w.progress_notify {
        o = o.with_progress_notify();
    }
    let mut filters = Vec::new();
    for &f in &w.filters {
        match pb::WatchFilter::try_from(f) {
            Ok(pb::WatchFilter::Unspecified) => {}
            Ok(pb::WatchFilter::Noput) => filters.push(WatchFilterType::NoPut),
            Ok(pb::WatchFilter::Nodelete) => filters.push(WatchFilterType::NoDelete),
            Err(_) => return Err(Harness::bad_request(format!("unknown watch filter {f}"))),
        }
    }
    if !filters.is_empty() {
        o = o.with_filters(filters);
    }
    Ok(o)
}
