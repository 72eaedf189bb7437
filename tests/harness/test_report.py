"""The HTML report: diff and merge (pure), rendering of real (trimmed) results files, the CLI,
speed, and the page as Chromium renders it."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from etcdfit import cli
from etcdfit.capabilities import load_catalog
from etcdfit.errors import EtcdfitError
from etcdfit.report import diff as _diff
from etcdfit.report import html
from etcdfit.report.model import ResultsDoc, merge


def load(path: Path) -> ResultsDoc:
    return ResultsDoc.load(path)


def typed(d) -> ResultsDoc:
    return d if isinstance(d, ResultsDoc) else ResultsDoc.from_json(d)


def diff(prev, cur):
    return _diff.diff(typed(prev), typed(cur))

DATA = Path(__file__).parent / "data"
FAULTS = DATA / "results-faults.json"  # raw-grpc run: pass, lie, crash, hang, wrong error, xpass, known, skip
PREVIOUS = DATA / "results-faults-previous.json"  # the same cell, a few outcomes changed by hand
ERROR = DATA / "results-error.json"  # a setup error (performer speaks another protocol), no cell
SAMPLE = DATA / "results-sample.json"  # go-clientv3 + python-etcd3, trimmed: passes, known failures, skips
CHROMIUM = "/usr/bin/chromium"


def rec(test, outcome, cell="go@1 | etcd 3.5", performer="go", classification=None, message=""):
    return {"cell": cell, "nodeid": f"{test}[{performer}]", "test": test, "performer": performer, "phase": "call",
            "outcome": outcome, "duration_s": 0.01, "classification": classification, "program": "",
            "message": message, "log_tail": ""}


def doc(tests, cells=None, performers=None, started="2026-01-01T00:00:00Z", duration=10.0, etcd_version="3.5"):
    if cells is None:
        ids = sorted({t["cell"] for t in tests if t["cell"]})
        cells = [{"id": c, "performer": c.split("@")[0], "sdk_version": c.split("@")[1].split(" ")[0],
                  "server": c.split("etcd ")[1], "topology": "single", "counts": {}} for c in ids]
    return {"schema": "etcdfit.results/v1", "started": started, "duration_s": duration,
            "etcd": {"endpoints": [], "version": etcd_version},
            "performers": performers if performers is not None else
            {"go": {"spec": "go", "name": "go", "sdk_version": "1", "language": "go", "capabilities": ["kv.put"]}},
            "cells": cells, "tests": tests}


def names(changes):
    return sorted((c.test, c.before, c.after) for c in changes)


# ------------------------------------------------------------------ diff


def test_diff_new_failures_fixed_and_newly_skipped():
    prev = doc([rec("t::a", "passed"), rec("t::b", "failed", classification="value_mismatch"),
                rec("t::c", "passed"), rec("t::d", "failed"), rec("t::e", "skipped"), rec("t::f", "known_failure"),
                rec("t::g", "error")])
    cur = doc([rec("t::a", "failed", classification="timeout"), rec("t::b", "passed"), rec("t::c", "skipped"),
               rec("t::d", "failed"), rec("t::e", "skipped"), rec("t::f", "failed"), rec("t::g", "passed"),
               rec("t::new", "error"), rec("t::new_skip", "skipped")])
    d = diff(prev, cur)
    assert names(d.new_failures) == [("t::a", "passed", "failed"), ("t::f", "known_failure", "failed"),
                                     ("t::new", None, "error")]
    assert d.new_failures[0].classification == "timeout" and d.new_failures[0].matched_by == "cell"
    assert names(d.fixed) == [("t::b", "failed", "passed"), ("t::g", "error", "passed")]
    assert names(d.newly_skipped) == [("t::c", "passed", "skipped")]  # absent before or skipped before: not new


def test_diff_falls_back_to_performer_name_when_cell_ids_changed():
    prev = doc([rec("t::a", "passed", cell="go@1 | etcd 3.4"), rec("t::a", "failed", cell="go@1 | etcd 3.5"),
                rec("t::b", "failed", cell="go@1 | etcd 3.5"), rec("t::c", "passed", cell="py@1 | etcd 3.5",
                                                                   performer="py")])
    cur = doc([rec("t::a", "passed", cell="go@2 | etcd 3.5"), rec("t::b", "passed", cell="go@2 | etcd 3.5"),
               rec("t::c", "failed", cell="go@2 | etcd 3.5")])
    d = diff(prev, cur)
    # t::a: the previous record with the same server (3.5) is preferred over 3.4
    assert [(c.test, c.before_cell, c.matched_by) for c in d.fixed] == [
        ("t::a", "go@1 | etcd 3.5", "performer"), ("t::b", "go@1 | etcd 3.5", "performer")]
    # t::c passed only for another performer: for go it is new
    assert [(c.test, c.before, c.matched_by) for c in d.new_failures] == [("t::c", None, "")]


def test_diff_uses_exact_cell_when_the_cell_existed_before():
    prev = doc([rec("t::a", "passed", cell="go@1 | etcd 3.4"), rec("t::b", "passed", cell="go@1 | etcd 3.5")])
    cur = doc([rec("t::a", "failed", cell="go@1 | etcd 3.5")])
    [ch] = diff(prev, cur).new_failures
    assert (ch.before, ch.before_cell, ch.matched_by) == (None, None, "")


def test_diff_of_the_fixture_runs():
    d = diff(load(PREVIOUS), load(FAULTS))
    short = lambda cs: sorted((c.test.split("::")[1], c.before) for c in cs)  # noqa: E731
    assert short(d.new_failures) == [("test_crash", None), ("test_sdk_lies", "passed")]
    assert short(d.fixed) == [("test_put_get", "failed")]
    assert short(d.newly_skipped) == [("test_needs_more", "passed")]


# ------------------------------------------------------------------ merge


def test_merge_concatenates_cells_and_tests_and_unites_performers():
    a = doc([rec("t::a", "passed")], started="2026-01-01T00:00:00Z", duration=10, etcd_version="3.5")
    b = doc([rec("t::a", "failed", cell="py@2 | etcd 3.6", performer="py")], started="2026-01-01T00:00:05Z",
            duration=20, etcd_version="3.6",
            performers={"py": {"name": "py", "sdk_version": "2", "capabilities": []},
                        "go": {"name": "go", "sdk_version": "OTHER", "capabilities": []}})
    ta, tb = typed(a), typed(b)
    m = merge([ta, tb])
    assert [c.id for c in m.cells] == ["go@1 | etcd 3.5", "py@2 | etcd 3.6"]
    assert [t.outcome for t in m.tests] == ["passed", "failed"]
    assert sorted(m.performers) == ["go", "py"] and m.performers["go"]["sdk_version"] == "1"  # first wins
    assert m.started == "2026-01-01T00:00:00Z" and m.duration_s == 25  # earliest start to latest end
    assert m.etcd["version"] == "3.5, 3.6"
    assert [t.outcome for t in ta.tests] == ["passed"] and len(ta.cells) == 1  # inputs untouched
    assert merge([ta]) is ta
    with pytest.raises(EtcdfitError):
        merge([])


def test_merge_of_fixture_files():
    m = merge([load(SAMPLE), load(FAULTS), load(ERROR)])
    assert len(m.tests) == sum(len(load(p).tests) for p in (SAMPLE, FAULTS, ERROR))
    assert sorted(m.performers) == ["go-clientv3", "python-etcd3", "raw-grpc"]
    assert len(m.cells) == 3


# ------------------------------------------------------------------ page structure


class Page(HTMLParser):
    """The matrix (columns, rows with their cells' classes), summary rows and capability rows of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []  # id of each open table ('' for others)
        self.cols: list[str] = []
        self.rows: dict[str, list[tuple[str, str]]] = {}  # test -> [(class, data-class)]
        self.cur_row: str | None = None
        self.in_tn = False
        self.summary_rows = 0
        self.caps: list[tuple[str, list[str]]] = []
        self.in_cap = False
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "table":
            self.stack.append(a.get("id") or "")
            return
        top = self.stack[-1] if self.stack else ""
        if top == "matrix":
            if tag == "th" and "col" in cls:
                self.cols.append(a.get("data-cell"))
            elif tag == "tr" and "t" in cls:
                self.cur_row = a["data-t"]
                self.rows[self.cur_row] = []
            elif tag == "th" and "tn" in cls:
                self.cur_row = a["title"]
                self.rows[self.cur_row] = self.rows.pop(a["title"].lower(), [])
            elif tag == "td":
                self.rows[self.cur_row].append((a.get("class"), a.get("data-class", "")))
        elif top == "summary" and tag == "tr":
            self.summary_rows += 1
        elif top == "capabilities":
            if tag == "tr":
                self.caps.append(("", []))
            elif tag == "td":
                self.caps[-1][1].append(a.get("class"))
                self.in_cap = a.get("class") == "cap"

    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            self.stack.pop()
        if tag == "td":
            self.in_cap = False

    def handle_data(self, data):
        self.text.append(data)
        if self.in_cap:
            self.caps[-1] = (self.caps[-1][0] + data, self.caps[-1][1])


def row(page: Page, name: str) -> list[tuple[str, str]]:
    [key] = [k for k in page.rows if k.endswith("::" + name)]
    return page.rows[key]


def test_matrix_of_the_faults_run(tmp_path):
    path = html.render(load(FAULTS), tmp_path)
    assert path == tmp_path / "index.html"
    text = path.read_text()
    assert "<table id=matrix>" in text and "<table id=summary>" in text and "<table id=capabilities>" in text
    p = Page(text)
    assert p.cols == ["raw-grpc@1 | etcd 3.5.1"]
    assert row(p, "test_put_get") == [("passed", "")]
    assert row(p, "test_sdk_lies") == [("failed", "value_mismatch")]
    assert row(p, "test_wrong_error") == [("failed", "wrong_error")]
    assert row(p, "test_crash") == [("failed", "performer_crash")]
    assert row(p, "test_hang") == [("failed", "timeout")]
    assert row(p, "test_listed_but_passes") == [("failed", "known_failure_passed")]
    assert row(p, "test_lies_listed") == [("known_failure", "")]
    assert row(p, "test_needs_more") == [("skipped", "")]
    # failing tests first, then by name
    order = [k.split("::")[1] for k in p.rows]
    assert order == ["test_crash", "test_escape_me[<b>&amp;'\"]", "test_hang", "test_listed_but_passes",
                     "test_sdk_lies", "test_wrong_error", "test_lies_listed", "test_needs_more", "test_put_get"]
    assert p.summary_rows == 2  # header + one cell
    # drill-down of a version-1 file: classification, the failure text (no problem records), program, log
    assert "<details class=dd>" in text
    assert "expected &#x27;__lie__&#x27;, got &#x27;not-what-was-written&#x27;" in text
    assert "raw-grpc: crashing on purpose" in text and "raw-grpc: hanging on purpose" in text
    assert "raw-grpc lies on purpose &lt;sic&gt; &amp; more" in text  # known-failure reason, escaped
    assert "raw-grpc (SDK 1) lacks capability: lease.leases, txn.nested" in text
    assert "no previous results given" in text


def test_everything_is_escaped(tmp_path):
    evil = "t.py::test_x[<script>alert(1)</script>&'\"]"
    d = doc([rec(evil, "failed", classification="value_mismatch", message="<img src=x onerror=alert(1)> & \"q\"")])
    d["tests"][0]["program"] = "<b>prog</b>\n[0] put {}"
    d["tests"][0]["log_tail"] = "</pre><i>log</i>"
    text = html.render(d, tmp_path).read_text()
    for raw in ("<script>alert", "<img src", "<b>prog", "<i>log", "</pre><i>"):
        assert raw not in text
    p = Page(text)
    assert list(p.rows) == [evil]  # the parsed text is the original name
    assert "<img src=x onerror=alert(1)> & \"q\"" in "".join(p.text)


def test_several_results_and_the_diff_sections(tmp_path):
    text = html.render([load(FAULTS), load(ERROR), load(SAMPLE)], tmp_path, previous=load(PREVIOUS)).read_text()
    p = Page(text)
    assert p.cols == ["go-clientv3@3.6.16 | etcd 3.5.1", "python-etcd3@0.12.0 | etcd 3.5.1",
                      "raw-grpc@1 | etcd 3.5.1", "(no cell)"]
    assert row(p, "test_put_get[raw-grpc]") == [("absent", "")] * 3 + [("error", "harness_error")]
    kf = row(p, "test_prefix_range_with_trailing_0xff_byte")
    assert kf == [("passed", ""), ("known_failure", ""), ("absent", ""), ("absent", "")]
    for section, count in (("New failures", 3), ("Fixed", 1), ("Newly skipped", 1)):
        assert f"{section} ({count})" in text  # 3: crash, sdk_lies and the error record (absent before)
    assert "no previous results given" not in text
    # a diff entry links to the matrix cell of its test
    assert "href='#r" in text


def test_capability_table_lists_every_catalog_id_for_each_performer(tmp_path):
    text = html.render(load(SAMPLE), tmp_path).read_text()
    p = Page(text)
    catalog = load_catalog().meanings
    body = [r for r in p.caps if r[1]]
    assert [r[0] for r in body] == list(catalog)
    assert all(r[1][:2] == ["cap", "mean"] for r in body)
    assert "go-clientv3@3.6.16" in text and "python-etcd3@0.12.0" in text
    sample = load(SAMPLE).performers
    yes = {r[0]: r[1][2:] for r in body}
    assert yes["watch.filters"] == ["y", "n2"]
    assert sum(1 for r in body if r[1][2] == "y") == len(sample["go-clientv3"]["capabilities"])
    assert f"title='{catalog['kv.put'].replace(chr(39), '&#x27;')}'" in text


def test_cli_report_merges_results_and_diffs(tmp_path):
    out = tmp_path / "rep"
    assert cli.main(["report", str(FAULTS), str(SAMPLE), "--out", str(out), "--previous", str(PREVIOUS)]) == 0
    p = Page((out / "index.html").read_text())
    assert len(p.cols) == 3
    assert cli.main(["report", str(SAMPLE), "--out", str(out)]) == 0
    assert "no previous results given" in (out / "index.html").read_text()


def big_doc(n_cells=10, n_tests=500):
    tests = []
    lie = load(FAULTS).tests[1]
    for c in range(n_cells):
        cell = f"perf{c % 3}@1.{c} | etcd 3.{c % 4}"
        for i in range(n_tests):
            outcome = ("passed",) * 7 + ("failed", "skipped", "known_failure")
            o = outcome[(i * 7 + c) % 10]
            r = rec(f"tests/conformance/test_f{i % 17}.py::test_{i}<&>", o, cell=cell, performer=f"perf{c % 3}",
                    classification="value_mismatch" if o == "failed" else None,
                    message=lie.message * 3 if o == "failed" else ("reason " * 20 if o != "passed" else ""))
            program = "\n".join(lie.program.commands) if o == "failed" and lie.program else ""
            tests.append(r | {"program": program, "log_tail": "log\n" * 30})
    return doc(tests, performers={f"perf{k}": {"name": f"perf{k}", "sdk_version": "1", "capabilities": []}
                                  for k in range(3)})


def test_five_thousand_records_render_well_under_a_second(tmp_path):
    d = big_doc()
    assert len(d["tests"]) == 5000
    html.render(d, tmp_path / "warm")
    t0 = time.perf_counter()
    path = html.render(d, tmp_path)
    elapsed = time.perf_counter() - t0
    assert elapsed < 0.8, f"{elapsed:.2f}s"
    p = Page(path.read_text())
    assert len(p.cols) == 10 and len(p.rows) == 500


# ------------------------------------------------------------------ in Chromium


def chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI: apt-get install chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); set CI=1 to make this a failure")


def chromium_args(tmp_path: Path) -> list[str]:
    return [chromium_or_skip(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium-profile'}"]


PROBE = """<script>
(function(){var bg=function(s){var el=document.querySelector(s);return el?getComputedStyle(el).backgroundColor:null;};
document.body.setAttribute('data-probe',JSON.stringify({passed:bg('#matrix td.passed'),failed:bg('#matrix td.failed'),
known:bg('#matrix td.known_failure'),skipped:bg('#matrix td.skipped'),absent:bg('#matrix td.absent'),
pop:getComputedStyle(document.querySelector('#matrix details.dd .pop')).display,
cols:document.querySelectorAll('#matrix thead th.col').length}));})();
</script></body>"""


def test_report_in_headless_chromium(tmp_path):
    args = chromium_args(tmp_path)
    page = html.render([load(FAULTS), load(SAMPLE)], tmp_path / "report", previous=load(PREVIOUS))
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text().replace("</body>", PROBE))

    dom = subprocess.run([*args, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120,
                         check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    p = Page(dom.stdout)
    assert p.cols == ["go-clientv3@3.6.16 | etcd 3.5.1", "python-etcd3@0.12.0 | etcd 3.5.1", "raw-grpc@1 | etcd 3.5.1"]
    assert all(len(cells) == 3 for cells in p.rows.values())
    assert row(p, "test_sdk_lies") == [("absent", ""), ("absent", ""), ("failed", "value_mismatch")]
    assert row(p, "test_lies_listed")[2] == ("known_failure", "")
    marker = 'data-probe="'
    probe_json = dom.stdout.split(marker, 1)[1].split('"', 1)[0].replace("&quot;", '"')
    colours = json.loads(probe_json)
    assert colours["cols"] == 3
    assert colours["pop"] == "none"  # drill-downs closed until clicked
    painted = [colours[k] for k in ("passed", "failed", "known", "skipped")]
    assert all(c and c not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)") for c in painted), colours
    assert len(set(painted)) == 4, colours  # four distinguishable colours
    assert colours["absent"] == "rgb(255, 255, 255)"

    png = tmp_path / "report.png"
    shot = subprocess.run([*args, f"--screenshot={png}", "--window-size=1400,900", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert struct.unpack(">II", data[16:24]) == (1400, 900)
    keep = os.environ.get("ETCDFIT_REPORT_SCREENSHOT")
    if keep:
        shutil.copy(png, keep)


def test_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is not installed"):
        chromium_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is required in CI: apt-get install chromium"):
        chromium_or_skip()


def test_merge_command_prints_the_merged_document():
    out = subprocess.run([sys.executable, "-m", "etcdfit.report.merge", str(FAULTS), str(SAMPLE)],
                         capture_output=True, text=True, check=True).stdout
    m = json.loads(out)
    assert m["schema"] == "etcdfit.results/v2"
    assert len(m["tests"]) == len(load(FAULTS).tests) + len(load(SAMPLE).tests)


@pytest.mark.parametrize("content, says", [
    (None, "cannot read results file"),
    (b"\x00\x01\xff\xfe", "binary, not UTF-8 JSON"),
    (b'{"schema": "etcdfit.results/v2", "tests": [', "not valid JSON"),
    (b'{"schema": "other"}', "not an etcdfit results file"),
    (b'{"schema": "etcdfit.results/v2", "tests": [{"nodeid": "a", "outcome": "great"}]}', "has outcome 'great'"),
    (b'{"schema": "etcdfit.results/v2", "tests": [{"outcome": "passed"}]}', "malformed results document"),
])
def test_report_on_a_bad_file_is_one_line_naming_it(tmp_path, capsys, content, says):
    path = tmp_path / "results.json"
    if content is not None:
        path.write_bytes(content)
    assert cli.main(["report", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and says in err, err


def test_security_is_shown_for_each_cell(tmp_path):
    """A cell's security (plain, tls+auth, ...) is part of its id, kept by the results file and shown
    in the summary's security column and under the matrix column's server."""
    from etcdfit.report.model import cell_id

    secure = cell_id("go", "1", "3.5", security="tls+auth")
    assert secure == "go@1 | etcd 3.5 | tls+auth" and cell_id("go", "1", "3.5", security="plain") == "go@1 | etcd 3.5"
    d = doc([rec("t.py::test_a", "passed"), rec("t.py::test_a", "passed", cell=secure)])
    d["cells"][1]["security"] = "tls+auth"
    loaded = ResultsDoc.from_json(d)
    assert [c.security for c in loaded.cells] == ["plain", "tls+auth"]
    assert ResultsDoc.from_json(loaded.to_json()).cells[1].security == "tls+auth"
    text = html.render(d, tmp_path).read_text()
    assert "<th>security</th>" in text
    assert "<td class=security>tls+auth</td>" in text and "<td class=security>plain</td>" in text
    assert "<small class=security>tls+auth</small>" in text
