"""Medians, ratios and the markdown table."""

from __future__ import annotations

import statistics

from .scenarios import Case
from .targets import ALL_TARGETS, BV, DUCK, GW, PG


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "n/a"
    if unit == "ms":
        return f"{v:,.1f} ms" if v < 100 else f"{v:,.0f} ms"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if v >= 1e4:
        return f"{v / 1e3:.0f} k"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}"


def ratio(gw: float | None, other: float | None) -> float | None:
    if gw is None or other is None or other == 0:
        return None
    return gw / other


def goal_met(case: Case, cell: dict) -> str:
    g = case.goal
    if g is None:
        return ""
    gw = cell.get(GW, {})
    if g.metric == "rss":
        v = max(gw.get("rss_growth_mb") or [], default=None)
        if v is None or gw.get("median") is None:
            return "—"
        return "yes" if v < g.bound else "**NO**"
    r = ratio(gw.get("median"), cell.get(g.against, {}).get("median"))
    if r is None:
        return "—"
    ok = r >= g.bound if g.op == ">=" else r <= g.bound
    return "yes" if ok else "**NO**"


def build_table(cases: list[Case], results: dict, labels: dict[tuple[str, str], str]) -> str:
    """results[(scenario, case)][target] = {"median", "values", "error", "rss_growth_mb", "extra"}"""
    head = ["scenario", "case", "unit", PG, GW, f"{DUCK} (in-process)", BV,
            "gw/PG", "gw/DuckDB", "gw/BV", "target", "met", "gw RSS Δ"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes: list[str] = []

    def note(text: str) -> str:
        if text not in notes:
            notes.append(text)
        return f"[{notes.index(text) + 1}]"

    for case in cases:
        key = (case.scenario, case.name)
        cell = results.get(key, {})
        label = labels.get(key, case.name)
        reasons = {cell.get(t, {}).get("error") for t in ALL_TARGETS}
        same_na = (len(reasons) == 1 and None not in reasons
                   and all(cell.get(t, {}).get("median") is None for t in ALL_TARGETS))
        row = [case.scenario, label, case.unit]
        for t in ALL_TARGETS:
            c = cell.get(t, {})
            if c.get("median") is not None:
                text = fmt_value(c["median"], case.unit)
                extra = c.get("extra") or {}
                flags = []
                if extra.get("missing_acked"):
                    flags.append(note(f"{t}, {case.scenario}: {extra['missing_acked']} acknowledged "
                                      "rows are MISSING afterwards (all runs)"))
                if extra.get("conflicts") or extra.get("other_errors"):
                    flags.append(note(
                        f"{t}, {case.scenario}: {extra.get('conflicts', 0)} conflict errors, "
                        f"{extra.get('other_errors', 0)} other errors (all runs); first: "
                        f"{extra.get('first_error', '?')}"))
                if extra.get("unacknowledged_rows_present"):
                    flags.append(note(f"{t}, {case.scenario}: {extra['unacknowledged_rows_present']} rows "
                                      "present whose INSERT was not acknowledged (all runs)"))
                if extra.get("hung_clients"):
                    flags.append(note(f"{t}, {case.scenario}: {extra['hung_clients']} client threads "
                                      "did not finish (all runs)"))
                if c.get("error"):
                    flags.append(note(f"{t}, {case.scenario} {label}: a later run failed: {c['error']}"))
                row.append(text + (" " + "".join(flags) if flags else ""))
            else:
                reason = c.get("error") or "not run"
                if reason.startswith("not selected"):
                    row.append("—")
                elif same_na:
                    row.append("n/a " + note(f"all targets, {case.scenario}: {reason}"))
                else:
                    row.append("n/a " + note(f"{t}, {case.scenario} {label}: {reason}"))
        gw = cell.get(GW, {}).get("median")
        for other in (PG, DUCK, BV):
            r = ratio(gw, cell.get(other, {}).get("median"))
            row.append("—" if r is None else f"{r:.2f}×")
        row.append(case.goal.text() if case.goal else "")
        row.append(goal_met(case, cell))
        rss = cell.get(GW, {}).get("rss_growth_mb") or []
        row.append(f"{max(rss):,.0f} MB" if rss else "")
        lines.append("| " + " | ".join(row) + " |")
    out = "\n".join(lines)
    if notes:
        out += "\n\nNotes:\n\n" + "\n".join(f"{i + 1}. {n}" for i, n in enumerate(notes))
    return out
