"""The email's chart: DS and MLE median pay over the last weeks, with bands, and weekly new postings.

Rendered with matplotlib's Agg backend into PNG bytes; nothing is written to disk.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

DS = "data_scientist"
MLE = "ml_engineer"
SERIES = ((DS, "Data Scientist", "#1f77b4"), (MLE, "ML Engineer", "#d62728"))


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _band(family: Mapping[str, Any]) -> tuple[float | None, float | None, str]:
    """The band around a median: its CI when the payload has one, else the interquartile range."""
    ci = family.get("pay_median_ci95")
    if isinstance(ci, list | tuple) and len(ci) == 2:
        return _num(ci[0]), _num(ci[1]), "95% CI"
    return _num(family.get("pay_p25")), _num(family.get("pay_p75")), "25th-75th percentile"


def render_chart(history: Sequence[Mapping[str, Any]]) -> bytes:
    """A PNG of median pay (with bands) and new postings per week, from payloads oldest first."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    weeks = [str(p.get("week", "")) for p in history]
    x = list(range(len(weeks)))
    fig = Figure(figsize=(7.2, 4.6), dpi=100)
    pay_ax, vol_ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    band_label = ""
    for key, label, color in SERIES:
        fams = [(p.get("families") or {}).get(key) or {} for p in history]
        med = [_num(f.get("pay_median")) for f in fams]
        pts = [(i, m) for i, m in zip(x, med, strict=True) if m is not None]
        if pts:
            pay_ax.plot([i for i, _ in pts], [m / 1000 for _, m in pts], marker="o", color=color, label=label)
        bands = [(i, *_band(f)) for i, f in zip(x, fams, strict=True)]
        bx = [(i, lo, hi) for i, lo, hi, _ in bands if lo is not None and hi is not None]
        if bx:
            band_label = next(name for _, lo, hi, name in bands if lo is not None and hi is not None)
            pay_ax.fill_between(
                [i for i, _, _ in bx],
                [lo / 1000 for _, lo, _ in bx],
                [hi / 1000 for _, _, hi in bx],
                color=color,
                alpha=0.15,
            )
        new = [_num(f.get("new")) or 0.0 for f in fams]
        offset = -0.2 if key == DS else 0.2
        vol_ax.bar([i + offset for i in x], new, width=0.4, color=color, label=label)
    market = str(history[-1].get("market", "")) if history else ""
    title = "Median advertised annual pay"
    if band_label:
        title += f" (shaded: {band_label})"
    pay_ax.set_title(title, fontsize=10)
    pay_ax.set_ylabel(f"thousand {market}".strip(), fontsize=9)
    pay_ax.grid(True, alpha=0.3)
    if pay_ax.get_legend_handles_labels()[0]:
        pay_ax.legend(fontsize=8, loc="upper left")
    vol_ax.set_title("New postings per week", fontsize=10)
    vol_ax.grid(True, axis="y", alpha=0.3)
    vol_ax.set_xticks(x)
    vol_ax.set_xticklabels([w[-3:] if len(w) >= 3 else w for w in weeks], fontsize=8)
    if not history:
        pay_ax.text(0.5, 0.5, "no weekly reports yet", ha="center", va="center", transform=pay_ax.transAxes)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
