"""Real data: 600 US full-time DS / MLE salaries from aijobs.net (CC0) as postings; medians match numpy."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.analyze.factories import Factory, Job
from tests.conftest import DB
from tracker.config import ReportSettings
from tracker.reporting import compute_report

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SAMPLE = SHARED / "data" / "aijobs_net_us_ft_ds_mle_sample600_seed42.csv"
FAMILY = {"Data Scientist": "data_scientist", "Machine Learning Engineer": "ml_engineer"}
SENIORITY = {"EN": "junior", "MI": "mid", "SE": "senior", "EX": "director"}
WORKPLACE = {"0": "onsite", "50": "hybrid", "100": "remote"}
WEEK, MONDAY = "2026-W10", datetime(2026, 3, 2, tzinfo=UTC)


def read_sample() -> list[dict[str, str]]:
    if not SAMPLE.exists():
        pytest.skip(f"shared data not found at {SAMPLE} (the ../shared checkout is absent)")
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_family_medians_match_numpy_on_the_aijobs_sample(db: DB) -> None:
    rows = read_sample()
    assert len(rows) == 600
    step = timedelta(days=7) / len(rows)
    jobs = [
        Job(
            family=FAMILY[r["job_title"]],
            first_seen_at=MONDAY + i * step,  # spread over the week
            annual_mid=float(r["salary_in_usd"]),
            annual_min=float(r["salary_in_usd"]),
            annual_max=float(r["salary_in_usd"]),
            seniority=SENIORITY[r["experience_level"]],
            workplace=WORKPLACE.get(r["remote_ratio"]),
            country=r["company_location"],
            company=None,
            title=r["job_title"],
        )
        for i, r in enumerate(rows)
    ]
    Factory(db.session).add(jobs)
    payload = compute_report(db.session, week=WEEK, market="USD", settings=ReportSettings())

    expected: dict[str, np.ndarray] = {
        fam: np.array([float(r["salary_in_usd"]) for r in rows if FAMILY[r["job_title"]] == fam]) for fam in FAMILY.values()
    }
    for fam, pay in expected.items():
        got = payload["families"][fam]
        assert got["new"] == got["pay_n"] == pay.size
        assert got["pay_share"] == 1.0
        assert got["pay_window"]["pooled"] is False
        assert got["pay_median"] == pytest.approx(float(np.median(pay)), abs=0.01)
        assert got["pay_p25"] == pytest.approx(float(np.percentile(pay, 25)), abs=0.01)
        assert got["pay_p75"] == pytest.approx(float(np.percentile(pay, 75)), abs=0.01)
        assert got["pay_median_ci95"][0] < got["pay_median"] < got["pay_median_ci95"][1]
    ds, mle = np.median(expected["data_scientist"]), np.median(expected["ml_engineer"])
    gap = payload["gap"]
    assert (gap["n_ds"], gap["n_mle"]) == (409, 191)
    assert gap["mle_minus_ds"] == pytest.approx(mle - ds, abs=0.01)
    assert gap["pct"] == pytest.approx((mle / ds - 1) * 100, abs=1e-3)
    assert gap["ci95"][0] < gap["pct"] < gap["ci95"][1]
    assert gap["adjusted_pct"] is not None and gap["adjusted"]["controls"]
