//! The Workload command (capability perf.workload): SDK clients and workers in this
//! process, no RPC to the driver per operation, one report per interval.
//!
//! The reference is go-clientv3's internal/workload (docs/perf.md): the same defaults,
//! bounds, key naming, latency buckets and report fields. Each client is one
//! `Client::connect([endpoint])` (one channel); each worker a tokio task with a clone of
//! its client (clones share the channel). Every operation runs under the SDK's request
//! timeout (ConnectOptions::with_timeout) and the performer's backstop of the same length.
//! The driver's cancel or the stream's deadline drops the response stream: the runner
//! sees its sender closed and aborts the worker tasks, which drops the calls in flight.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use etcd_client::{Client, ConnectOptions, GetOptions, Txn, TxnOp};
use tokio::sync::mpsc;
use tonic::Status;

use crate::pb::{self, WorkloadOp, WorkloadReport};
use crate::sdk::{bounded, DEFAULT_DIAL_TIMEOUT, DEFAULT_REQUEST_TIMEOUT};

const MAX_CLIENTS: u32 = 10_000;
const MAX_WORKERS: u32 = 100_000;
const MAX_KEY_SPACE: u64 = 10_000_000;
const MAX_VALUE: u32 = 1 << 20;
/// The protocol's latency buckets (LatencyHistogram in performer.proto): exact below
/// 128 us, then 64 buckets per power of two; indexes capped like go-clientv3's.
pub const MAX_BUCKET: u32 = 2047;

/// The bucket index of a latency in microseconds.
pub fn bucket_of(us: u64) -> u32 {
    let bits = 64 - us.leading_zeros() as i64;
    let m = (bits - 7).max(0) as u32;
    let idx = ((m as u64) << 6) + (us >> m);
    idx.min(MAX_BUCKET as u64) as u32
}

/// One latency histogram (each worker owns one, behind its tally's lock).
#[derive(Clone)]
pub struct Hist {
    counts: Vec<u64>,
    total: u64,
    sum: u64,
    max: u64,
    min: u64,
}

impl Default for Hist {
    fn default() -> Self {
        Hist { counts: vec![0; MAX_BUCKET as usize + 1], total: 0, sum: 0, max: 0, min: 0 }
    }
}

impl Hist {
    pub fn record(&mut self, us: u64) {
        self.counts[bucket_of(us) as usize] += 1;
        if self.total == 0 || us < self.min {
            self.min = us;
        }
        self.max = self.max.max(us);
        self.total += 1;
        self.sum += us;
    }

    pub fn merge(&mut self, o: &Hist) {
        if o.total == 0 {
            return;
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        if self.total == 0 || o.min < self.min {
            self.min = o.min;
        }
        self.max = self.max.max(o.max);
        self.total += o.total;
        self.sum += o.sum;
    }

    pub fn proto(&self) -> pb::LatencyHistogram {
        let mut h = pb::LatencyHistogram { total: self.total, sum_us: self.sum, max_us: self.max, min_us: self.min, ..Default::default() };
        for (i, &c) in self.counts.iter().enumerate() {
            if c != 0 {
                h.bucket.push(i as u32);
                h.count.push(c);
            }
        }
        h
    }
}

/// This process's CPU time, user + system (Linux /proc/self/stat, USER_HZ 100).
fn cpu_seconds() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = s.rfind(')').map(|i| &s[i + 1..]) else { return 0.0 };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    (tick(11) + tick(12)) as f64 / 100.0
}

/// This process's resident set size (Linux /proc/self/statm, 4 KiB pages).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        .map(|p| p * 4096)
        .unwrap_or(0)
}

/// A validated WorkloadRequest with the protocol's defaults applied.
pub struct Spec {
    pub endpoints: Vec<String>,
    pub clients: usize,
    pub workers: usize,
    pub ops: Vec<WorkloadOp>,
    pub key_space: u64,
    pub sequential: bool,
    pub key_size: usize,
    pub value: Vec<u8>,
    pub prefix: Vec<u8>,
    pub duration: Option<Duration>,
    pub total: u64,
    pub rate: f64,
    pub interval: Duration,
    pub dial_timeout: Duration,
    pub request_timeout: Duration,
    pub range_limit: i64,
    pub prefill: bool,
}

/// Checks a request; the error is an INVALID_ARGUMENT message naming the field.
pub fn parse(req: &pb::WorkloadRequest) -> Result<Spec, String> {
    let bad = |m: String| Err(format!("Workload: {m}"));
    if req.endpoints.is_empty() {
        return bad("endpoints: at least one is needed".into());
    }
    if req.key_prefix.is_empty() {
        return bad("key_prefix: required (the run's namespace)".into());
    }
    if req.duration_ms == 0 && req.total_ops == 0 {
        return bad("give duration_ms or total_ops (or both): a workload must end".into());
    }
    let clients = req.clients.max(1);
    let workers = if req.concurrency == 0 { clients } else { req.concurrency };
    if clients > MAX_CLIENTS || workers > MAX_WORKERS {
        return bad(format!("clients {clients} / concurrency {workers}: at most {MAX_CLIENTS} / {MAX_WORKERS}"));
    }
    let key_space = req.key_space.max(1);
    if key_space > MAX_KEY_SPACE {
        return bad(format!("key_space {key_space}: at most {MAX_KEY_SPACE}"));
    }
    let size = if req.value_size == 0 { 8 } else { req.value_size };
    if size > MAX_VALUE {
        return bad(format!("value_size {size}: at most {MAX_VALUE}"));
    }
    if req.target_rate < 0.0 || req.target_rate.is_nan() {
        return bad(format!("target_rate {}: must be >= 0 (0: closed loop)", req.target_rate));
    }
    let mut ops = Vec::new();
    for w in &req.mix {
        let op = match WorkloadOp::try_from(w.op) {
            Ok(op) if op != WorkloadOp::Unspecified => op,
            _ => return bad(format!("mix: unknown op {}", w.op)),
        };
        if w.weight > 1000 {
            return bad(format!("mix: weight {} of {:?}: at most 1000", w.weight, op));
        }
        ops.extend(std::iter::repeat_n(op, w.weight as usize));
    }
    if req.mix.is_empty() {
        ops.push(WorkloadOp::Put);
    }
    if ops.is_empty() {
        return bad("mix: every weight is 0".into());
    }
    let ms = |v: u32, d: Duration| if v == 0 { d } else { Duration::from_millis(v as u64) };
    Ok(Spec {
        endpoints: req.endpoints.clone(),
        clients: clients as usize,
        workers: workers as usize,
        ops,
        key_space,
        sequential: req.key_distribution == pb::KeyDistribution::Sequential as i32,
        key_size: req.key_size as usize,
        value: (0..size).map(|i| b'a' + (i % 26) as u8).collect(),
        prefix: req.key_prefix.clone(),
        duration: (req.duration_ms > 0).then(|| Duration::from_millis(req.duration_ms)),
        total: req.total_ops,
        rate: req.target_rate,
        interval: ms(req.report_interval_ms, Duration::from_secs(1)),
        dial_timeout: ms(req.dial_timeout_ms, DEFAULT_DIAL_TIMEOUT),
        request_timeout: ms(req.request_timeout_ms, DEFAULT_REQUEST_TIMEOUT),
        range_limit: if req.range_limit == 0 { 10 } else { req.range_limit as i64 },
        prefill: req.prefill,
    })
}

impl Spec {
    /// Key i of the key space: the prefix, then i zero-padded to key_size bytes in all.
    pub fn key(&self, i: u64) -> Vec<u8> {
        let digits = i.to_string();
        let mut k = self.prefix.clone();
        let pad = self.key_size.saturating_sub(self.prefix.len() + digits.len());
        k.extend(std::iter::repeat_n(b'0', pad));
        k.extend_from_slice(digits.as_bytes());
        k
    }
}

fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut b = prefix.to_vec();
    while let Some(last) = b.pop() {
        if last < 0xff {
            b.push(last + 1);
            return b;
        }
    }
    vec![0]
}

/// What one worker measured since the last report.
#[derive(Default)]
struct Tally {
    hist: Hist,
    errs: BTreeMap<i32, u64>,
    samples: BTreeMap<i32, String>,
    ops: u64,
}

/// One operation through the SDK (the Failure carries the SDK's error or the backstop).
async fn run_op(c: &mut Client, s: &Spec, op: WorkloadOp, key: Vec<u8>, range_end: &[u8]) -> Result<(), pb::SdkError> {
    let limit = s.request_timeout;
    let r = match op {
        WorkloadOp::Put => bounded(limit, c.put(key, s.value.clone(), None)).await.map(|_| ()),
        WorkloadOp::Get => bounded(limit, c.get(key, None)).await.map(|_| ()),
        WorkloadOp::Range => {
            let opts = GetOptions::new().with_range(range_end.to_vec()).with_limit(s.range_limit);
            bounded(limit, c.get(key, Some(opts))).await.map(|_| ())
        }
        WorkloadOp::Txn => {
            let txn = Txn::new().and_then(vec![TxnOp::put(key, s.value.clone(), None)]);
            bounded(limit, c.txn(txn)).await.map(|_| ())
        }
        WorkloadOp::Delete => bounded(limit, c.delete(key, None)).await.map(|_| ()),
        WorkloadOp::Unspecified => Ok(()),
    };
    r.map_err(|f| f.error("Workload operation"))
}

fn micros(since: Instant) -> u64 {
    since.elapsed().as_micros() as u64
}

/// The Workload RPC's stream: reports from a task that runs the workload.
pub fn start(spec: Spec) -> tonic::codegen::BoxStream<WorkloadReport> {
    let (tx, rx) = mpsc::channel::<WorkloadReport>(16);
    tokio::spawn(async move {
        let t0 = Instant::now();
        let how = run(Arc::new(spec), tx).await;
        logln!("Workload {how} after {:.1}s", t0.elapsed().as_secs_f64());
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|r| (Ok::<_, Status>(r), rx)) });
    Box::pin(stream)
}

async fn run(s: Arc<Spec>, tx: mpsc::Sender<WorkloadReport>) -> &'static str {
    let mut clients: Vec<Client> = Vec::new();
    let mut connect_us: Vec<u64> = Vec::new();
    let mut failures = 0u32;
    let options = ConnectOptions::new().with_connect_timeout(s.dial_timeout).with_timeout(s.request_timeout);
    for i in 0..s.clients {
        if tx.is_closed() {
            return "cancelled";
        }
        let t0 = Instant::now();
        let limit = s.dial_timeout + s.request_timeout;
        let got = match bounded(limit, Client::connect(&s.endpoints[..1], Some(options.clone()))).await {
            Ok(mut c) => match bounded(limit, c.get(s.prefix.clone(), None)).await {
                Ok(_) => Ok(c),
                Err(f) => Err(f.error("the first get")),
            },
            Err(f) => Err(f.error("Client::connect")),
        };
        match got {
            Ok(c) => {
                connect_us.push(micros(t0));
                clients.push(c);
            }
            Err(e) => {
                failures += 1;
                logln!("Workload: client {i} could not connect: {}: {}", e.sdk_type, e.message);
            }
        }
    }
    let n_clients = clients.len() as u32;
    let base = move || WorkloadReport {
        connections: n_clients,
        connect_failures: failures,
        cpu_seconds: cpu_seconds(),
        rss_bytes: rss_bytes(),
        ..Default::default()
    };
    if clients.is_empty() {
        let r = WorkloadReport {
            r#final: true,
            connect_us,
            harness_error: format!("no client could connect to {:?} ({failures} tried); see the performer log", s.endpoints),
            ..base()
        };
        let _ = tx.send(r).await;
        return "failed";
    }
    let mut prefill_ms = 0u64;
    if s.prefill {
        let t0 = Instant::now();
        let next = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for w in 0..s.workers.min(64) {
            let (s, next, mut c) = (s.clone(), next.clone(), clients[w % clients.len()].clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= s.key_space {
                        return Ok(());
                    }
                    run_op(&mut c, &s, WorkloadOp::Put, s.key(i), &[]).await?;
                }
            }));
        }
        let mut first: Option<pb::SdkError> = None;
        let aborts: Vec<_> = tasks.iter().map(|t| t.abort_handle()).collect();
        tokio::select! {
            results = futures_util::future::join_all(tasks) => {
                for r in results {
                    if let Ok(Err(e)) = r {
                        first.get_or_insert(e);
                    }
                }
            }
            _ = tx.closed() => {
                aborts.iter().for_each(|t| t.abort());
                return "cancelled";
            }
        }
        if let Some(e) = first {
            let r = WorkloadReport {
                r#final: true,
                connect_us,
                harness_error: format!("prefill failed: {}: {}", e.sdk_type, e.message),
                ..base()
            };
            let _ = tx.send(r).await;
            return "failed";
        }
        prefill_ms = t0.elapsed().as_millis() as u64;
        logln!("Workload: prefill of {} keys took {prefill_ms} ms", s.key_space);
    }

    let tallies: Vec<Arc<Mutex<Tally>>> = (0..s.workers).map(|_| Arc::new(Mutex::new(Tally::default()))).collect();
    let start = Instant::now();
    let deadline = s.duration.map(|d| tokio::time::Instant::from_std(start + d));
    let claimed = Arc::new(AtomicU64::new(0));
    let seq = Arc::new(AtomicU64::new(0));
    let range_end = Arc::new(prefix_end(&s.prefix));
    let mut workers = Vec::with_capacity(s.workers);
    for w in 0..s.workers {
        let (s, tally, claimed, seq, range_end) = (s.clone(), tallies[w].clone(), claimed.clone(), seq.clone(), range_end.clone());
        let mut c = clients[w % clients.len()].clone();
        workers.push(tokio::spawn(async move {
            // xorshift64*, seeded per worker
            let mut x: u64 = (start.elapsed().as_nanos() as u64 ^ 0x9E37_79B9_7F4A_7C15).wrapping_add(w as u64 * 0x2545_F491_4F6C_DD1D) | 1;
            let mut rnd = move |n: u64| {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                x.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
            };
            loop {
                if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                    return;
                }
                let n = claimed.fetch_add(1, Ordering::Relaxed) + 1;
                if s.total > 0 && n > s.total {
                    return;
                }
                let mut began = Instant::now();
                if s.rate > 0.0 {
                    began = start + Duration::from_secs_f64((n - 1) as f64 / s.rate);
                    tokio::time::sleep_until(tokio::time::Instant::from_std(began)).await;
                    if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                        return;
                    }
                }
                let i = if s.sequential { seq.fetch_add(1, Ordering::Relaxed) % s.key_space } else { rnd(s.key_space) };
                let op = if s.ops.len() == 1 { s.ops[0] } else { s.ops[rnd(s.ops.len() as u64) as usize] };
                let call = run_op(&mut c, &s, op, s.key(i), &range_end);
                let r = match deadline {
                    // the run's end cancels the call in flight, as go-clientv3's context does
                    Some(d) => match tokio::time::timeout_at(d, call).await {
                        Ok(r) => r,
                        Err(_) => return,
                    },
                    None => call.await,
                };
                let us = micros(began);
                let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
                match r {
                    Ok(()) => {
                        t.hist.record(us);
                        t.ops += 1;
                    }
                    Err(e) => {
                        *t.errs.entry(e.code).or_default() += 1;
                        t.samples.entry(e.code).or_insert_with(|| format!("{}: {}", e.sdk_type, e.message));
                    }
                }
            }
        }));
    }

    let mut total = Hist::default();
    let mut total_errs: BTreeMap<i32, u64> = BTreeMap::new();
    let mut samples: BTreeMap<i32, String> = BTreeMap::new();
    let mut total_ops = 0u64;
    let mut collect = |total: &mut Hist| {
        let mut h = Hist::default();
        let mut errs: BTreeMap<i32, u64> = BTreeMap::new();
        let mut ops = 0u64;
        for t in &tallies {
            let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
            h.merge(&t.hist);
            t.hist = Hist::default();
            for (c, n) in std::mem::take(&mut t.errs) {
                *errs.entry(c).or_default() += n;
                if let Some(m) = t.samples.get(&c) {
                    samples.entry(c).or_insert_with(|| m.clone());
                }
            }
            ops += t.ops;
            t.ops = 0;
        }
        total.merge(&h);
        for (c, n) in &errs {
            *total_errs.entry(*c).or_default() += n;
        }
        total_ops += ops;
        (h, errs, ops, samples.clone())
    };
    let err_list = |m: &BTreeMap<i32, u64>, samples: &BTreeMap<i32, String>| -> Vec<pb::WorkloadErrorCount> {
        m.iter()
            .map(|(c, n)| pb::WorkloadErrorCount { code: *c, count: *n, sample: samples.get(c).cloned().unwrap_or_default() })
            .collect()
    };
    let aborts: Vec<_> = workers.iter().map(|w| w.abort_handle()).collect();
    let abort_all = || aborts.iter().for_each(|w| w.abort());
    let mut all = futures_util::future::join_all(workers);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::from_std(start + s.interval), s.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seq_no = 0u32;
    let mut last = start;
    let ms = |d: Duration| d.as_millis() as u64;
    loop {
        tokio::select! {
            _ = &mut all => break,
            _ = tx.closed() => {
                abort_all();
                return "cancelled";
            }
            _ = ticker.tick() => {
                let now = Instant::now();
                let (h, errs, ops, samples) = collect(&mut total);
                let mut r = WorkloadReport {
                    seq: seq_no,
                    elapsed_ms: ms(now - start),
                    interval_ms: ms(now - last),
                    ops,
                    errors: err_list(&errs, &samples),
                    latency: Some(h.proto()),
                    ..base()
                };
                if seq_no == 0 {
                    r.connect_us = connect_us.clone();
                    r.prefill_ms = prefill_ms;
                }
                if tx.send(r).await.is_err() {
                    abort_all();
                    return "cancelled";
                }
                seq_no += 1;
                last = now;
            }
        }
    }
    let end = Instant::now();
    let (h, errs, ops, samples) = collect(&mut total);
    if ops > 0 || !errs.is_empty() {
        let mut r = WorkloadReport {
            seq: seq_no,
            elapsed_ms: ms(end - start),
            interval_ms: ms(end - last),
            ops,
            errors: err_list(&errs, &samples),
            latency: Some(h.proto()),
            ..base()
        };
        if seq_no == 0 {
            r.connect_us = connect_us.clone();
            r.prefill_ms = prefill_ms;
        }
        if tx.send(r).await.is_err() {
            return "cancelled";
        }
        seq_no += 1;
    }
    let r = WorkloadReport {
        seq: seq_no,
        r#final: true,
        elapsed_ms: ms(end - start),
        interval_ms: ms(end - start),
        ops: total_ops,
        errors: err_list(&total_errs, &samples),
        latency: Some(total.proto()),
        connect_us,
        prefill_ms,
        ..base()
    };
    if tx.send(r).await.is_err() {
        return "cancelled";
    }
    "done"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// go-clientv3's sharedBucketEdges (internal/workload/histogram_test.go), the reference.
    const SHARED_BUCKET_EDGES: &[(u64, u32)] = &[
        (0, 0), (1, 1), (127, 127), (128, 128), (129, 128), (130, 129), (255, 191), (256, 192),
        (1000, 317), (1023, 319), (1024, 320), (4095, 447), (4096, 448), (65535, 703), (65536, 704),
        (1000000, 954), (2147483647, 1663), (2147483648, 1664), (4294967295, 1727), (4294967296, 1728),
        (1099511627776, 2047),
    ];

    #[test]
    fn bucket_edges_match_go() {
        for &(us, idx) in SHARED_BUCKET_EDGES {
            assert_eq!(bucket_of(us), idx, "bucket_of({us})");
        }
        assert_eq!(bucket_of(u64::MAX), MAX_BUCKET);
    }

    #[test]
    fn hist_merge_and_proto() {
        let (mut a, mut b) = (Hist::default(), Hist::default());
        a.record(5);
        a.record(300);
        b.record(5);
        a.merge(&b);
        let p = a.proto();
        assert_eq!((p.total, p.sum_us, p.max_us, p.min_us, p.bucket, p.count), (3, 310, 300, 5, vec![5, 203], vec![2, 1]));
    }

    #[test]
    fn parse_refuses_endless_and_unknown() {
        let base = pb::WorkloadRequest { endpoints: vec!["x".into()], key_prefix: b"p/".to_vec(), ..Default::default() };
        assert!(parse(&base).is_err());
        let unknown = pb::WorkloadRequest { total_ops: 1, mix: vec![pb::OpWeight { op: 99, weight: 1 }], ..base.clone() };
        assert!(parse(&unknown).is_err());
        let s = parse(&pb::WorkloadRequest { total_ops: 1, key_size: 8, ..base }).unwrap();
        assert_eq!(s.key(42), b"p/000042".to_vec());
    }
}
