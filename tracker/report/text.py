"""The weekly report as plain-text tables (terminal, text part of an email)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.report.formatting import ci, family_name, money, number, p_value, pct, pp, share, window


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned first column, right-aligned others, one space-padded line per row."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)] if rows else [len(h) for h in headers]

    def line(cells: Sequence[str]) -> str:
        parts = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_text(payload: dict[str, Any]) -> str:
    """The report as readable plain text."""
    cur = payload["market"]
    families: dict[str, Any] = payload["families"]
    gap, trend, volume = payload["gap"], payload["trend"], payload["volume"]
    out = [
        f"Weekly report {payload['week']} - pay in {cur} - weeks in {payload.get('timezone', 'UTC')}",
        "",
        "Volume (distinct jobs)",
    ]
    rows = []
    for fam, f in families.items():
        new = f["changes"]["new"]
        rows.append(
            [family_name(fam), number(f["new"]), number(new["vs_previous_abs"]), pct(new["vs_previous_pct"]),
             number(new["trailing_mean"], 1), number(f["active"]), number(f["closed"])]
        )
    out += table(["family", "new", "vs W-1", "vs W-1 %", "4-wk mean", "active", "closed"], rows)
    out.append(
        f"ML engineer / data scientist new postings: {number(volume['ratio_mle_to_ds'], 2)} "
        f"(change vs W-1 {number(volume['ratio_change'], 2)})"
    )
    out += ["", f"Pay (annual midpoint, {cur}, {', '.join(payload.get('pay_sources', []))})"]
    rows = [
        [family_name(fam), number(f["pay_n"]), money(f["pay_median"]), money(f["pay_p25"]), money(f["pay_p75"]),
         share(f["pay_share"]), window(f["pay_window"])]
        for fam, f in families.items()
    ]
    out += table(["family", "n", "median", "p25", "p75", "with pay", "window"], rows)
    out += [
        "",
        "ML engineer vs data scientist",
        f"  median gap: {money(gap['mle_minus_ds'], cur, signed=True)} ({pct(gap['pct'])}), "
        f"95 % CI {ci(gap.get('ci95'))} (bootstrap, {gap.get('bootstrap_resamples')} resamples)",
        f"  Welch t-test on log pay: p {p_value(gap['p_value'])}",
        f"  composition-adjusted (same seniority, workplace, location): {pct(gap['adjusted_pct'])}, "
        f"95 % CI {ci(gap['adjusted_ci95'])}",
        f"  n: data scientist {gap['n_ds']}, ML engineer {gap['n_mle']}; window {window(gap['window'])}",
    ]
    prev = payload["previous_week"]
    out.append(
        f"  previous week ({prev.get('week')}): {pct(prev['gap'].get('pct'))}; "
        f"change {pp(gap.get('change_vs_previous_pct_points'))}"
    )
    out.append(
        f"  {trend['weeks']}-week trend: {pp(trend['slope_pct_per_week'], 2, 'pp/week')}, "
        f"95 % CI {ci(trend['ci95'], 'pp/week')} ({trend.get('points_used', 0)} weeks used)"
    )
    out += ["", "Top skills (share of postings)"]
    for fam in ("data_scientist", "ml_engineer"):
        items = payload["skills"].get(fam, [])
        listed = ", ".join(f"{s['skill']} {share(s['share'])}" for s in items[:8]) or "-"
        out.append(f"  {family_name(fam)}: {listed}")
    dist = payload.get("distinctive", [])
    if dist:
        mle = [d["skill"] for d in dist if d["log_odds_z"] is not None and d["log_odds_z"] > 1.96]
        ds = [d["skill"] for d in dist if d["log_odds_z"] is not None and d["log_odds_z"] < -1.96]
        out.append(f"  distinctive of ML engineers (z > 1.96): {', '.join(mle) or '-'}")
        out.append(f"  distinctive of data scientists (z < -1.96): {', '.join(ds) or '-'}")
    out += ["", "Employer framing: coded words per 1,000 words of posting text"]
    rows = [
        [family_name(fam), number(f["masculine_per_1k"], 2), number(f["feminine_per_1k"], 2), number(f["postings"]), window(f["window"])]
        for fam, f in payload["framing"].items()
        if f["postings"]
    ]
    out += table(["family", "masculine-coded", "feminine-coded", "postings", "window"], rows) if rows else ["  -"]
    out.append(f"  {payload.get('framing_about', '')}")
    other = payload.get("other_currencies", {})
    if other.get("total"):
        out += ["", f"Other currencies in {other['week']} (not converted, not in the figures above)"]
        for currency, slot in other["by_currency"].items():
            out.append(f"  {currency}: {slot['total']}")
    if payload.get("notes"):
        out += ["", "Notes"]
        out += [f"  - {note}" for note in payload["notes"]]
    return "\n".join(out) + "\n"
