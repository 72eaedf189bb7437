"""etcdfit perf: profile loading (strict, file:line errors), the protocol's histogram, the
benchmark tool's flags and output, summaries/ratios, the gate, the report, and one end-to-end
smoke run against go-clientv3 when it is built. No figure is asserted: machines differ."""

import copy
import json
from pathlib import Path

import pytest

from etcdfit.cli import main as cli
from etcdfit.errors import ConfigError
from etcdfit.perf import benchtool, gate, html, profile, results
from etcdfit.perf.histogram import Histogram, bucket_bounds, bucket_of

GOOD = """\
version: 1
defaults:
  key_space: 50
steps:
  - name: put-a
    mix: {put: 1}
    clients: 2
    ops: 100
  - name: mixed
    mix: {get: 2, txn: 1}
    duration_s: 1.5
"""


def _load(tmp_path: Path, text: str) -> profile.Profile:
    p = tmp_path / "p.yaml"
    p.write_text(text)
    return profile.load(str(p))


def test_profile_defaults_apply_and_steps_keep_their_order(tmp_path):
    prof = _load(tmp_path, GOOD)
    assert [s.name for s in prof.steps] == ["put-a", "mixed"]
    assert prof.steps[0].key_space == 50 and prof.steps[0].workers == 2
    assert prof.steps[1].mix == {"get": 2, "txn": 1} and prof.steps[1].duration_s == 1.5
    assert prof.steps[1].deadline_s == 121.5


@pytest.mark.parametrize("name", ["smoke", "standard", "ramp", "soak"])
def test_shipped_profiles_load(name):
    assert profile.load(name).steps


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace("version: 1", "version: 2"), r"p.yaml:1: version 2 is not supported"),
        (GOOD.replace("clients: 2", "clientz: 2"), r"p.yaml:7: step 1 has no field 'clientz'"),
        (GOOD.replace("clients: 2", "clients: two"), r"p.yaml:7: step 1: clients is 'two'; it must be a whole"),
        (GOOD.replace("clients: 2", "clients: true"), r"p.yaml:7: step 1: clients is True"),
        (GOOD.replace("{put: 1}", "{putt: 1}"), r"p.yaml:6: step 1: mix has no op 'putt'"),
        (GOOD.replace("{put: 1}", "{put: 0}"), r"p.yaml:6: step 1: mix has no op with a weight above 0"),
        (GOOD.replace("    duration_s: 1.5\n", ""), r"p.yaml:9: step 2 \(mixed\): give ops or duration_s"),
        (GOOD.replace("name: mixed", "name: put-a"), r"p.yaml:9: step 2: the name 'put-a' is used twice"),
        (GOOD.replace("key_space: 50", "key_space: 0"), r"p.yaml:3: defaults: key_space is 0"),
        (GOOD.replace("steps:", "stepz:"), r"p.yaml:4: the profile has no field 'stepz'"),
    ],
)
def test_bad_profiles_name_file_line_and_field(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, text)


def test_unknown_profile_lists_the_shipped_ones():
    with pytest.raises(ConfigError, match="no profile named 'smok'; profiles: ramp, smoke, soak, standard"):
        profile.load("smok")


def test_histogram_buckets_match_the_protocol_and_percentiles_stay_within_a_bucket():
    assert [bucket_of(v) for v in (0, 127, 128, 130, 255, 256, 1000)] == [0, 127, 128, 129, 191, 192, 317]
    for v in (0, 5, 127, 128, 999, 123456, 10**9):
        lo, hi = bucket_bounds(bucket_of(v))
        assert lo <= v < hi and hi - lo <= max(1, lo // 64)
    h = Histogram()
    for v in range(1, 1001):  # 1..1000 us
        h.merge(Histogram({bucket_of(v): 1}, 1, v, v, v))
    s = h.summary()
    assert abs(s["p50"] - 500) <= 500 / 64 + 1 and abs(s["p99"] - 990) <= 990 / 64 + 1
    assert s["max"] == 1000 and s["mean"] == 500.5
    assert Histogram.from_json(h.to_json()) == h


def test_benchtool_maps_single_op_steps_and_refuses_the_rest():
    steps = {s.name: s for s in profile.load("standard").steps}
    argv, _ = benchtool.step_argv(steps["put-c10"], "http://127.0.0.1:2379")
    assert argv == ["--endpoints", "127.0.0.1:2379", "--clients", "10", "--conns", "10", "--precise", "put",
                    "--total", "20000", "--key-size", "8", "--val-size", "256", "--key-space-size", "10000"]
    argv, _ = benchtool.step_argv(steps["get-c10"], "127.0.0.1:1")
    assert argv is not None and argv[7:9] == ["range", benchtool.RANGE_KEY]
    argv, _ = benchtool.step_argv(steps["txn-c10"], "127.0.0.1:1")
    assert argv is not None and "txn-put" in argv and "--txn-ops" in argv
    mixed = profile.load("smoke").steps[1]
    assert benchtool.step_argv(mixed, "x")[1].startswith("etcd's benchmark tool has no command for the mix")
    soak = profile.load("soak").steps[0]
    assert benchtool.step_argv(soak, "x")[0] is None


TOOL_OUTPUT = """
Summary:
  Total:\t0.5 secs.
  Slowest:\t0.0078 secs.
  Fastest:\t0.0002 secs.
  Average:\t0.0011 secs.
  Stddev:\t0.0009 secs.
  Requests/sec:\t4000.5

Response time histogram:
  0.0002 [1]\t|
  0.0009 [1500]\t|∎∎∎∎
  0.0078 [499]\t|∎

Latency distribution:
  10% in 0.0005 secs.
  50% in 0.0008 secs.
  90% in 0.0016 secs.
  99% in 0.0051 secs.
  99.9% in 0.0078 secs.

Error distribution:
  [3]\trpc error: code = Unavailable desc = x
"""


def test_benchtool_output_is_parsed_into_the_result_shape():
    r = benchtool.parse(TOOL_OUTPUT)
    assert r.throughput == 4000.5 and r.ops == 2000 and r.wall_s == 0.5
    assert r.latency_us["p50"] == pytest.approx(800) and r.latency_us["p999"] == pytest.approx(7800)
    assert r.latency_us["max"] == pytest.approx(7800)
    assert r.errors == {"rpc error: code = Unavailable desc = x": 3}
    with pytest.raises(benchtool.BenchToolError, match="no 'Total:' line"):
        benchtool.parse("Error: connection refused")


def _run(subject, kind, tp, p99, rep=0, status="ok"):
    r = {"subject": subject, "kind": kind, "repeat": rep, "status": status}
    if status == "ok":
        r.update(throughput=tp, latency_us={"p50": p99 / 2, "p90": p99, "p99": p99, "p999": p99, "max": p99,
                                            "mean": p99 / 2}, errors={})
    else:
        r["reason"] = "capability perf.workload not claimed"
    return r


def _doc(runs):
    step = {"name": "put", "config": {"clients": 1}, "runs": runs, "summary": []}
    step["summary"] = results.summarize(step)
    return {"schema": results.SCHEMA, "steps": [step], "profile": {"name": "t"}, "subjects": [],
            "server": {"spec": "embedded", "version": "3.5.1"}, "started": "now", "repeat": 1, "host": {}}


def test_summary_is_the_median_over_repeats_with_the_ratio_to_the_tool():
    doc = _doc([_run("etcd-benchmark@3.6.8", "tool", 1000, 2000),
                *(_run("go-clientv3@3.6.16", "performer", tp, 2000, rep) for rep, tp in enumerate([900, 100, 950])),
                _run("node-etcd3@1.1.2", "performer", 0, 0, status="skipped")])
    rows = {r["subject"]: r for r in doc["steps"][0]["summary"]}
    assert rows["go-clientv3@3.6.16"]["throughput"] == 900 and rows["go-clientv3@3.6.16"]["repeats"] == 3
    assert rows["go-clientv3@3.6.16"]["ratio_to_tool"] == pytest.approx(0.9)
    assert rows["node-etcd3@1.1.2"]["status"] == "skipped"
    assert "perf.workload" in rows["node-etcd3@1.1.2"]["reason"]


def test_gate_fails_on_throughput_loss_or_p99_rise_and_passes_against_itself(tmp_path, capsys):
    base = _doc([_run("go-clientv3@3.6.16", "performer", 1000, 2000)])
    slow = _doc([_run("go-clientv3@3.7.3", "performer", 850, 2600)])
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "slow.json").write_text(json.dumps(slow))
    assert cli(["gate", "--perf", str(tmp_path / "base.json"), "--perf-current", str(tmp_path / "base.json")]) == 0
    assert "PASS" in capsys.readouterr().out
    assert cli(["gate", "--perf", str(tmp_path / "base.json"), "--perf-current", str(tmp_path / "slow.json")]) == 1
    out = capsys.readouterr().out
    assert "throughput 850 ops/s vs 1000 (15% loss, limit 10%)" in out and "(30% rise, limit 20%)" in out
    # within one file: a later version of an SDK against its first
    both = _doc([_run("go-clientv3@3.6.16", "performer", 1000, 2000), _run("go-clientv3@3.7.3", "performer", 950,
                                                                           2100)])
    pairs = gate.pairs_within(both)
    assert [(p.base["subject"], p.current["subject"]) for p in pairs] == [("go-clientv3@3.6.16", "go-clientv3@3.7.3")]
    assert gate.compare(pairs, 0.10, 0.20)[0] == []


def test_gate_refuses_a_file_that_is_not_perf_results(tmp_path, capsys):
    (tmp_path / "x.json").write_text('{"schema": "etcdfit.results/v1"}')
    assert cli(["gate", "--perf", str(tmp_path / "x.json")]) == 2
    assert "is not etcdfit perf results" in capsys.readouterr().err


def test_report_is_self_contained_with_inline_svg(tmp_path):
    doc = _doc([_run("etcd-benchmark@3.6.8", "tool", 1000, 2000), _run("go-clientv3@3.6.16", "performer", 900, 2100)])
    run = doc["steps"][0]["runs"][1]
    run["timeline"] = [{"t_s": t, "ops_per_s": 900, "p99_us": 2000, "rss_bytes": 10 << 20, "cpu_s": t} for t in (1, 2, 3)]
    doc["subjects"] = [{"id": "etcd-benchmark@3.6.8", "kind": "tool"}, {"id": "go-clientv3@3.6.16", "kind": "performer"}]
    doc2 = copy.deepcopy(doc)
    page = html.render(doc2, tmp_path).read_text()
    assert page.count("<svg") >= 3 and "0.90" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_smoke_profile_end_to_end_with_go_clientv3(tmp_path):
    """The real pipeline: embedded etcd, etcd's benchmark tool, go-clientv3's Workload."""
    from etcdfit.performer import build, manifest

    m = manifest.load("go-clientv3")
    if not build.is_built(m, m.default_version):
        pytest.skip("go-clientv3 is not built: etcdfit performer build go-clientv3")
    if not benchtool.binary_path().exists():
        pytest.skip("etcd's benchmark tool is not built (etcdfit perf builds it on first use)")
    assert cli(["perf", "--profile", "smoke", "--performer", "go-clientv3", "--out", str(tmp_path)]) == 0
    doc = results.load(tmp_path / "results.json")
    rows = {(s["name"], r["subject"].split("@")[0]): r for s in doc["steps"] for r in s["summary"]}
    go = rows[("put-c2", "go-clientv3")]
    assert go["status"] == "ok" and go["errors"] == 0 and go["ratio_to_tool"] > 0
    assert rows[("mixed-c2", "etcd-benchmark")]["status"] == "skipped"
    run = next(r for s in doc["steps"] for r in s["runs"] if r["subject"].startswith("go-clientv3"))
    assert run["ops"] == 2000 and run["connections"] == 2 and len(run["connect_us"]) == 2
    assert run["histogram"]["total"] == 2000 and run["rss_bytes_end"] > 0
    assert (tmp_path / "index.html").exists()


@pytest.mark.parametrize("claim, reason", [
    ("", "capability perf.workload not claimed by raw-grpc@1"),
    ("1", "capability perf.workload not claimed: raw-grpc@1 answered UNIMPLEMENTED"),
])
def test_a_performer_without_workload_is_skipped_with_the_reason(tmp_path, monkeypatch, capsys, claim, reason):
    """raw-grpc claims nothing of perf, or (RAW_CLAIM_WORKLOAD) claims perf.workload and answers
    UNIMPLEMENTED: either way every step is skipped with the reason and the run exits 0."""
    from etcdfit import paths

    monkeypatch.setattr(paths, "performers_dir", lambda: Path(__file__).parent / "performers")
    monkeypatch.setenv("RAW_CLAIM_WORKLOAD", claim)
    prof = tmp_path / "tiny.yaml"
    prof.write_text("version: 1\nsteps:\n  - {name: a, mix: {put: 1}, ops: 10, timeout_s: 30}\n"
                    "  - {name: b, mix: {get: 1}, ops: 10, timeout_s: 30}\n")
    out = tmp_path / "out"
    assert cli(["perf", "--profile", str(prof), "--performer", "raw-grpc", "--no-benchmark", "--out", str(out)]) == 0
    doc = results.load(out / "results.json")
    rows = [r for s in doc["steps"] for r in s["summary"] if r["subject"] == "raw-grpc@1"]
    assert [(r["status"], r["reason"]) for r in rows] == [("skipped", reason)] * 2
    assert reason in (out / "index.html").read_text()


def test_each_subject_keeps_its_colour_in_every_chart(tmp_path):
    """Step 2 lacks go-clientv3: node-etcd3 must not take its colour there."""
    import re

    def step(name, runs):
        for r in runs:
            r["timeline"] = [{"t_s": t, "ops_per_s": r["throughput"], "p99_us": 2000, "rss_bytes": 10 << 20,
                              "cpu_s": t} for t in (1, 2, 3)]
        s = {"name": name, "config": {"clients": 1}, "runs": runs}
        s["summary"] = results.summarize(s)
        return s

    doc = _doc([])
    doc["steps"] = [step("a", [_run("go-clientv3@3.6.16", "performer", 900, 2000),
                               _run("node-etcd3@1.1.2", "performer", 300, 5000)]),
                    step("b", [_run("node-etcd3@1.1.2", "performer", 300, 5000)])]
    doc["subjects"] = [{"id": "go-clientv3@3.6.16", "kind": "performer"}, {"id": "node-etcd3@1.1.2", "kind": "performer"}]
    page = html.render(doc, tmp_path).read_text()
    legend = re.findall(r'fill="(#[0-9a-f]{6})"/><text x="\d+" y="\d+">([^<(]+?)[ <(]', page)
    colours = {}
    for colour, subject in legend:
        colours.setdefault(subject.strip(), set()).add(colour)
    assert len(colours["node-etcd3@1.1.2"]) == 1 and len(colours["go-clientv3@3.6.16"]) == 1
    assert colours["node-etcd3@1.1.2"] != colours["go-clientv3@3.6.16"]


def test_max_duration_caps_a_long_profile_for_a_dry_run():
    soak = profile.load("soak")
    dry = profile.cap_duration(soak, 60)
    assert [s.duration_s for s in dry.steps] == [60] and dry.steps[0].deadline_s == 180
    assert "dry run" in dry.description and soak.steps[0].duration_s == 7200
    assert profile.cap_duration(soak, 0) is soak


CUT_PROFILE = """\
version: 1
defaults: {key_space: 100, value_size: 64, report_interval_ms: 500, benchmark: false}
steps:
  - {name: cut, mix: {put: 1, get: 1}, clients: 2, concurrency: 8, duration_s: 60, timeout_s: 3}
  - {name: after, mix: {put: 1, txn: 1}, clients: 2, concurrency: 4, ops: 300, timeout_s: 60}
  - {name: open-loop, mix: {put: 1, get: 1}, clients: 2, concurrency: 4, rate: 100, duration_s: 1.5, timeout_s: 60}
"""


@pytest.mark.parametrize("name", ["go-clientv3", "python-etcd3", "python-aetcd", "node-etcd3", "java-jetcd",
                                       "rust-etcd-client"])
def test_the_driver_deadline_ends_a_workload_and_the_next_step_runs(tmp_path, name):
    """Real SDK, embedded etcd: a step cut by its timeout_s fails with that reason; the performer
    stopped its workers (they ran under the stream), so the next steps complete without errors."""
    from etcdfit.performer import build, manifest

    m = manifest.load(name)
    if not build.is_built(m, m.default_version):
        pytest.skip(f"{name} is not built: etcdfit performer build {name}")
    prof = tmp_path / "cut.yaml"
    prof.write_text(CUT_PROFILE)
    out = tmp_path / "out"
    assert cli(["perf", "--profile", str(prof), "--performer", name, "--no-benchmark", "--out", str(out)]) == 1
    doc = results.load(out / "results.json")
    rows = {s["name"]: s["summary"][0] for s in doc["steps"]}
    assert rows["cut"]["status"] == "failed" and "timeout_s" in rows["cut"]["reason"]
    after = next(r for s in doc["steps"] if s["name"] == "after" for r in s["runs"])
    assert after["status"] == "ok" and after["ops"] == 300 and after["errors"] == {}
    assert after["histogram"]["total"] == 300 and after["connections"] == 2
    assert rows["open-loop"]["status"] == "ok" and rows["open-loop"]["errors"] == 0
