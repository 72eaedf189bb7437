"""The perf report: one self-contained index.html (inline CSS and SVG, no scripts, no fetches),
in the style of etcdfit.report.html.

Sections: the run (profile, server, subjects); the summary per step with each SDK's ratio to
etcd's benchmark tool; throughput over time per step; latency percentiles per SDK; the
connection ramp (throughput, p99 and set-up time against the number of clients) when the
profile varies the client count; RSS over time; errors by code.
"""

from __future__ import annotations

import html as _html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..report.html import _CSS

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
_EXTRA_CSS = """
svg.chart{background:#fff;border:1px solid var(--line);margin:4px 12px 12px 0}
svg.chart text{font:11px system-ui,sans-serif;fill:#334}
.charts{display:flex;flex-wrap:wrap}
.good{background:var(--pass);color:var(--pass-t)}.bad{background:var(--fail);color:var(--fail-t)}
.mid{background:var(--known);color:var(--known-t)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
"""
Series = tuple[str, Sequence[tuple[float, float]]]


def e(x: object) -> str:
    return _html.escape("" if x is None else str(x), quote=True)


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    mag: float = 10.0 ** len(str(int(v))) / 10
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if v <= m * mag:
            return m * mag
    return 10 * mag


def _fmt(v: float) -> str:
    return f"{v:.0f}" if v >= 100 or v == int(v) else f"{v:.2g}" if v < 1 else f"{v:.1f}"


def line_chart(title: str, series: Sequence[Series], *, xlabel: str, ylabel: str,
               hlines: Sequence[tuple[str, float]] = (), colors: Sequence[str] | None = None,
               width: int = 520, height: int = 240) -> str:
    """An SVG line chart with points; `hlines` are dashed reference lines (e.g. the tool's figure);
    `colors` gives each series its colour (default: by position)."""
    pts = [p for _, s in series for p in s]
    if not pts:
        return ""
    left, right, top, bottom = 58, 12, 24, 38
    xmax = _nice_max(max(x for x, _ in pts))
    ymax = _nice_max(max([y for _, y in pts] + [v for _, v in hlines]))
    w, h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + w * x / xmax

    def sy(y: float) -> float:
        return top + h - h * y / ymax

    out = [(f'<svg class="chart" width="{width}" height="{height + 16 * len(series)}" role="img" '
           f'aria-label="{e(title)}"><text x="{left}" y="15" font-weight="600">{e(title)}</text>')]
    for i in range(5):
        yv = ymax * i / 4
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{sy(yv):.1f}" y2="{sy(yv):.1f}" stroke="#eee"/>'
                   f'<text x="{left - 4}" y="{sy(yv) + 4:.1f}" text-anchor="end">{_fmt(yv)}</text>')
        xv = xmax * i / 4
        out.append(f'<text x="{sx(xv):.1f}" y="{top + h + 14}" text-anchor="middle">{_fmt(xv)}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + h}" stroke="#99a"/>'
               f'<line x1="{left}" x2="{left + w}" y1="{top + h}" y2="{top + h}" stroke="#99a"/>'
               f'<text x="{left + w / 2}" y="{top + h + 30}" text-anchor="middle">{e(xlabel)}</text>'
               f'<text transform="translate(12,{top + h / 2}) rotate(-90)" text-anchor="middle">{e(ylabel)}</text>')
    for label, v in hlines:
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#555" '
                   f'stroke-dasharray="5,4"/><text x="{left + w - 2}" y="{sy(v) - 3:.1f}" '
                   f'text-anchor="end">{e(label)}</text>')
    for i, (label, s) in enumerate(series):
        color = colors[i] if colors else _COLORS[i % len(_COLORS)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s)
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{color}"/>' for x, y in s]
        ly = height + 16 * i + 4
        out.append(f'<rect x="{left}" y="{ly - 9}" width="12" height="4" fill="{color}"/>'
                   f'<text x="{left + 18}" y="{ly}">{e(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart(title: str, groups: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
              ylabel: str, colors: Sequence[str] | None = None, width: int = 520, height: int = 240) -> str:
    """Grouped bars: one group per entry of `groups`, one bar per series in each (`colors`: each
    series' colour; default: by position)."""
    def color(si: int) -> str:
        return colors[si] if colors else _COLORS[si % len(_COLORS)]

    vals = [v for _, vs in series for v in vs]
    if not vals or not groups:
        return ""
    left, right, top, bottom = 58, 12, 24, 30
    w, h = width - left - right, height - top - bottom
    ymax = _nice_max(max(vals))
    gw = w / len(groups)
    bw = gw * 0.8 / max(1, len(series))
    out = [(f'<svg class="chart" width="{width}" height="{height + 16 * len(series)}" role="img" '
           f'aria-label="{e(title)}"><text x="{left}" y="15" font-weight="600">{e(title)}</text>')]
    for i in range(5):
        yv = ymax * i / 4
        y = top + h - h * yv / ymax
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(yv)}</text>')
    out.append(f'<text transform="translate(12,{top + h / 2}) rotate(-90)" text-anchor="middle">{e(ylabel)}</text>')
    for gi, g in enumerate(groups):
        out.append(f'<text x="{left + gw * gi + gw / 2:.1f}" y="{top + h + 16}" text-anchor="middle">{e(g)}</text>')
        for si, (_, vs) in enumerate(series):
            v = vs[gi]
            bh = h * v / ymax
            x = left + gw * gi + gw * 0.1 + bw * si
            out.append(f'<rect x="{x:.1f}" y="{top + h - bh:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
                       f'fill="{color(si)}"><title>{e(g)}: {_fmt(v)}</title></rect>')
    for si, (label, _) in enumerate(series):
        ly = height + 16 * si + 4
        out.append(f'<rect x="{left}" y="{ly - 9}" width="12" height="8" fill="{color(si)}"/>'
                   f'<text x="{left + 18}" y="{ly}">{e(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _ratio_class(r: float) -> str:
    return "good" if r >= 0.9 else "mid" if r >= 0.6 else "bad"


def _summary_table(doc: dict[str, Any]) -> str:
    out = [('<table id="summary"><tr><th>step</th><th>subject</th><th>ops/s</th><th>ratio to tool</th>'
           "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th>"
           "<th>set-up ms (median / max)</th><th>CPU us/op</th><th>RSS MiB</th><th>note</th></tr>")]
    for step in doc["steps"]:
        for r in step["summary"]:
            if r["status"] != "ok":
                out.append(f'<tr><td>{e(step["name"])}</td><td>{e(r["subject"])}</td>'
                           f'<td colspan="11" class="muted">{e(r["status"])}</td><td>{e(r.get("reason"))}</td></tr>')
                continue
            ratio = r.get("ratio_to_tool")
            rcell = (f'<td class="num"><span class="badge {_ratio_class(ratio)}">{ratio:.2f}</span></td>'
                     if ratio is not None else '<td class="muted">-</td>')
            ms = "".join(f'<td class="num">{r[k] / 1000:.2f}</td>' for k in ("p50", "p90", "p99", "p999", "max"))
            setup = (f'{r["connect_us_median"] / 1000:.1f} / {r["connect_us_max"] / 1000:.1f}'
                     if r.get("connect_us_median") is not None else "-")
            cpu = f'{r["cpu_us_per_op"]:.0f}' if r.get("cpu_us_per_op") is not None else "-"
            rss = f'{r["rss_bytes_end"] / 1048576:.0f}' if r.get("rss_bytes_end") else "-"
            note = f'median of {r["repeats"]}' if r["repeats"] > 1 else ""
            if r.get("throughput_spread") is not None:
                note += f', spread {r["throughput_spread"]:.0%}'
            out.append(f'<tr><td>{e(step["name"])}</td><td>{e(r["subject"])}</td>'
                       f'<td class="num">{r["throughput"]:.0f}</td>{rcell}{ms}<td class="num">{r.get("errors", 0)}'
                       f'</td><td class="num">{setup}</td><td class="num">{cpu}</td><td class="num">{rss}</td>'
                       f"<td>{e(note)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _first_runs(step: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in step["runs"] if r["kind"] == "performer" and r["status"] == "ok" and r["repeat"] == 0]


def _tool_row(step: dict[str, Any]) -> dict[str, Any] | None:
    return next((r for r in step["summary"] if r["kind"] == "tool" and r["status"] == "ok"), None)


def subject_colors(doc: dict[str, Any]) -> dict[str, str]:
    """One colour per subject for the whole report (the order of doc["subjects"]), so the same SDK
    has the same colour in every chart whichever subjects a chart shows."""
    return {s["id"]: _COLORS[i % len(_COLORS)] for i, s in enumerate(doc["subjects"])}


def _step_charts(step: dict[str, Any], pal: dict[str, str]) -> str:
    runs = _first_runs(step)
    tool = _tool_row(step)
    hl = [(f"{tool['subject']} {tool['throughput']:.0f} ops/s", tool["throughput"])] if tool else []
    through = line_chart(f"{step['name']}: throughput over time (first repeat)",
                         [(r["subject"], [(p["t_s"], p["ops_per_s"]) for p in r["timeline"]]) for r in runs],
                         xlabel="seconds", ylabel="ops/s", hlines=hl, colors=[pal[r["subject"]] for r in runs])
    rows = [r for r in step["summary"] if r["status"] == "ok"]
    names = ("p50", "p90", "p99", "p999")
    lat = bar_chart(f"{step['name']}: latency percentiles (medians over repeats)", ["p50", "p90", "p99", "p99.9"],
                    [(r["subject"], [r[n] / 1000 for n in names]) for r in rows], ylabel="ms",
                    colors=[pal[r["subject"]] for r in rows])
    return f'<h3>{e(step["name"])}</h3><div class="charts">{through}{lat}</div>'


def _ramp(doc: dict[str, Any]) -> str:
    steps = doc["steps"]
    if len({s["config"]["clients"] for s in steps}) < 2:
        return ""
    subjects = [s["id"] for s in doc["subjects"]]
    pal = subject_colors(doc)

    def series(field: str, scale: float = 1.0) -> list[Series]:
        out: list[Series] = []
        for subj in subjects:
            pts = [(float(s["config"]["clients"]), r[field] / scale) for s in steps for r in s["summary"]
                   if r["subject"] == subj and r["status"] == "ok" and r.get(field) is not None]
            if pts:
                out.append((subj, sorted(pts)))
        return out

    def chart(title: str, ss: list[Series], ylabel: str) -> str:
        return line_chart(title, ss, xlabel="clients (connections)", ylabel=ylabel, colors=[pal[n] for n, _ in ss])

    charts = (chart("throughput by connections", series("throughput"), "ops/s")
              + chart("p99 by connections", series("p99", 1000), "ms")
              + chart("connection set-up (median)", series("connect_us_median", 1000), "ms"))
    return f'<h2 id="ramp">Connection ramp</h2><div class="charts">{charts}</div>'


def _rss(doc: dict[str, Any]) -> str:
    pal = subject_colors(doc)
    charts = []
    for step in doc["steps"]:
        runs = _first_runs(step)
        if any(len(r["timeline"]) >= 3 for r in runs):
            charts.append(line_chart(
                f"{step['name']}: RSS over time", [(f"{r['subject']} ({_growth(r)})",
                                                    [(p["t_s"], p["rss_bytes"] / 1048576) for p in r["timeline"]])
                                                   for r in runs], xlabel="seconds", ylabel="MiB",
                colors=[pal[r["subject"]] for r in runs]))
    return f'<h2 id="rss">Memory</h2><div class="charts">{"".join(charts)}</div>' if charts else ""


def _growth(run: dict[str, Any]) -> str:
    g = run.get("rss_growth_per_hour")
    return "growth n/a" if g is None else f"{g / 1048576:+.1f} MiB/h"


def _errors(doc: dict[str, Any]) -> str:
    rows = [(s["name"], r["subject"], code, n, r.get("error_samples", {}).get(code, ""))
            for s in doc["steps"] for r in s["runs"] if r["status"] == "ok"
            for code, n in r.get("errors", {}).items()]
    if not rows:
        return '<h2 id="errors">Errors</h2><p class="muted">none</p>'
    body = "".join(f"<tr><td>{e(a)}</td><td>{e(b)}</td><td>{e(c)}</td><td class=num>{d}</td><td>{e(x)}</td></tr>"
                   for a, b, c, d, x in rows)
    return (f'<h2 id="errors">Errors</h2><table><tr><th>step</th><th>subject</th><th>code</th><th>count</th>'
            f"<th>sample</th></tr>{body}</table>")


def render(doc: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    prof = doc["profile"]
    subjects = "".join(f"<li>{e(s['id'])} <span class=muted>({e(s['kind'])}"
                       + (f", {e(s.get('sdk_package'))}" if s.get("sdk_package") else "")
                       + ("" if s.get("claims_workload", True) else ", does not claim perf.workload")
                       + ")</span></li>" for s in doc["subjects"])
    wall = f"{doc['wall_s']:.0f}s" if doc.get("wall_s") is not None else "(unfinished)"
    parts = [
        (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>etcdfit perf {e(prof['name'])} "
        f"{e(doc['started'])}</title><style>{_CSS}{_EXTRA_CSS}</style></head><body><main>"),
        f"<h1>etcdfit perf: profile {e(prof['name'])}</h1>",
        f"<p class=meta>{e(prof.get('description'))}</p>",
        (f"<p class=meta>etcd {e(doc['server']['version'])} ({e(doc['server']['spec'])}) · started "
        f"{e(doc['started'])} · wall {wall} · repeat {doc['repeat']} · host CPUs {e(doc['host'].get('cpus'))}</p>"),
        ('<nav><a href="#summary">summary</a><a href="#steps">steps</a><a href="#ramp">ramp</a>'
        '<a href="#rss">memory</a><a href="#errors">errors</a></nav>'),
        f"<h2>Subjects</h2><ul>{subjects}</ul>",
        ("<h2>Summary</h2><p class=muted>Medians over repeats. Ratio: the SDK's throughput over etcd's benchmark "
        "tool's on the same step and server (green from 0.9).</p>"), _summary_table(doc),
        '<h2 id="steps">Steps</h2>', *(_step_charts(s, subject_colors(doc)) for s in doc["steps"]),
        _ramp(doc), _rss(doc), _errors(doc), "</main></body></html>",
    ]
    page = out / "index.html"
    page.write_text("".join(parts))
    return page
