"""A static, dependency-free HTML report (one index.html, inline CSS, a few lines of inline JS).

render(doc_or_docs, out_dir, previous=None) writes out_dir/index.html with:
- a header (start, wall time, cells, tests, overall counts);
- the per-cell summary (table#summary);
- the changes against a previous results file (new failures, fixed, newly skipped);
- the cell matrix (table#matrix): one column per cell, one row per test grouped by file,
  failing tests first; each non-passed cell opens a drill-down (<details class=dd>);
- the capability table (table#capabilities): catalog ids x performer@SDK version.
"""

from __future__ import annotations

import html as _html
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeAlias

from ..outcomes import Kind, Problem
from . import diff as _diff
from .model import FAILING, OUTCOMES, Cell, ResultsDoc, TestRecord, merge

_Writer: TypeAlias = Callable[[str], None]  # appends a piece of the page
_Natural: TypeAlias = tuple[tuple[int, int, str], ...]  # a sort key: "3.10" after "3.9"

_SEVERITY = {"failed": 5, "error": 5, "known_failure": 3, "flaky": 3, "skipped": 2, "passed": 1}
_SHORT = {"value_mismatch": "mismatch", "wrong_error": "wrong error", "timeout": "timeout",
          "performer_crash": "crash", "harness_error": "harness", "known_failure_passed": "xpass",
          "server_fault": "server", "history_violation": "history"}
_LABEL = {"passed": "pass", "skipped": "skip", "known_failure": "known", "flaky": "flaky", "error": "error",
          "failed": "fail"}
_NO_CELL = "(no cell)"


def e(x: object) -> str:
    return _html.escape("" if x is None else str(x), quote=True)


def _natural(s: str) -> _Natural:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", s or "") if p)


#: What render() takes: a document, its JSON, a path to one, or several of these (merged).
Docs: TypeAlias = "ResultsDoc | dict[str, Any] | str | Path | Iterable[Docs]"


def _as_doc(x: Docs) -> ResultsDoc:
    if isinstance(x, ResultsDoc):
        return x
    if isinstance(x, dict):
        return ResultsDoc.from_json(x)
    if isinstance(x, (str, Path)):
        return ResultsDoc.load(Path(x))
    return merge(_as_doc(d) for d in x)


# ------------------------------------------------------------------ failures (from problem records)


def _problem_table(problems: list[Problem]) -> str:
    """Every problem as a row: command, field, expected, actual, and where/what."""
    rows = []
    for p in problems:
        idx = f"[{p.index}]" if p.index is not None else ""
        note = " &middot; ".join(e(x) for x in (p.message, p.where) if x)
        field = f"<code>{e(p.path)}</code>"
        if p.kind is Kind.HISTORY_VIOLATION and p.path.endswith(".html") and p.path.startswith("/"):
            # porcupine's visualization of a non-linearizable history (etcdfit.concurrency.check_linearizable)
            field = f"<a href='{e(Path(p.path).as_uri())}'>porcupine visualization</a> <code>{e(p.path)}</code>"
        rows.append(f"<tr class='k-{e(p.kind.value)}'><td>{e(idx)}</td><td>{e(p.command)}</td>"
                    f"<td><span class=kind>{e(p.kind.value.replace('_', ' '))}</span></td>"
                    f"<td>{field}</td><td class=exp><code>{e(p.expected)}</code></td>"
                    f"<td class=got><code>{e(p.actual)}</code></td><td class=note>{note}</td></tr>")
    return ("<table class=mm><tr><th>#</th><th>command</th><th>kind</th><th>field</th><th>expected</th>"
            "<th>actual</th><th>message / where</th></tr>" + "".join(rows) + "</table>")


def _pre(title: str, text: str, cls: str = "") -> str:
    if not text or not text.strip():
        return ""
    return f"<h4>{e(title)}</h4><pre class='{cls}'>{e(text)}</pre>"


def _reason(t: TestRecord) -> str:
    msg = t.message or ""
    return msg[len("Skipped: "):] if msg.startswith("Skipped: ") else msg


def _program(t: TestRecord) -> str:
    if t.program is None:
        return ""
    who = f" (sent to {t.program.performer})" if t.program.performer else ""
    return _pre("program" + who, "\n".join(t.program.commands)) + _pre("results", "\n".join(t.program.results))


def _drill(t: TestRecord, col_label: str) -> str:
    """The body of a non-passed cell's drill-down."""
    o = t.outcome
    cls = t.classification
    parts = [(f"<div class=ph><b>{e(_test_name(t.test))}</b> <span class=muted>{e(col_label)}</span>"
              "<button type=button class=x onclick=\"this.closest('details').open=false\">close &#x2715;</button>"
              "</div>"),
             f"<p><span class='badge {o}'>{e(o)}</span>"
             + (f" <span class='badge cls'>{e(cls)}</span>" if cls else "")
             + f" <span class=muted>phase {e(t.phase)}, {e(t.duration_s)} s</span></p>"]
    if o not in FAILING:
        title = {"skipped": "skip reason", "known_failure": "known-failure reason",
                 "flaky": "flaky-list reason"}.get(o, "message")
        parts.append(f"<h4>{title}</h4><p class=reason>{e(_reason(t))}</p>")
    if t.problems:
        if o in ("known_failure", "flaky"):
            parts.append("<h4>what failed (check it is the listed reason)</h4>")
        parts.append(_problem_table(t.problems))
    elif o in FAILING and t.message:  # a version-1 results file: only the text is known
        parts.append(f"<pre class=other>{e(t.message[-3000:])}</pre>")
    parts.append(_program(t))
    if t.timeline:
        rows = "".join(f"<tr><td>+{float(ev.get('at_s', 0)):.3f} s</td><td>{e(ev.get('action'))}</td>"
                       f"<td>{e(ev.get('target'))}</td><td>{e(ev.get('detail'))}</td></tr>" for ev in t.timeline)
        parts.append("<h4>faults in place (timeline)</h4><table class=mm><tr><th>when</th><th>fault</th>"
                     f"<th>on</th><th>detail</th></tr>{rows}</table>")
    if o in FAILING:
        parts.append(_pre("performer log (last lines)", t.log_tail, "log"))
        if t.message:
            parts.append(f"<details class=full><summary>full failure text</summary><pre>{e(t.message)}</pre></details>")
    parts.append(f"<p class='muted nodeid'>{e(t.nodeid)}</p>")
    return "".join(parts)


# ------------------------------------------------------------------ model


def _test_file(test: str) -> str:
    return test.split("::", 1)[0] if "::" in test else "(other)"


def _test_name(test: str) -> str:
    return test.split("::", 1)[1] if "::" in test else test


class _Col:
    def __init__(self, key: str, cell: Cell, doc: ResultsDoc):
        self.key = key
        self.cell = cell
        spec = cell.performer or ""
        info = doc.performers.get(spec) or {}
        self.name = info.get("name") or spec.split("@")[0] or "-"
        self.sdk = cell.sdk_version or info.get("sdk_version") or ""
        self.server = cell.server or ""
        self.topology = cell.topology or ""
        self.security = cell.security or "plain"   # plain, tls, tls+auth, ... (docs/security.md)
        self.group = f"{self.name}@{self.sdk}" if self.sdk else ("(no performer)" if key == _NO_CELL else self.name)

    def sort_key(self) -> tuple[bool, str, _Natural, _Natural, str, str, str]:
        return (self.key == _NO_CELL, self.name, _natural(self.sdk), _natural(self.server), self.topology,
                self.security, self.key)


def _columns(doc: ResultsDoc) -> list[_Col]:
    cols: dict[str, _Col] = {}
    for c in doc.cells:
        if c.id and c.id not in cols:
            cols[c.id] = _Col(c.id, c, doc)
    for t in doc.tests:
        key = t.cell or _NO_CELL
        if key not in cols:
            spec = t.performer
            info = doc.performers.get(spec or "") or {}
            cols[key] = _Col(key, Cell(key, spec or "", info.get("sdk_version", ""), info.get("etcd_version", ""), ""),
                             doc)
    return sorted(cols.values(), key=_Col.sort_key)


# ------------------------------------------------------------------ page

_CSS = """
:root{--pass:#c9ecc9;--pass-t:#17561b;--fail:#f3a9a9;--fail-t:#7d0b0b;--known:#fbd98b;--known-t:#6a4500;
--skip:#dedede;--skip-t:#4a4a4a;--line:#d0d4d9;--muted:#667}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2125;background:#fff}
main{padding:14px 22px 40px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;border-bottom:2px solid #e6e8eb;
padding-bottom:3px}
h3{font-size:14px;margin:14px 0 4px}h4{font-size:12px;margin:12px 0 3px;color:#445;text-transform:uppercase;
letter-spacing:.04em}
.meta{color:#445;margin:2px 0 8px}.muted{color:var(--muted)}
nav a{margin-right:14px}a{color:#0b57b5}
table{border-collapse:collapse}
td,th{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f5f7;font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
margin-right:4px;border:1px solid rgba(0,0,0,.08)}
.totals .badge{font-size:13px;padding:3px 10px}
.passed{background:var(--pass);color:var(--pass-t)}
.failed,.error{background:var(--fail);color:var(--fail-t)}
.error{background-image:repeating-linear-gradient(135deg,transparent 0 6px,rgba(125,11,11,.12) 6px 9px)}
.known_failure{background:var(--known);color:var(--known-t)}
.flaky{background:repeating-linear-gradient(45deg,var(--known),var(--known) 6px,#fff 6px,#fff 9px);color:var(--known-t)}
.skipped{background:var(--skip);color:var(--skip-t)}
.absent{background:#fff;color:#aaa}
.zero{color:#bbb;background:none}
.badge.cls{background:#fff;color:#7d0b0b;border-color:#e2a3a3}
#summary td.n,#summary th.n{text-align:right;min-width:5.5em}
#summary td.cellid{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.mwrap{overflow:auto;max-height:86vh;width:fit-content;max-width:100%;border:1px solid var(--line);margin-top:6px}
#matrix{font-size:12.5px;border:0}
#matrix thead th{position:sticky;z-index:3;background:#eef1f4;text-align:center;white-space:nowrap}
#matrix thead tr.r1 th{top:0;height:24px}
#matrix thead tr.r2 th{top:24px;font-weight:500}
#matrix thead th.tcol{left:0;z-index:4;text-align:left;vertical-align:bottom}
#matrix th.perf{border-bottom:0}
#matrix th.col small{display:block;color:var(--muted);font-weight:400}
#matrix th.tn{position:sticky;left:0;z-index:2;background:#fff;font-weight:400;white-space:nowrap;
font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;max-width:60ch;overflow:hidden;
text-overflow:ellipsis}
#matrix tr.bad th.tn{background:#fff1f1;font-weight:600}
#matrix tr.file th{position:sticky;left:0;background:#f8f9fa;text-align:left;
font-family:ui-monospace,Menlo,Consolas,monospace;
font-size:12px;padding-top:6px;color:#223}
#matrix tr.file th span{font-family:system-ui,sans-serif;font-weight:400;color:var(--muted);margin-left:10px}
#matrix td{text-align:center;white-space:nowrap;min-width:64px;padding:2px 6px}
#matrix td.failed,#matrix td.error{font-weight:700}
#matrix td summary{cursor:pointer;list-style:none;text-decoration:underline dotted}
#matrix td summary::-webkit-details-marker{display:none}
#matrix td:target,#matrix td details[open]>summary{outline:3px solid #0b57b5;outline-offset:-2px}
details.dd>.pop{display:none}
#matrix .pop td,#matrix .pop th{text-align:left;white-space:normal;min-width:0;font-weight:400;padding:3px 7px}
#matrix .pop th{font-weight:600}
details.dd[open]>.pop{display:block;position:fixed;top:3vh;right:1.5vw;width:min(980px,64vw);max-height:94vh;
overflow:auto;
z-index:50;background:#fff;color:#1d2125;border:1px solid #9aa3ad;border-radius:6px;
box-shadow:0 8px 30px rgba(0,0,0,.28);
padding:10px 16px 14px;text-align:left;white-space:normal;font-weight:400;font-size:13px;cursor:auto}
.pop .ph{display:flex;gap:10px;align-items:baseline;border-bottom:1px solid #e6e8eb;padding-bottom:6px;
font-family:ui-monospace,Menlo,Consolas,monospace}
.pop .ph .x{margin-left:auto;font-size:12px;cursor:pointer}
.pop .headline{font-weight:600;color:#7d0b0b;margin:8px 0}
.pop p.reason{background:#fff8e6;border-left:4px solid #e0a100;padding:6px 10px;margin:4px 0}
pre{white-space:pre-wrap;word-break:break-word;font-size:12px;background:#f7f8fa;border:1px solid #e3e6ea;
padding:6px 8px;margin:2px 0;max-height:22em;overflow:auto}
pre.log{background:#1e2227;color:#d6dde5;border-color:#1e2227}
table.mm{margin:6px 0;font-size:12.5px;width:100%}
table.mm td.exp{background:#eaf6ea}table.mm td.got{background:#fbe3e3}table.mm td.raw{background:#fbe3e3}
table.mm code{white-space:pre-wrap;word-break:break-word}
.nodeid{font-size:11.5px;margin-top:10px;font-family:ui-monospace,Menlo,Consolas,monospace}
#capabilities td.y,#capabilities td.n2{text-align:center;min-width:7em}
#capabilities td.cap{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;white-space:nowrap}
#capabilities td.mean{color:#445;font-size:12.5px}
#capabilities tr.grp td{border-top:2px solid #aab2bb}
.y{background:var(--pass);color:var(--pass-t)}.n2{background:#f1f1f1;color:#999}
.filters{margin:6px 0;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.filters input[type=search]{width:22em;padding:3px 6px}
.legend span{display:inline-block;padding:0 8px;margin-right:6px;border:1px solid var(--line);
border-radius:3px;font-size:12px}
.diff td,.diff th{font-size:12.5px}.diff td.t{font-family:ui-monospace,Menlo,Consolas,monospace}
.note{color:var(--muted);font-style:italic}
"""

_JS = r"""
(function(){
function closeOthers(d){document.querySelectorAll('details.dd[open]').forEach(function(o){if(o!==d)o.open=false;});}
document.addEventListener('toggle',function(ev){var d=ev.target;
  if(d.classList&&d.classList.contains('dd')&&d.open)closeOthers(d);},true);
document.addEventListener('keydown',function(ev){if(ev.key==='Escape')closeOthers(null);});
function openHash(){var id=location.hash.slice(1);var el=/^r\d+c\d+$/.test(id)&&document.getElementById(id);
 if(el){var d=el.querySelector('details.dd');if(d){d.open=true;}}}
window.addEventListener('hashchange',openHash);openHash();
var q=document.getElementById('q'),bad=document.getElementById('onlybad'),np=document.getElementById('onlynp');
function filt(){var s=q.value.toLowerCase();
 document.querySelectorAll('#matrix tbody').forEach(function(tb){var shown=0;
  tb.querySelectorAll('tr.t').forEach(function(r){var h=(s&&r.getAttribute('data-t').indexOf(s)<0)||
   (bad.checked&&!r.classList.contains('bad'))||(np.checked&&!r.classList.contains('np'));r.hidden=h;if(!h)shown++;});
  tb.hidden=shown===0;});}
if(q){q.addEventListener('input',filt);bad.addEventListener('change',filt);np.addEventListener('change',filt);}
})();
"""


def render(doc_or_docs: Docs, out_dir: Path, previous: Docs | None = None) -> Path:
    """Write out_dir/index.html for one results document, several (merged), or paths to them."""
    doc = _as_doc(doc_or_docs)
    prev = _as_doc(previous) if previous is not None else None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(page(doc, prev), encoding="utf-8")
    return path


def page(doc: ResultsDoc, previous: ResultsDoc | None = None) -> str:
    tests = doc.tests
    cols = _columns(doc)
    col_index = {c.key: i for i, c in enumerate(cols)}
    # rows: test -> column index -> record (the most severe when a cell has several)
    rows: dict[str, dict[int, TestRecord]] = {}
    for t in tests:
        ci = col_index[t.cell or _NO_CELL]
        row = rows.setdefault(t.test, {})
        old = row.get(ci)
        if old is None or _SEVERITY.get(t.outcome, 0) > _SEVERITY.get(old.outcome, 0):
            row[ci] = t
    anchors: dict[tuple[str, str], str] = {}

    out: list[str] = []
    w = out.append
    w("<!doctype html><html lang=en><head><meta charset=utf-8>"
      "<meta name=viewport content='width=device-width,initial-scale=1'>"
      f"<title>etcdfit report {e(doc.started)}</title><style>{_CSS}</style></head><body><main>")
    _header(w, doc, cols, rows)
    _summary(w, doc, cols)
    matrix_html = _matrix(doc, cols, rows, anchors)
    _diff_section(w, doc, previous, anchors)
    w(matrix_html)
    _capabilities(w, doc)
    w(f"</main><script>{_JS}</script></body></html>\n")
    return "".join(out)


def _header(w: _Writer, doc: ResultsDoc, cols: list[_Col], rows: dict[str, dict[int, TestRecord]]) -> None:
    totals = Counter(t.outcome for t in doc.tests)
    etcd = doc.etcd
    servers = sorted({c.server for c in cols if c.server}, key=_natural)
    where = ", ".join(etcd.get("endpoints") or []) or "embedded"
    w("<header><h1>etcdfit report</h1>")
    w(f"<p class=meta>started <b>{e(doc.started or '?')}</b> &middot; wall time <b>{_dur(doc.duration_s)}</b>"
      f" &middot; etcd <b>{e(', '.join(servers) or etcd.get('version') or '?')}</b>"
      f" <span class=muted>({e(where)})</span>"
      f" &middot; <b>{sum(1 for c in cols if c.key != _NO_CELL)}</b> cells &middot; <b>{len(rows)}</b> tests"
      f" &middot; <b>{len(doc.tests)}</b> results</p>")
    w("<p class=totals>" + "".join(
        f"<span class='badge {o if totals[o] else 'zero'}'>{totals[o]} {e(o.replace('_', ' '))}</span>"
        for o in OUTCOMES)
      + "</p>")
    w("<nav><a href='#summary'>cells</a><a href='#diff'>changes</a><a href='#matrix'>matrix</a>"
      "<a href='#capabilities'>capabilities</a></nav></header>")


def _dur(s: object) -> str:
    try:
        s = float(s)  # type: ignore[arg-type]  # anything float() refuses is shown as ?
    except (TypeError, ValueError):
        return "?"
    return f"{s:.1f} s" if s < 120 else f"{int(s // 60)} min {int(s % 60)} s"


def _summary(w: _Writer, doc: ResultsDoc, cols: list[_Col]) -> None:
    counts: dict[str, Counter[str]] = {c.key: Counter() for c in cols}
    for t in doc.tests:
        counts[t.cell or _NO_CELL][t.outcome] += 1
    extra = any(c.cell.exit_code is not None or c.cell.error for c in cols)
    w("<h2 id=cells>Cells</h2><table id=summary><thead><tr><th>cell</th><th>performer@SDK</th><th>etcd</th>"
      "<th>topology</th><th>security</th>" + "".join(f"<th class=n>{e(o.replace('_', ' '))}</th>" for o in OUTCOMES)
      + "<th class=n>total</th>" + ("<th>exit / notes</th>" if extra else "") + "</tr></thead><tbody>")
    for c in cols:
        n = counts[c.key]
        w(f"<tr><td class=cellid>{e(c.key)}</td><td>{e(c.group)}</td><td>{e(c.server)}</td><td>{e(c.topology)}</td>"
          f"<td class=security>{e(c.security if c.key != _NO_CELL else '')}</td>"
          + "".join(f"<td class='n {o if n[o] else 'zero'}'>{n[o]}</td>" for o in OUTCOMES)
          + f"<td class=n>{sum(n.values())}</td>")
        if extra:
            note = ""
            if c.cell.exit_code is not None:
                note += f"exit {e(c.cell.exit_code)}"
                if c.cell.duration_s is not None:
                    note += f", {_dur(c.cell.duration_s)}"
            if c.cell.error:
                note += (" <details><summary class=failed>no results</summary>"
                         f"<pre>{e(c.cell.error)}</pre></details>")
            w(f"<td>{note}</td>")
        w("</tr>")
    w("</tbody></table>")


def _matrix(doc: ResultsDoc, cols: list[_Col], rows: dict[str, dict[int, TestRecord]],
            anchors: dict[tuple[str, str], str]) -> str:
    out: list[str] = []
    w = out.append
    ncol = len(cols)
    w("<h2 id=matrix-h>Matrix <span class=muted style='font-weight:400;font-size:13px'>"
      f"{len(rows)} tests &times; {ncol} cells; "
      "click a coloured cell that is not <i>pass</i> for its details</span></h2>")
    w("<div class=filters><input id=q type=search placeholder='filter tests by name'>"
      "<label><input id=onlybad type=checkbox> only failing tests</label>"
      "<label><input id=onlynp type=checkbox> only tests not all passed</label>"
      "<span class=legend><span class=passed>pass</span><span class=failed>fail (class)</span>"
      "<span class=error>error</span><span class=known_failure>known failure</span>"
      "<span class=skipped>skip</span><span class=absent>&nbsp;&nbsp;&nbsp;</span>absent</span></div>")
    w("<div class=mwrap><table id=matrix><thead><tr class=r1><th class=tcol rowspan=2>test</th>")
    i = 0
    while i < ncol:
        j = i
        while j + 1 < ncol and cols[j + 1].group == cols[i].group:
            j += 1
        w(f"<th class=perf colspan={j - i + 1}>{e(cols[i].group)}</th>")
        i = j + 1
    w("</tr><tr class=r2>")
    for c in cols:
        srv = f"etcd {c.server}" if c.server else ("&ndash;" if c.key == _NO_CELL else "etcd ?")
        w(f"<th class=col title='{e(c.key)}' data-cell='{e(c.key)}'>{srv if c.key == _NO_CELL else e(srv)}"
          f"<small>{e(c.topology or (c.key if c.key == _NO_CELL else ''))}</small>"
          + (f"<small class=security>{e(c.security)}</small>" if c.security != "plain" else "") + "</th>")
    w("</tr></thead>")

    def failing(test: str) -> bool:
        return any(t.outcome in FAILING for t in rows[test].values())

    files: dict[str, list[str]] = {}
    for test in rows:
        files.setdefault(_test_file(test), []).append(test)
    order = sorted(files, key=lambda f: (not any(failing(t) for t in files[f]), f))
    ri = 0
    for f in order:
        ts = sorted(files[f], key=lambda t: (not failing(t), t))
        nbad = sum(1 for t in ts if failing(t))
        w(f"<tbody><tr class=file><th colspan={ncol + 1}>{e(f)}<span>{len(ts)} tests"
          + (f", <b style='color:#7d0b0b'>{nbad} failing</b>" if nbad else "") + "</span></th></tr>")
        for test in ts:
            ri += 1
            row = rows[test]
            np_ = any(t.outcome != "passed" for t in row.values()) or len(row) < ncol
            cls = "t" + (" bad" if failing(test) else "") + (" np" if np_ else "")
            w(f"<tr class='{cls}' data-t='{e(test.lower())}'><th class=tn title='{e(test)}'>{e(_test_name(test))}</th>")
            for ci, c in enumerate(cols):
                t = row.get(ci)
                if t is None:
                    w("<td class=absent></td>")
                    continue
                o = t.outcome
                label = _SHORT.get(t.classification or "", _LABEL.get(o, o)) if o == "failed" else _LABEL.get(o, o)
                if o == "passed":
                    w(f"<td class=passed>{label}</td>")
                    continue
                aid = f"r{ri}c{ci}"
                anchors.setdefault((t.cell or _NO_CELL, test), aid)
                first = t.problems[0].line() if t.problems else ""
                tip = e(" ".join(x for x in (t.classification or "", first) if x)[:300] or _reason(t)[:300])
                w(f"<td id={aid} class={o} data-class='{e(t.classification or '')}' title='{tip}'>"
                  f"<details class=dd><summary>{e(label)}</summary>"
                  f"<div class=pop>{_drill(t, c.key)}</div></details></td>")
            w("</tr>")
        w("</tbody>")
    w("</table></div>")
    return "".join(out)


def _diff_section(w: _Writer, doc: ResultsDoc, previous: ResultsDoc | None,
                  anchors: dict[tuple[str, str], str]) -> None:
    w("<h2 id=diff>Changes since the previous results</h2>")
    if previous is None:
        w("<p class=note>no previous results given</p>")
        return
    d = _diff.diff(previous, doc)
    w(f"<p class=meta>previous run: started {e(previous.started or '?')}, "
      f"{len(previous.tests)} results in {len(previous.cells)} cells</p>")
    for title, items, kind in (("New failures", d.new_failures, "new"), ("Fixed", d.fixed, "fixed"),
                               ("Newly skipped", d.newly_skipped, "skip")):
        w(f"<h3 id=diff-{kind}>{title} ({len(items)})</h3>")
        if not items:
            w("<p class=note>none</p>")
            continue
        w(f"<table class='diff diff-{kind}'>"
          "<tr><th>test</th><th>cell</th><th>before</th><th>now</th><th>detail</th></tr>")
        for ch in items[:500]:
            aid = anchors.get((ch.cell or _NO_CELL, ch.test))
            name = f"<a href='#{aid}'>{e(ch.test)}</a>" if aid else e(ch.test)
            before = ch.before or "absent"
            via = (f" <span class=muted title='the cell id changed; compared with {e(ch.before_cell)}'>"
                   f"(vs {e(ch.before_cell)})</span>") if ch.matched_by == "performer" else ""
            detail = ch.classification or ""
            if kind == "skip":
                detail = ch.message[len("Skipped: "):] if ch.message.startswith("Skipped: ") else ch.message
                detail = detail[:200]
            w(f"<tr><td class=t>{name}</td><td>{e(ch.cell or _NO_CELL)}{via}</td>"
              f"<td><span class='badge {before if ch.before else 'absent'}'>{e(before)}</span></td>"
              f"<td><span class='badge {ch.after}'>{e(ch.after)}</span></td><td>{e(detail)}</td></tr>")
        if len(items) > 500:
            w(f"<tr><td colspan=5 class=note>&hellip; and {len(items) - 500} more</td></tr>")
        w("</table>")


def _capabilities(w: _Writer, doc: ResultsDoc) -> None:
    perfs = doc.performers
    columns: dict[str, set[str]] = {}
    for spec, info in sorted(perfs.items()):
        label = f"{info.get('name') or spec.split('@')[0]}@{info.get('sdk_version', '?')}"
        columns.setdefault(label, set()).update(info.get("capabilities") or [])
    labels = sorted(columns, key=_natural)
    try:
        from ..capabilities import load_catalog

        meanings = dict(load_catalog().meanings)
        note = ""
    except Exception as exc:  # the report must render without a checkout's catalog
        meanings = {}
        note = f"<p class=note>capability catalog not available ({e(exc)}); showing the ids the performers report</p>"
    extra = sorted({c for caps in columns.values() for c in caps} - meanings.keys())
    w("<h2 id=caps>Capabilities</h2>" + note)
    if not labels:
        w("<p class=note>no performers in these results</p>")
    w("<table id=capabilities><thead><tr><th>capability</th><th>meaning</th>"
      + "".join(f"<th>{e(lb)}</th>" for lb in labels) + "</tr></thead><tbody>")
    prev_group = None
    for cid in list(meanings) + extra:
        group = cid.split(".")[0]
        meaning = meanings.get(cid, "not in the catalog")
        cls = " class=grp" if prev_group is not None and group != prev_group else ""
        prev_group = group
        w(f"<tr{cls}><td class=cap title='{e(meaning)}'>{e(cid)}</td><td class=mean>{e(meaning)}</td>"
          + "".join("<td class=y>yes</td>" if cid in columns[lb] else "<td class=n2>no</td>" for lb in labels)
          + "</tr>")
    w("<tr class=grp><th colspan=2>total</th>" + "".join(f"<th>{len(columns[lb])}</th>" for lb in labels)
      + "</tr></tbody></table>")

