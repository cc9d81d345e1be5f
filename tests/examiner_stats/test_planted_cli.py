"""Planted statistics through the CLI end to end (`tracker import`, then `tracker report --format json`).

Each test writes import files as an outsider would, imports them in a subprocess into a fresh database
(SQLite and PostgreSQL), reads the JSON report and compares it with numpy / scipy / statsmodels
computations on the planted rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import update
from statsmodels.regression.linear_model import OLS, WLS

from tests.conftest import BACKENDS, TemplateDB
from tests.examiner_stats.planted import DS, HEADER, MLE, World, build_world, iso, report, run_cli, write_csv
from tracker.store import db as store_db
from tracker.store import repository as repo
from tracker.store.models import Posting

MONDAY = datetime(2026, 5, 11, tzinfo=UTC)  # 2026-W20
WEEK, PREV = "2026-W20", "2026-W19"
WEEKS = 6
PREMIUM = [0.06 + 0.02 * k for k in range(WEEKS)]  # within-level MLE premium, rising 2 pp a week


def import_files(url: str, tmp_path: Path, world: World) -> None:
    a = write_csv(tmp_path / "board_a.csv", [j.row for j in world.jobs])
    b = write_csv(tmp_path / "board_b.jsonl.csv", world.duplicates)
    for path, source in ((a, "board-a"), (b, "board-b")):
        out = run_cli("import", str(path), "--source", source, url=url)
        assert out.returncode == 0, out.stderr
        assert "skipped" not in out.stderr, out.stderr


def close(url: str, ids: list[str], when: datetime) -> None:
    """Close postings as a direct database write would, and refresh their clusters."""
    engine = store_db.make_engine(url)
    with store_db.session_factory(engine)() as session, session.begin():
        session.execute(update(Posting).where(Posting.external_id.in_(ids)).values(closed_at=when))
        clusters = {
            c
            for c in session.scalars(
                Posting.__table__.select()
                .with_only_columns(Posting.cluster_id)
                .where(Posting.external_id.in_(ids))
            )
            if c
        }
        repo.refresh_cluster_closure(session, clusters)
    engine.dispose()


def weekly_gap(world: World, k: int) -> tuple[float, int, int]:
    ds, mle = world.priced(DS, {k}), world.priced(MLE, {k})
    return (float(np.median(mle)) / float(np.median(ds)) - 1) * 100, ds.size, mle.size


def dummies(values: list[str]) -> np.ndarray:
    levels = sorted(set(values), key=lambda v: (-values.count(v), v))[1:]
    return (
        np.column_stack([[v == lvl for v in values] for lvl in levels]).astype(float)
        if levels
        else np.empty((len(values), 0))
    )


@pytest.fixture(scope="module", params=BACKENDS)
def planted_db(
    request: pytest.FixtureRequest,
    template_dbs: dict[str, TemplateDB | str],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[World, str]:
    """One planted database per backend, shared by the module's read-only tests."""
    found = template_dbs[str(request.param)]
    if isinstance(found, str):
        pytest.skip(found)
    db_url = found.fresh_url()
    world = build_world(
        MONDAY, weeks=WEEKS, n_priced={DS: [40] * WEEKS, MLE: [50] * WEEKS}, premium=PREMIUM, seed=5
    )
    import_files(db_url, tmp_path_factory.mktemp("planted"), world)
    by_week = {k: [j for j in world.jobs if j.week == k] for k in range(WEEKS)}
    # Closings (import never closes): 5 DS jobs of W-1 and 7 MLE jobs of W-2 close in W, 4 DS jobs of W-5 close in W-1.
    close(
        db_url,
        [j.row["external_id"] for j in by_week[WEEKS - 2] if j.family == DS][:5],
        MONDAY + timedelta(days=2),
    )
    close(
        db_url,
        [j.row["external_id"] for j in by_week[WEEKS - 3] if j.family == MLE][:7],
        MONDAY + timedelta(days=3),
    )
    close(
        db_url, [j.row["external_id"] for j in by_week[0] if j.family == DS][:4], MONDAY - timedelta(days=3)
    )
    return world, db_url


@pytest.fixture(scope="module")
def planted(planted_db: tuple[World, str]) -> tuple[World, dict[str, Any]]:
    world, url = planted_db
    return world, report(url, WEEK)


def test_volumes_closed_active_and_ratio(planted: tuple[World, dict[str, Any]]) -> None:
    world, p = planted
    w = WEEKS - 1
    assert (p["week"], p["market"], p["window_weeks"]) == (WEEK, "USD", 4)
    ds, mle = p["families"][DS], p["families"][MLE]
    # The duplicated MLE rows of the second source are the same jobs: counted once.
    assert ds["new"] == world.new(DS, w) and mle["new"] == world.new(MLE, w)
    assert (ds["closed"], mle["closed"]) == (5, 7)
    assert ds["active"] == sum(world.new(DS, k) for k in range(WEEKS)) - 4
    assert mle["active"] == sum(world.new(MLE, k) for k in range(WEEKS))
    assert p["families"]["data_analyst"]["new"] == 0
    v = p["volume"]
    assert (v["ds_new"], v["mle_new"]) == (world.new(DS, w), world.new(MLE, w))
    ratio_now, ratio_prev = world.new(MLE, w) / world.new(DS, w), world.new(MLE, w - 1) / world.new(DS, w - 1)
    assert v["ratio_mle_to_ds"] == pytest.approx(ratio_now, abs=1e-4)
    assert v["ratio_change"] == pytest.approx(ratio_now - ratio_prev, abs=1e-3)
    assert ds["changes"]["closed"]["previous"] == 4


def test_pay_summaries_match_numpy_and_exclude_other_currencies(
    planted: tuple[World, dict[str, Any]],
) -> None:
    world, p = planted
    w = WEEKS - 1
    for fam in (DS, MLE):
        entry, pay = p["families"][fam], world.priced(fam, {w})
        assert entry["pay_n"] == pay.size  # hourly, monthly, pay_text and description-only pay, USD only
        assert entry["pay_median"] == pytest.approx(np.median(pay), abs=0.01)
        assert entry["pay_p25"] == pytest.approx(np.percentile(pay, 25), abs=0.01)
        assert entry["pay_p75"] == pytest.approx(np.percentile(pay, 75), abs=0.01)
        assert entry["pay_share"] == pytest.approx(pay.size / world.new(fam, w), abs=1e-4)
        mins = [j.annual_min for j in world.jobs if j.family == fam and j.week == w and j.annual is not None]
        assert entry["pay_min_median"] == pytest.approx(np.median(np.asarray(mins)), abs=0.01)
        assert entry["pay_window"]["pooled"] is False
    eur = sum(1 for j in world.jobs if j.week == w and j.currency == "EUR")
    assert p["other_currencies"]["by_currency"]["EUR"]["total"] == eur
    assert set(p["other_currencies"]["by_currency"]) == {"EUR"}


def test_gap_ci_p_value_adjusted_previous_and_trend(planted: tuple[World, dict[str, Any]]) -> None:
    world, p = planted
    w = WEEKS - 1
    ds, mle = world.priced(DS, {w}), world.priced(MLE, {w})
    gap = p["gap"]
    pct, _, _ = weekly_gap(world, w)
    assert gap["mle_minus_ds"] == pytest.approx(np.median(mle) - np.median(ds), abs=0.01)
    assert gap["pct"] == pytest.approx(pct, abs=1e-3)
    assert (gap["n_ds"], gap["n_mle"]) == (ds.size, mle.size)
    # Our own percentile bootstrap (another seed) agrees with the report's CI of pct, in percent.
    rng = np.random.default_rng(99)
    boot = [
        (np.median(rng.choice(mle, mle.size)) / np.median(rng.choice(ds, ds.size)) - 1) * 100
        for _ in range(5000)
    ]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    assert gap["ci95"][0] < gap["pct"] < gap["ci95"][1]
    assert gap["ci95"][0] == pytest.approx(lo, abs=2.5) and gap["ci95"][1] == pytest.approx(hi, abs=2.5)
    assert gap["p_value"] == pytest.approx(
        stats.ttest_ind(np.log(mle), np.log(ds), equal_var=False).pvalue, rel=1e-6
    )
    # Composition-adjusted: log pay on MLE + seniority + location dummies, company-clustered SEs.
    jobs = sorted(
        (j for j in world.jobs if j.week == w and j.annual is not None), key=lambda j: j.row["external_id"]
    )
    city = [j.row["location"].split(", ")[1] for j in jobs]
    sen = [j.seniority for j in jobs]
    X = np.column_stack(
        [np.ones(len(jobs)), [j.family == MLE for j in jobs], dummies(city), dummies(sen)]
    ).astype(float)
    groups = np.unique([j.row["company"] for j in jobs], return_inverse=True)[1]
    fit = OLS(np.log(np.asarray([j.annual for j in jobs], dtype=float)), X).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    assert gap["adjusted_pct"] == pytest.approx((np.exp(fit.params[1]) - 1) * 100, abs=1e-2)
    ci = (np.exp(fit.conf_int()[1]) - 1) * 100
    assert gap["adjusted_ci95"] == pytest.approx(list(ci), abs=1e-2)
    # Planted: within-level premium PREMIUM[w]; MLE more senior, so the raw gap exceeds the adjusted one.
    assert gap["adjusted_ci95"][0] < PREMIUM[w] * 100 < gap["adjusted_ci95"][1]
    assert gap["pct"] > gap["adjusted_pct"] + 10
    # Previous week and the change.
    prev_pct, _, _ = weekly_gap(world, w - 1)
    assert p["previous_week"]["week"] == PREV
    assert p["previous_week"]["gap"]["pct"] == pytest.approx(prev_pct, abs=1e-3)
    assert gap["change_vs_previous_pct_points"] == pytest.approx(pct - prev_pct, abs=2e-3)
    # Trend: WLS of the weekly gaps with weights 1/(1/n_ds + 1/n_mle), all six weeks have min_n.
    points = [weekly_gap(world, k) for k in range(WEEKS)]
    xs = np.arange(WEEKS, dtype=float) - (WEEKS - 1)
    wls = WLS(
        [g for g, _, _ in points],
        np.column_stack([np.ones(WEEKS), xs]),
        weights=[1 / (1 / a + 1 / b) for _, a, b in points],
    ).fit()
    assert p["trend"]["points_used"] == WEEKS
    assert p["trend"]["slope_pct_per_week"] == pytest.approx(wls.params[1], abs=1e-3)
    assert p["trend"]["ci95"] == pytest.approx(list(wls.conf_int()[1]), abs=1e-3)


def test_small_samples_pool_and_withhold(db_url: str, tmp_path: Path) -> None:
    # DS: 10 priced a week (pooled 4 weeks = 40 >= min_n); MLE: 5 a week (pooled 20 < min_n).
    world = build_world(
        MONDAY, weeks=5, n_priced={DS: [10] * 5, MLE: [5] * 5}, premium=[0.1] * 5, seed=3, duplicates=0
    )
    import_files(db_url, tmp_path, world)
    p = report(db_url, WEEK)
    window = {1, 2, 3, 4}
    for fam in (DS, MLE):
        entry, pay = p["families"][fam], world.priced(fam, window)
        assert entry["pay_window"] == {"from": "2026-W17", "to": WEEK, "weeks": 4, "pooled": True}
        assert entry["pay_n"] == pay.size
        assert entry["pay_median"] == pytest.approx(np.median(pay), abs=0.01)
        assert entry["pay_share"] == pytest.approx(
            pay.size / sum(world.new(fam, k) for k in window), abs=1e-4
        )
        assert entry["new"] == world.new(fam, 4)  # volumes are never pooled
    gap = p["gap"]
    assert (gap["n_ds"], gap["n_mle"]) == (world.priced(DS, window).size, world.priced(MLE, window).size)
    assert gap["pct"] == pytest.approx(
        (np.median(world.priced(MLE, window)) / np.median(world.priced(DS, window)) - 1) * 100, abs=1e-3
    )
    for key in ("ci95", "p_value", "adjusted_pct", "adjusted_ci95"):
        assert gap[key] is None, key
    assert p["previous_week"]["gap"].get("ci95") is None
    assert p["trend"]["slope_pct_per_week"] is None and p["trend"]["ci95"] is None
    notes = " ".join(p["notes"])
    assert "pooled" in notes and "withheld" in notes and "trend" in notes


def test_week_boundaries_follow_the_report_timezone(db_url: str, tmp_path: Path) -> None:
    tz = "America/Los_Angeles"
    moments = [
        MONDAY + timedelta(hours=3),  # Sunday evening in LA: W20 in UTC, W19 in LA
        MONDAY + timedelta(days=3),
        MONDAY + timedelta(days=7, hours=3),  # Sunday evening in LA: W21 in UTC, W20 in LA
        MONDAY + timedelta(days=7, hours=9),  # W21 in both
        MONDAY - timedelta(hours=2),  # W19 in both
    ]
    rows = []
    for i, moment in enumerate(moments):
        row = dict.fromkeys(HEADER, "")
        row.update(
            external_id=f"tz-{i}",
            title="Data Scientist",
            company=f"Tz {i}",
            location="Austin, TX",
            seen_at=iso(moment),
            description=f"Role number {i} with its own words {'x' * i}",
            pay_min=str(150_000 + 10_000 * i),
            pay_max=str(150_000 + 10_000 * i),
            pay_currency="USD",
            pay_period="year",
        )
        rows.append(row)
    out = run_cli("import", str(write_csv(tmp_path / "tz.csv", rows)), url=db_url)
    assert out.returncode == 0, out.stderr
    for zone in ("UTC", tz):
        expected = sum(1 for m in moments if m.astimezone(ZoneInfo(zone)).isocalendar()[:2] == (2026, 20))
        p = report(db_url, WEEK, env_extra={"TRACKER_REPORT_TIMEZONE": zone, "TRACKER_REPORT_MIN_N": "2"})
        assert p["timezone"] == zone
        assert p["families"][DS]["new"] == p["families"][DS]["pay_n"] == expected, zone
        in_week = [
            150_000.0 + 10_000 * i
            for i, m in enumerate(moments)
            if m.astimezone(ZoneInfo(zone)).isocalendar()[:2] == (2026, 20)
        ]
        assert p["families"][DS]["pay_median"] == pytest.approx(np.median(in_week), abs=0.01), zone
        assert p["families"][DS]["active"] == sum(
            1 for m in moments if m.astimezone(ZoneInfo(zone)).date() < datetime(2026, 5, 18).date()
        ), zone


def test_another_market_swaps_roles_without_conversion(planted_db: tuple[World, str]) -> None:
    world, url = planted_db
    w = WEEKS - 1
    p = report(url, WEEK, env_extra={"TRACKER_REPORT_MARKET": "EUR"})
    assert p["market"] == "EUR"
    for fam in (DS, MLE):
        eur = [j for j in world.jobs if j.family == fam and j.week == w and j.currency == "EUR"]
        # Too few EUR postings in W: pooled over the window, the USD ones never enter.
        window_eur = [j for j in world.jobs if j.family == fam and j.week > w - 4 and j.currency == "EUR"]
        assert p["families"][fam]["pay_n"] == len(window_eur) and len(eur) < 30
    assert p["other_currencies"]["by_currency"]["USD"]["total"] == sum(
        1 for j in world.jobs if j.week == w and j.currency == "USD"
    )
    assert p["gap"]["ci95"] is None and p["gap"]["p_value"] is None


def test_a_single_pay_bound_imported_from_columns_is_priced(db_url: str, tmp_path: Path) -> None:
    rows = []
    for i, (lo, hi) in enumerate([("150000", ""), ("", "200000"), ("160000", "180000")]):
        row = dict.fromkeys(HEADER, "")
        row.update(
            external_id=f"one-{i}",
            title="Data Scientist",
            company=f"One {i}",
            location="Austin, TX",
            seen_at=iso(MONDAY + timedelta(days=1)),
            description=f"Single bound {i} {'y' * i}",
            pay_min=lo,
            pay_max=hi,
            pay_currency="USD",
            pay_period="year",
        )
        rows.append(row)
    out = run_cli("import", str(write_csv(tmp_path / "one.csv", rows)), url=db_url)
    assert out.returncode == 0, out.stderr
    p = report(db_url, WEEK, env_extra={"TRACKER_REPORT_MIN_N": "2"})
    mids = [150_000.0, 200_000.0, float(np.sqrt(160_000.0 * 180_000.0))]
    assert p["families"][DS]["pay_n"] == 3
    assert p["families"][DS]["pay_median"] == pytest.approx(np.median(mids), abs=0.01)
