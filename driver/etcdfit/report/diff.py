"""What changed between a previous results document and the current one (pure).

Each current test record is paired with its previous counterpart:
- by (cell id, test) when the previous run had that cell id;
- otherwise (the cell ids changed, e.g. a new SDK or server version) by (performer name,
  test), preferring a previous record with the same server, then the same SDK version,
  then the same topology, then the same security.

Changes reported:
- new_failures: failed/error now, and passed, skipped, known_failure or absent before;
- fixed: failed/error before, passed now;
- newly_skipped: ran before (any other outcome), skipped now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import FAILING, Cell, ResultsDoc, TestRecord


@dataclass(frozen=True)
class Change:
    test: str
    cell: str | None
    performer: str | None
    before: str | None  # previous outcome, None when the test was absent
    after: str
    classification: str | None  # current classification (failures)
    matched_by: str  # "cell", "performer" or "" (no previous record)
    before_cell: str | None = None
    message: str = ""


@dataclass
class Diff:
    new_failures: list[Change] = field(default_factory=list)
    fixed: list[Change] = field(default_factory=list)
    newly_skipped: list[Change] = field(default_factory=list)


def performer_name(doc: ResultsDoc, spec: str | None) -> str:
    if not spec:
        return ""
    info = doc.performers.get(spec) or {}
    return info.get("name") or spec.split("@")[0]


def _cell_info(doc: ResultsDoc) -> dict[str, Cell]:
    return {c.id: c for c in doc.cells if c.id}


def diff(previous: ResultsDoc, current: ResultsDoc) -> Diff:
    prev_cells = _cell_info(previous)
    prev_cell_ids = set(prev_cells) | {t.cell for t in previous.tests if t.cell}
    by_cell: dict[tuple[str | None, str], TestRecord] = {}
    by_name: dict[tuple[str, str], list[TestRecord]] = {}
    for t in previous.tests:
        by_cell[(t.cell, t.test)] = t
        by_name.setdefault((performer_name(previous, t.performer), t.test), []).append(t)
    cur_cells = _cell_info(current)

    def counterpart(t: TestRecord) -> tuple[TestRecord | None, str]:
        cell = t.cell
        if cell in prev_cell_ids or cell is None:
            p = by_cell.get((cell, t.test))
            return p, ("cell" if p else "")
        cands = by_name.get((performer_name(current, t.performer), t.test))
        if not cands:
            return None, ""
        me = cur_cells.get(cell)

        def score(p: TestRecord) -> tuple[bool, bool, bool, bool, str]:
            pc = prev_cells.get(p.cell or "")

            def same(a: str) -> bool:
                return pc is not None and me is not None and getattr(pc, a) == getattr(me, a)

            return (not same("server"), not same("sdk_version"), not same("topology"), not same("security"),
                    p.cell or "")

        return min(cands, key=score), "performer"

    out = Diff()
    for t in current.tests:
        p, how = counterpart(t)
        before = p.outcome if p else None
        now = t.outcome
        ch = Change(test=t.test, cell=t.cell, performer=t.performer, before=before, after=now,
                    classification=t.classification, matched_by=how,
                    before_cell=p.cell if p else None, message=t.message or "")
        if now in FAILING and before not in FAILING:
            out.new_failures.append(ch)
        elif now == "passed" and before in FAILING:
            out.fixed.append(ch)
        elif now == "skipped" and before is not None and before != "skipped":
            out.newly_skipped.append(ch)
    for lst in (out.new_failures, out.fixed, out.newly_skipped):
        lst.sort(key=lambda c: (c.test, c.cell or ""))
    return out
