"""A static, dependency-free HTML report from a results file."""

from __future__ import annotations

import html
from collections import defaultdict
from pathlib import Path

from .results import OUTCOMES, counts_by_performer

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f4f4f4}.passed{background:#d7f5d7}.failed,.error{background:#f8d0d0}
.known_failure{background:#fbe9c4}.skipped{background:#e8e8e8}pre{white-space:pre-wrap;font-size:12px;
background:#fafafa;border:1px solid #eee;padding:6px}details{margin:4px 0}
"""


def render(doc: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = sorted({t["performer"] for t in doc["tests"] if t["performer"]})
    by_test: dict[str, dict[str, dict]] = defaultdict(dict)
    for t in doc["tests"]:
        by_test[t["test"]][t["performer"] or "-"] = t
    e = html.escape
    parts = [f"<!doctype html><meta charset=utf-8><title>etcdfit report</title><style>{_CSS}</style>",
             "<h1>etcdfit report</h1>",
             f"<p>etcd {e(str(doc.get('etcd', {}).get('version', '?')))}; started {e(doc.get('started', ''))}; "
             f"wall time {doc.get('duration_s', 0)}s</p>", "<h2>Summary</h2><table id=summary><tr><th>performer</th><th>SDK</th>"]
    parts += [f"<th>{o}</th>" for o in OUTCOMES] + ["</tr>"]
    counts = counts_by_performer(doc)
    for s in specs:
        sdk = doc.get("performers", {}).get(s, {}).get("sdk_version", "?")
        parts.append(f"<tr><td>{e(s)}</td><td>{e(sdk)}</td>" + "".join(
            f"<td class={o if counts[s][o] else ''}>{counts[s][o]}</td>" for o in OUTCOMES) + "</tr>")
    parts.append("</table><h2>Tests</h2><table id=matrix><tr><th>test</th>" + "".join(f"<th>{e(s)}</th>" for s in specs) + "</tr>")
    for test in sorted(by_test):
        row = [f"<tr><td>{e(test)}</td>"]
        for s in specs:
            t = by_test[test].get(s)
            row.append(f"<td class={t['outcome']}>{_cell(t)}</td>" if t else "<td></td>")
        parts.append("".join(row) + "</tr>")
    parts.append("</table>")
    parts.append(_capability_table(doc))
    path = out_dir / "index.html"
    path.write_text("\n".join(parts))
    return path


def _cell(t: dict) -> str:
    e = html.escape
    label = t["outcome"] + (f" ({t['classification']})" if t.get("classification") else "")
    if t["outcome"] == "passed":
        return "passed"
    body = e(t.get("message", ""))
    prog = f"<b>program</b><pre>{e(t['program'])}</pre>" if t.get("program") else ""
    return f"<details><summary>{e(label)}</summary>{prog}<pre>{body}</pre></details>"


def _capability_table(doc: dict) -> str:
    perfs = doc.get("performers", {})
    if not perfs:
        return ""
    ids = sorted({c for p in perfs.values() for c in p.get("capabilities", [])})
    specs = sorted(perfs)
    rows = ["<h2>Capabilities</h2><table id=capabilities><tr><th>capability</th>"
            + "".join(f"<th>{html.escape(s)}</th>" for s in specs) + "</tr>"]
    for cid in ids:
        rows.append(f"<tr><td>{cid}</td>" + "".join(
            "<td class=passed>yes</td>" if cid in perfs[s].get("capabilities", []) else "<td class=skipped>no</td>"
            for s in specs) + "</tr>")
    return "".join(rows) + "</table>"
