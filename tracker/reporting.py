"""The weekly report use case: fetch a week's rows (store.weekly), compute (analyze), persist (weekly_reports).

`compute_report` is deterministic for given data and settings (fixed bootstrap seed, rows ordered by
unit id before any resampling), so recomputing a week stores an identical payload; `store_report`
replaces the row of (week, market). `run_report` is the entry point of the CLI and the daemon.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.analyze import weeks as wk
from tracker.analyze.framing import count_coded_words
from tracker.analyze.volume import Counts, choose_window
from tracker.analyze.weekly import DS, MLE, PricedRows, ReportParams, WeeklyInputs, build_payload
from tracker.config import FAMILIES, ReportSettings
from tracker.errors import AnalysisError, ConfigError
from tracker.store import weekly as store
from tracker.store.models import WeeklyReport, utcnow

if TYPE_CHECKING:
    from tracker.bootstrap import App

log = logging.getLogger("tracker.reporting")

# Descriptions read per family for the framing measure; above this a deterministic sample is used.
FRAMING_SAMPLE = 800


def report_params(settings: ReportSettings) -> ReportParams:
    """The statistics' parameters from the [report] settings."""
    return ReportParams(
        min_n=settings.min_n,
        window_weeks=settings.window_weeks,
        resamples=settings.bootstrap_resamples,
        seed=settings.seed,
        include_estimated=settings.include_estimated,
    )


def check_week(week: str) -> str:
    """The week label, normalized; ConfigError when it is not an ISO week like 2026-W47."""
    try:
        year, number = wk.parse_week(week)
    except ValueError as exc:
        raise ConfigError(f"--week: {exc}") from None
    return wk.week_label(year, number)


def check_market(market: str) -> str:
    """The market as an upper-case ISO 4217 code; ConfigError otherwise."""
    code = market.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ConfigError(f"--market: expected an ISO 4217 currency code like USD, got {market!r}")
    return code


def _location(country: str | None, region: str | None) -> str | None:
    if not country:
        return None
    return f"{country}/{region.strip().casefold()}" if region and region.strip() else country


def compute_report(session: Session, *, week: str, market: str, settings: ReportSettings) -> dict[str, Any]:
    """The report payload of ISO week `week` for pay in currency `market`."""
    week = check_week(week)
    market = check_market(market)
    store.tune_session(session)
    params = report_params(settings)
    tz = settings.timezone
    span = max(params.trend_weeks, params.window_weeks + 1, params.trailing_weeks + 1)
    weeks = wk.week_range(week, span)
    bounds = [wk.week_bounds(w, tz)[0] for w in weeks] + [wk.week_bounds(week, tz)[1]]
    families = tuple(FAMILIES)
    last = len(weeks) - 1

    # Counts and skills cover W, W-1, the trailing weeks and the pooling window.
    count_from = len(weeks) - max(params.trailing_weeks + 1, params.window_weeks)
    counts: dict[str, dict[str, Counts]] = {}
    for row in store.cluster_counts(session, bounds[count_from:]):
        counts.setdefault(row.family, {})[weeks[count_from + row.week]] = Counts(row.new, row.active, row.closed)
    skill_counts: dict[tuple[str, str], dict[str, int]] = {}
    for fam, k, skill, n in store.skill_counts(session, families, bounds[count_from:]):
        skill_counts.setdefault((fam, weeks[count_from + k]), {})[skill] = n

    # Priced rows: DS and MLE over the trend span, the others over the pooling window of W and W-1.
    pay_sources = ["employer", "description", "estimated"] if params.include_estimated else ["employer", "description"]
    window_from = len(weeks) - params.window_weeks - 1
    others = [f for f in families if f not in (DS, MLE)]
    cols = store.priced_rows(
        session, [((DS, MLE), 0), (others, window_from)], bounds, market=market, pay_sources=pay_sources
    )
    priced = PricedRows(
        unit=np.asarray(cols.unit, dtype=np.int64),
        family=np.asarray(cols.family, dtype=object),
        week=np.asarray(cols.week, dtype=np.int64),
        mid=np.asarray(cols.annual_mid, dtype=np.float64),
        annual_min=np.asarray([np.nan if v is None else v for v in cols.annual_min], dtype=np.float64),
        annual_max=np.asarray([np.nan if v is None else v for v in cols.annual_max], dtype=np.float64),
        seniority=np.asarray(cols.seniority, dtype=object),
        workplace=np.asarray(cols.workplace, dtype=object),
        location=np.asarray([_location(c, r) for c, r in zip(cols.country, cols.region, strict=True)], dtype=object),
        company=np.asarray(cols.company, dtype=object),
    )

    # Employer framing over the same window as the family's skills (pooled when W is thin).
    framing = {}
    framing_windows: dict[str, list[str]] = {}
    framing_sampled: dict[str, int] = {}
    for fam in families:
        window_weeks = weeks[last - params.window_weeks + 1 :]
        n_weeks = choose_window(
            [counts.get(fam, {}).get(w, Counts()).new for w in window_weeks], min_n=params.min_n, window_weeks=params.window_weeks
        )
        chosen = weeks[last - n_weeks + 1 :]
        texts = store.description_sample(session, fam, bounds[last - n_weeks + 1], bounds[-1], FRAMING_SAMPLE)
        framing[fam] = count_coded_words(texts)
        framing_windows[fam] = chosen
        postings = sum(counts.get(fam, {}).get(w, Counts()).new for w in chosen)
        if len(texts) >= FRAMING_SAMPLE and postings > len(texts):
            framing_sampled[fam] = postings

    other_currencies: list[tuple[str, str, int]] = []
    estimated: dict[str, int] = {}
    for fam, currency, source, n in store.pay_currency_counts(session, families, bounds[last], bounds[-1]):
        if currency != market:
            if source in pay_sources:
                other_currencies.append((fam, currency, n))
        elif source == "estimated" and not params.include_estimated:
            estimated[fam] = estimated.get(fam, 0) + n

    start, end = wk.week_bounds(week, tz)
    inputs = WeeklyInputs(
        week=week,
        market=market,
        families=families,
        weeks=weeks,
        counts=counts,
        priced=priced,
        skill_counts=skill_counts,
        framing=framing,
        framing_windows=framing_windows,
        framing_sampled=framing_sampled,
        other_currencies=other_currencies,
        estimated_excluded=estimated,
        timezone=tz,
        week_start=start.isoformat(),
        week_end=end.isoformat(),
    )
    try:
        return build_payload(inputs, params)
    except (ValueError, ArithmeticError) as exc:
        raise AnalysisError(f"week {week}, market {market}: {exc}") from exc


def _key_figures(payload: dict[str, Any]) -> dict[str, Any]:
    families = payload.get("families", {})
    ds, mle, gap = families.get(DS, {}), families.get(MLE, {}), payload.get("gap", {})
    ci = gap.get("ci95") or [None, None]
    return {
        "ds_new": ds.get("new"),
        "mle_new": mle.get("new"),
        "ds_pay_n": ds.get("pay_n"),
        "mle_pay_n": mle.get("pay_n"),
        "ds_pay_median": ds.get("pay_median"),
        "mle_pay_median": mle.get("pay_median"),
        "gap_abs": gap.get("mle_minus_ds"),
        "gap_pct": gap.get("pct"),
        "gap_ci_low": ci[0],
        "gap_ci_high": ci[1],
        "gap_p_value": gap.get("p_value"),
        "adjusted_pct": gap.get("adjusted_pct"),
    }


def store_report(session: Session, payload: dict[str, Any]) -> WeeklyReport:
    """Insert or replace the weekly_reports row of (payload week, market); flushes, does not commit."""
    week, market = payload["week"], payload["market"]
    figures = _key_figures(payload)
    stmt = select(WeeklyReport).where(WeeklyReport.iso_week == week, WeeklyReport.market == market)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                row = WeeklyReport(iso_week=week, market=market, payload=payload, computed_at=utcnow(), **figures)
                session.add(row)
            return row
        except IntegrityError:  # a concurrent run stored the week first: replace its row
            row = session.scalars(stmt).one()
    for key, value in figures.items():
        setattr(row, key, value)
    row.payload = payload
    row.computed_at = utcnow()
    session.flush()
    return row


def load_report(session: Session, week: str, market: str) -> dict[str, Any] | None:
    """The stored payload of a week and market, or None."""
    stmt = select(WeeklyReport.payload).where(WeeklyReport.iso_week == check_week(week), WeeklyReport.market == market.upper())
    payload = session.scalars(stmt).one_or_none()
    return dict(payload) if payload is not None else None


def recent_reports(session: Session, market: str, n: int = 12) -> list[dict[str, Any]]:
    """The payloads of the newest n stored weeks of a market, oldest first (for charts)."""
    stmt = (
        select(WeeklyReport.payload)
        .where(WeeklyReport.market == market.upper())
        .order_by(WeeklyReport.iso_week.desc())
        .limit(n)
    )
    return [dict(p) for p in reversed(list(session.scalars(stmt)))]


def default_week(settings: ReportSettings, now: datetime | None = None) -> str:
    """The last complete ISO week in the report's timezone."""
    return wk.last_complete_week(now or datetime.now(UTC), settings.timezone)


def run_report(app: App, week: str | None = None, market: str | None = None) -> dict[str, Any]:
    """Compute and store the report of a week (default: the last complete one) and market; commits."""
    settings = app.settings.report
    week = check_week(week) if week else default_week(settings)
    market = check_market(market or settings.market)
    with app.sessions() as session, session.begin():
        payload = compute_report(session, week=week, market=market, settings=settings)
        store_report(session, payload)
    log.info("weekly report stored", extra={"week": week, "market": market})
    return payload
