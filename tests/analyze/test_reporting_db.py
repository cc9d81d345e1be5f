"""End to end on SQLite and PostgreSQL: rows inserted through the models, report computed, stored, recomputed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.analyze.factories import Factory, Job
from tests.conftest import DB
from tracker.config import ReportSettings
from tracker.reporting import compute_report, load_report, recent_reports, store_report
from tracker.store.models import WeeklyReport

WEEK = "2026-W47"
W = datetime(2026, 11, 16, tzinfo=UTC)  # Monday of 2026-W47
SETTINGS = ReportSettings(min_n=2, window_weeks=4, bootstrap_resamples=5000, seed=7)

SPEC_KEYS = {
    "families.<f>": ["new", "active", "closed", "pay_n", "pay_median", "pay_p25", "pay_p75", "pay_share"],
    "gap": ["mle_minus_ds", "pct", "ci95", "p_value", "adjusted_pct", "adjusted_ci95", "n_ds", "n_mle"],
    "trend": ["slope_pct_per_week", "ci95"],
    "volume": ["ds_new", "mle_new", "ratio_mle_to_ds", "ratio_change"],
}


def day(offset_days: float) -> datetime:
    return W + timedelta(days=offset_days)


def seed_week(db: DB) -> dict[str, Job]:
    """A hand-countable week; see the expected figures in the tests."""
    ds = "data_scientist"
    jobs = {
        "d1": Job(ds, day(1), annual_min=90_000, annual_max=110_000, annual_mid=100_000, skills=["python", "sql"],
                  description="An ambitious team that values collaboration."),
        "d2": Job(ds, day(2), closed_at=day(4), annual_mid=120_000, skills=["python"]),
        "d3": Job(ds, day(-5), closed_at=day(0.5)),  # seen in W-1, closed in W
        "d4": Job(ds, day(-19)),  # seen in W-3, still open
        "d5": Job(ds, day(-70), closed_at=day(-56)),  # long gone
        "d6": Job(ds, day(3), annual_mid=140_000, skills=["python", "statistics"], clustered=False),
        "d7": Job(ds, day(5), annual_mid=160_000, skills=["sql"], duplicates=2),
        "d8": Job(ds, day(7.5), annual_mid=999_000),  # next week
        "d9": Job(ds, day(-3), closed_at=day(0)),  # closed at the very start of W
        "d10": Job(ds, day(2), annual_mid=90_000, currency="EUR"),
        "d11": Job(ds, day(2), annual_mid=500_000, pay_source="estimated"),
        "m1": Job("ml_engineer", day(1), annual_mid=150_000, skills=["pytorch", "python"]),
        "m2": Job("ml_engineer", day(2), annual_mid=170_000, skills=["pytorch"]),
        "m3": Job("ml_engineer", day(6.9), annual_mid=190_000, skills=["kubernetes"], company="Other"),
    }
    Factory(db.session).add(jobs.values())
    return jobs


def compute(db: DB, settings: ReportSettings = SETTINGS, week: str = WEEK) -> dict[str, Any]:
    return compute_report(db.session, week=week, market="USD", settings=settings)


def test_counts_pay_and_sections_match_hand_computed_figures(db: DB) -> None:
    seed_week(db)
    payload = compute(db)
    ds, mle = payload["families"]["data_scientist"], payload["families"]["ml_engineer"]
    assert (ds["new"], ds["active"], ds["closed"]) == (6, 9, 3)
    assert ds["changes"]["new"]["previous"] == 2
    assert ds["changes"]["active"]["previous"] == 3
    assert ds["changes"]["new"]["trailing_mean"] == pytest.approx((2 + 0 + 1 + 0) / 4)
    assert (mle["new"], mle["active"], mle["closed"]) == (3, 3, 0)
    # Representatives only (duplicates carry 1000x pay), USD only, estimates excluded.
    assert ds["pay_n"] == 4
    assert ds["pay_median"] == 130_000
    assert ds["pay_share"] == pytest.approx(4 / 6, abs=1e-4)
    assert ds["pay_min_median"] == 90_000
    assert mle["pay_median"] == 170_000
    gap = payload["gap"]
    assert gap["mle_minus_ds"] == 40_000
    assert gap["pct"] == pytest.approx((170 / 130 - 1) * 100, abs=1e-3)
    assert (gap["n_ds"], gap["n_mle"]) == (4, 3)
    assert gap["ci95"] is not None and gap["p_value"] is not None
    assert payload["volume"] == {
        "ds_new": 6, "mle_new": 3, "ratio_mle_to_ds": 0.5, "ratio_mle_to_ds_previous": 0.0, "ratio_change": 0.5,
    }
    assert payload["other_currencies"]["by_currency"] == {"EUR": {"total": 1, "families": {"data_scientist": 1}}}
    assert payload["estimated_pay_excluded"] == {"data_scientist": 1}
    assert payload["skills"]["data_scientist"][0] == {"skill": "python", "share": 0.5, "postings": 3}
    assert {d["skill"]: d["favours"] for d in payload["distinctive"]}["pytorch"] == "ml_engineer"
    framing = payload["framing"]["data_scientist"]
    assert framing["postings"] == 1 and framing["words"] == 6
    assert framing["masculine_per_1k"] == pytest.approx(1000 / 6, abs=1e-3)
    assert framing["feminine_per_1k"] == pytest.approx(1000 / 6, abs=1e-3)
    for section, keys in SPEC_KEYS.items():
        node = ds if section == "families.<f>" else payload[section]
        assert set(keys) <= set(node), section
    assert {"week", "market", "window_weeks", "previous_week", "skills", "distinctive", "framing", "notes"} <= set(payload)
    assert "pct" in payload["previous_week"]["gap"]


def test_weeks_follow_the_configured_timezone(db: DB) -> None:
    Factory(db.session).add([Job("data_scientist", datetime(2026, 11, 23, 2, tzinfo=UTC))])  # Sunday evening in New York
    utc = compute(db)
    ny = compute(db, ReportSettings(min_n=2, timezone="America/New_York"))
    assert utc["families"]["data_scientist"]["new"] == 0
    assert ny["families"]["data_scientist"]["new"] == 1
    assert ny["week_start"] == "2026-11-16T05:00:00+00:00"


def test_storing_twice_replaces_the_row_with_an_identical_payload(db: DB) -> None:
    seed_week(db)
    first = compute(db)
    row = store_report(db.session, first)
    again = compute(db)
    assert again == first
    row2 = store_report(db.session, again)
    assert row2.id == row.id
    count = db.session.scalar(select(func.count()).select_from(WeeklyReport).where(WeeklyReport.iso_week == WEEK))
    assert count == 1
    db.session.expire_all()
    stored = db.session.scalars(select(WeeklyReport).where(WeeklyReport.iso_week == WEEK)).one()
    assert stored.payload == first
    assert (stored.ds_new, stored.mle_new, stored.ds_pay_n, stored.mle_pay_n) == (6, 3, 4, 3)
    assert (stored.ds_pay_median, stored.mle_pay_median, stored.gap_abs) == (130_000, 170_000, 40_000)
    assert stored.gap_ci_low == first["gap"]["ci95"][0] and stored.gap_ci_high == first["gap"]["ci95"][1]
    assert stored.gap_p_value == first["gap"]["p_value"]
    assert load_report(db.session, WEEK, "usd") == first


def test_recomputing_after_new_data_replaces_the_figures(db: DB) -> None:
    seed_week(db)
    store_report(db.session, compute(db))
    Factory(db.session).add([Job("ml_engineer", day(3), annual_mid=210_000)])
    store_report(db.session, compute(db))
    db.session.expire_all()
    rows = db.session.scalars(select(WeeklyReport).where(WeeklyReport.iso_week == WEEK)).all()
    assert len(rows) == 1
    assert rows[0].mle_new == 4
    assert rows[0].mle_pay_median == 180_000


def test_recent_reports_are_oldest_first_and_per_market(db: DB) -> None:
    seed_week(db)
    for week in ("2026-W45", "2026-W47", "2026-W46"):
        store_report(db.session, compute(db, week=week))
    other = compute(db)
    other["market"] = "EUR"
    store_report(db.session, other)
    assert [r["week"] for r in recent_reports(db.session, "USD", n=2)] == ["2026-W46", "2026-W47"]
    assert [r["week"] for r in recent_reports(db.session, "EUR")] == ["2026-W47"]
    assert load_report(db.session, "2026-W44", "USD") is None
