"""The weekly summary email: a stored report payload rendered as text + HTML with an inline chart.

Pure rendering, no I/O: `build_message(summary, ...)` returns an `EmailMessage` shaped

    multipart/alternative
    +-- text/plain
    +-- multipart/related
        +-- text/html          (table layout, inline styles, no scripts, no external images)
        +-- image/png          (the chart, Content-ID referenced as cid: from the HTML)

Everything that came from postings (skills, notes, source errors) is untrusted: the HTML template is
rendered with Jinja2 autoescape. Values withheld by the analysis (null) render as NA_TEXT.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

NA_TEXT = "n/a (too few postings)"
DS = "data_scientist"
MLE = "ml_engineer"
FAMILY_LABELS = {
    "data_scientist": "Data Scientist",
    "ml_engineer": "ML Engineer",
    "ai_engineer": "AI Engineer",
    "applied_scientist": "Applied Scientist",
    "data_analyst": "Data Analyst",
    "data_engineer": "Data Engineer",
    "other": "Other",
}
METHOD_NOTE = (
    "How the numbers are computed: postings are collected from public job boards, de-duplicated across "
    "sources and reposts, and classified into role families by title. Pay is the midpoint of the advertised "
    "annual range (hourly pay annualized at 2,080 hours); pay estimated by a job board is left out unless "
    "configured otherwise. The gap is the MLE median over the DS median minus one, with a bootstrap 95% "
    "confidence interval; the adjusted gap comes from a regression of log pay on family, seniority, workplace "
    "and location. Numbers from fewer postings than the configured minimum are withheld, and thin weeks are "
    "pooled with the weeks before them (see the notes). Employer framing counts gender-coded words in the "
    "posting text: it describes the language employers use, never who holds these jobs."
)


@dataclass(frozen=True)
class FailedSource:
    """A source whose scrapes failed during the report week."""

    source: str
    failed_runs: int
    last_error: str | None = None


@dataclass(frozen=True)
class Summary:
    """What one summary email shows: the week's payload, recent payloads for the chart, source health."""

    payload: Mapping[str, Any]
    history: Sequence[Mapping[str, Any]] = ()
    """Payloads of recent weeks, oldest first; the report week's may be included."""
    failed_sources: Sequence[FailedSource] = field(default_factory=tuple)

    @property
    def week(self) -> str:
        """The ISO week of the report."""
        return str(self.payload.get("week", ""))

    @property
    def market(self) -> str:
        """The currency of the headline comparison."""
        return str(self.payload.get("market", ""))


# ---------------------------------------------------------------------------------------------- format


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) or math.isinf(value) else float(value)


def fmt_pct(value: Any, *, signed: bool = True, digits: int = 1) -> str:
    """A percentage already in percent units: 12.345 -> '+12.3%'; null -> NA_TEXT."""
    v = _num(value)
    if v is None:
        return NA_TEXT
    return f"{v:+.{digits}f}%" if signed else f"{v:.{digits}f}%"


def fmt_points(value: Any) -> str:
    """A change in percentage points: '+1.2 pp'."""
    v = _num(value)
    return NA_TEXT if v is None else f"{v:+.1f} pp"


def fmt_share(value: Any) -> str:
    """A share in [0, 1] as a percentage: 0.4567 -> '45.7%'."""
    v = _num(value)
    return NA_TEXT if v is None else f"{v * 100:.1f}%"


def fmt_money(value: Any, market: str) -> str:
    """An annual amount: 'USD 152,000'."""
    v = _num(value)
    return NA_TEXT if v is None else f"{market} {v:,.0f}".strip()


def fmt_int(value: Any) -> str:
    """A count; null -> NA_TEXT."""
    v = _num(value)
    return NA_TEXT if v is None else f"{int(v):,}"


def fmt_ci(ci: Any, fmt: Any = fmt_pct) -> str:
    """A [lo, hi] interval: '+4.0% to +20.1%'; null or incomplete -> NA_TEXT."""
    if not isinstance(ci, list | tuple) or len(ci) != 2 or _num(ci[0]) is None or _num(ci[1]) is None:
        return NA_TEXT
    return f"{fmt(ci[0])} to {fmt(ci[1])}"


def _get(mapping: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(mapping, Mapping):
            return None
        mapping = mapping.get(key)
    return mapping


# ---------------------------------------------------------------------------------------------- content


def _previous_ci(summary: Summary) -> Any:
    ci = _get(summary.payload, "previous_week", "gap", "ci95")
    if ci is not None:
        return ci
    prev_week = _get(summary.payload, "previous_week", "week")
    for past in summary.history:
        if past.get("week") == prev_week:
            return _get(past, "gap", "ci95")
    return None


def change_verdict(pct: Any, ci: Any, prev_pct: Any, prev_ci: Any) -> str:
    """Whether the change of the gap since last week is distinguishable from sampling noise."""
    now, before = _num(pct), _num(prev_pct)
    if now is None or before is None:
        return "no comparison with last week is possible"

    def se(interval: Any) -> float | None:
        if isinstance(interval, list | tuple) and len(interval) == 2:
            lo, hi = _num(interval[0]), _num(interval[1])
            if lo is not None and hi is not None and hi > lo:
                return (hi - lo) / (2 * 1.96)
        return None

    se_now, se_before = se(ci), se(prev_ci)
    if se_now is None:
        return "whether that change is more than noise cannot be judged (no confidence interval this week)"
    spread = math.hypot(se_now, se_before) if se_before is not None else se_now
    if abs(now - before) > 1.96 * spread:
        return "a change larger than sampling noise (95% level)"
    return "a change within sampling noise"


def headline(summary: Summary) -> str:
    """The one-sentence headline: gap, CI, n, adjusted gap, change vs last week, noise verdict."""
    p = summary.payload
    gap = _get(p, "gap") or {}
    week = summary.week
    n_ds, n_mle = fmt_int(gap.get("n_ds")), fmt_int(gap.get("n_mle"))
    pct = _num(gap.get("pct"))
    if pct is None:
        first = (
            f"In {week}, the ML Engineer vs Data Scientist median pay gap is {NA_TEXT} "
            f"(priced postings: {n_ds} DS, {n_mle} MLE)."
        )
    else:
        direction = "higher" if pct >= 0 else "lower"
        first = (
            f"In {week}, ML Engineer postings advertised median pay {fmt_pct(abs(pct), signed=False)} {direction} "
            f"than Data Scientist postings ({fmt_pct(pct)}; 95% CI {fmt_ci(gap.get('ci95'))}; "
            f"n = {n_ds} DS and {n_mle} MLE priced postings)."
        )
    adjusted = (
        f" Adjusted for seniority, workplace and location the gap is {fmt_pct(gap.get('adjusted_pct'))} "
        f"(95% CI {fmt_ci(gap.get('adjusted_ci95'))})."
    )
    prev_pct = _get(p, "previous_week", "gap", "pct")
    change = gap.get("change_vs_previous_pct_points")
    if change is None and pct is not None and _num(prev_pct) is not None:
        change = pct - float(prev_pct)
    if _num(prev_pct) is None:
        last = " Last week's gap is n/a (too few postings), so there is no week-on-week change."
    else:
        verdict = change_verdict(pct, gap.get("ci95"), prev_pct, _previous_ci(summary))
        last = f" Last week it was {fmt_pct(prev_pct)}: {fmt_points(change)}, {verdict}."
    return first + adjusted + last


def _family_rows(p: Mapping[str, Any], market: str) -> list[dict[str, str]]:
    families = _get(p, "families") or {}
    order = [f for f in FAMILY_LABELS if f in families] + sorted(
        f for f in families if f not in FAMILY_LABELS
    )
    rows = []
    for fam in order:
        f = families.get(fam) or {}
        p25, p75 = _num(f.get("pay_p25")), _num(f.get("pay_p75"))
        rows.append(
            {
                "family": FAMILY_LABELS.get(fam, str(fam)),
                "new": fmt_int(f.get("new")),
                "active": fmt_int(f.get("active")),
                "closed": fmt_int(f.get("closed")),
                "pay_n": fmt_int(f.get("pay_n")),
                "median": fmt_money(f.get("pay_median"), market),
                "iqr": NA_TEXT if p25 is None or p75 is None else f"{p25:,.0f}-{p75:,.0f}",
                "pay_share": fmt_share(f.get("pay_share")),
            }
        )
    return rows


def _skills(p: Mapping[str, Any], limit: int = 8) -> list[dict[str, Any]]:
    out = []
    skills = _get(p, "skills") or {}
    movers = _get(p, "skill_movers") or {}
    for fam in (DS, MLE):
        top = [
            {"skill": str(s.get("skill", "")), "share": fmt_share(s.get("share"))}
            for s in (skills.get(fam) or [])[:limit]
            if isinstance(s, Mapping)
        ]
        moved = [
            {"skill": str(m.get("skill", "")), "change": fmt_points(m.get("change_pp"))}
            for m in (movers.get(fam) or [])[:5]
            if isinstance(m, Mapping)
        ]
        out.append({"family": FAMILY_LABELS[fam], "top": top, "movers": moved})
    return out


def _distinctive(p: Mapping[str, Any], limit: int = 8) -> list[dict[str, str]]:
    rows = [
        d
        for d in (_get(p, "distinctive") or [])
        if isinstance(d, Mapping) and _num(d.get("log_odds_z")) is not None
    ]
    rows.sort(key=lambda d: -abs(float(d["log_odds_z"])))
    return [
        {
            "skill": str(d.get("skill", "")),
            "z": f"{float(d['log_odds_z']):+.1f}",
            "favours": "ML Engineer" if float(d["log_odds_z"]) > 0 else "Data Scientist",
        }
        for d in rows[:limit]
    ]


def _framing(p: Mapping[str, Any]) -> list[dict[str, str]]:
    framing = _get(p, "framing") or {}
    rows = []
    for fam in (DS, MLE):
        f = framing.get(fam) or {}
        masc, fem = _num(f.get("masculine_per_1k")), _num(f.get("feminine_per_1k"))
        rows.append(
            {
                "family": FAMILY_LABELS[fam],
                "masculine": NA_TEXT if masc is None else f"{masc:.1f}",
                "feminine": NA_TEXT if fem is None else f"{fem:.1f}",
            }
        )
    return rows


def build_context(summary: Summary, *, chart_cid: str | None = None) -> dict[str, Any]:
    """Everything the templates show, already formatted as strings (untrusted ones escaped by Jinja2)."""
    p = summary.payload
    market = summary.market
    volume = _get(p, "volume") or {}
    trend = _get(p, "trend") or {}
    families = _get(p, "families") or {}
    transparency = [
        {"family": FAMILY_LABELS[f], "share": fmt_share(_get(families, f, "pay_share"))} for f in (DS, MLE)
    ]
    return {
        "week": summary.week,
        "market": market,
        "subject": subject(summary),
        "headline": headline(summary),
        "families": _family_rows(p, market),
        "skills": _skills(p),
        "distinctive": _distinctive(p),
        "framing": _framing(p),
        "framing_about": str(p.get("framing_about") or ""),
        "transparency": transparency,
        "volume": {
            "ds_new": fmt_int(volume.get("ds_new")),
            "mle_new": fmt_int(volume.get("mle_new")),
            "ratio": NA_TEXT
            if _num(volume.get("ratio_mle_to_ds")) is None
            else f"{float(volume['ratio_mle_to_ds']):.2f}",
            "ratio_change": NA_TEXT
            if _num(volume.get("ratio_change")) is None
            else f"{float(volume['ratio_change']):+.2f}",
        },
        "trend": {
            "slope": fmt_points(trend.get("slope_pct_per_week")) + " per week"
            if _num(trend.get("slope_pct_per_week")) is not None
            else NA_TEXT,
            "ci": fmt_ci(trend.get("ci95"), fmt_points),
        },
        "failed_sources": [
            {
                "source": f.source,
                "runs": f.failed_runs,
                "error": (f.last_error or "").splitlines()[0][:200] if f.last_error else "",
            }
            for f in summary.failed_sources
        ],
        "notes": [str(n) for n in (p.get("notes") or [])],
        "method": METHOD_NOTE,
        "chart_cid": chart_cid,
        "na": NA_TEXT,
    }


def subject(summary: Summary) -> str:
    """The Subject line."""
    pct = _get(summary.payload, "gap", "pct")
    gap = fmt_pct(pct) if _num(pct) is not None else "gap n/a"
    return f"DS vs MLE pay, {summary.week} ({summary.market}): MLE {gap}"


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("tracker.report", "templates"),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_text(context: Mapping[str, Any]) -> str:
    """The plain-text part."""
    return _env().get_template("email.txt.j2").render(**context)


def render_html(context: Mapping[str, Any]) -> str:
    """The HTML part (autoescaped)."""
    return _env().get_template("email.html.j2").render(**context)


# ---------------------------------------------------------------------------------------------- message


def recipients_key(to: Sequence[str]) -> str:
    """The canonical recipients of a delivery: stripped, de-duplicated, sorted, comma-joined."""
    return ",".join(sorted({a.strip() for a in to if a.strip()}))


def message_id(week: str, market: str, recipients: str, domain: str) -> str:
    """A Message-ID fixed per (week, market, recipients), so a resend is recognizable as the same message."""
    digest = hashlib.sha256(f"{week}|{market}|{recipients}".encode()).hexdigest()[:20]
    return f"<weekly-summary.{week}.{market}.{digest}@{domain}>"


def build_message(
    summary: Summary,
    *,
    from_addr: str,
    to: Sequence[str],
    now: datetime,
    chart_png: bytes | None = None,
) -> EmailMessage:
    """The complete summary message; the chart is rendered from the history unless given."""
    if chart_png is None:
        from tracker.report.chart import render_chart

        history = list(summary.history)
        if not history or history[-1].get("week") != summary.week:
            history = [h for h in history if h.get("week") != summary.week] + [summary.payload]
        chart_png = render_chart(history[-12:])
    domain = from_addr.rsplit("@", 1)[-1] or "localhost"
    recipients = recipients_key(to)
    cid = f"chart.{summary.week}.{summary.market}@{domain}"
    context = build_context(summary, chart_cid=cid)
    msg = EmailMessage()
    msg["Subject"] = context["subject"]
    msg["From"] = from_addr
    msg["To"] = ", ".join(recipients.split(","))
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(summary.week, summary.market, recipients, domain)
    msg["X-Tracker-Week"] = f"{summary.week} {summary.market}"
    msg.set_content(render_text(context))
    msg.add_alternative(render_html(context), subtype="html")
    parts = msg.get_payload()
    assert isinstance(parts, list)
    html_part = parts[1]
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(
        chart_png, "image", "png", cid=f"<{cid}>", disposition="inline", filename="chart.png"
    )
    return msg
