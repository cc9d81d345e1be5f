"""The gap estimators recover a planted raw gap and a planted within-level gap, with honest CIs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import optimize, stats

from tracker.analyze.pay import (
    adjusted_gap,
    bootstrap_gap,
    linear_trend,
    median_gap,
    summarize_pay,
    welch_log_p,
)

LEVELS = ("mid", "senior", "staff")
LEVEL_EFFECT = np.array([0.0, 0.25, 0.5])  # log pay above mid
DS_MIX = np.array([0.5, 0.35, 0.15])
MLE_MIX = np.array([0.2, 0.4, 0.4])  # ML engineer postings are more senior: the composition effect
WITHIN_GAP = math.log(1.08)  # +8 % at the same seniority
BASE = math.log(140_000.0)
SIGMA = 0.25


@dataclass
class Sample:
    pay: np.ndarray
    is_mle: np.ndarray
    seniority: list[str]
    workplace: list[str]
    location: list[str]
    company: list[str]


def population_median(mix: np.ndarray, shift: float) -> float:
    """The median of a mixture of log-normals (one per seniority level)."""
    mus = BASE + LEVEL_EFFECT + shift

    def cdf(log_x: float) -> float:
        return float(np.sum(mix * stats.norm.cdf((log_x - mus) / SIGMA))) - 0.5

    return math.exp(optimize.brentq(cdf, BASE - 3, BASE + 3, xtol=1e-12))


TRUE_RAW_PCT = (population_median(MLE_MIX, WITHIN_GAP) / population_median(DS_MIX, 0.0) - 1) * 100
TRUE_ADJUSTED_PCT = (math.exp(WITHIN_GAP) - 1) * 100


def draw(rng: np.random.Generator, n_ds: int = 500, n_mle: int = 400, companies: int = 150) -> Sample:
    """One synthetic week: seniority mixes differ by family, pay log-normal within a level."""
    levels = np.concatenate([rng.choice(3, size=n_ds, p=DS_MIX), rng.choice(3, size=n_mle, p=MLE_MIX)])
    is_mle = np.concatenate([np.zeros(n_ds, bool), np.ones(n_mle, bool)])
    log_pay = BASE + LEVEL_EFFECT[levels] + WITHIN_GAP * is_mle + rng.normal(0, SIGMA, size=levels.size)
    n = levels.size
    return Sample(
        pay=np.exp(log_pay),
        is_mle=is_mle,
        seniority=[LEVELS[k] for k in levels],
        workplace=list(rng.choice(["remote", "hybrid", "onsite"], size=n)),
        location=list(rng.choice(["US/ca", "US/ny", "US/wa", "US"], size=n)),
        company=[f"company-{k}" for k in rng.integers(0, companies, size=n)],
    )


def test_the_planted_gaps_differ_so_the_test_can_tell_them_apart() -> None:
    assert TRUE_RAW_PCT > TRUE_ADJUSTED_PCT + 8


def test_raw_gap_estimate_is_close_to_the_planted_raw_gap() -> None:
    s = draw(np.random.default_rng(7), n_ds=20_000, n_mle=20_000)
    _, pct = median_gap(s.pay[~s.is_mle], s.pay[s.is_mle])
    assert pct == pytest.approx(TRUE_RAW_PCT, abs=1.0)


def test_adjusted_gap_is_close_to_the_planted_within_level_gap() -> None:
    s = draw(np.random.default_rng(8), n_ds=20_000, n_mle=20_000, companies=2000)
    adj = adjusted_gap(s.pay, s.is_mle, {"seniority": s.seniority, "workplace": s.workplace, "location": s.location}, s.company)
    assert adj is not None
    assert adj.pct == pytest.approx(TRUE_ADJUSTED_PCT, abs=0.6)
    assert adj.controls == ("location", "seniority", "workplace")


def test_95_percent_cis_cover_the_truth_in_at_least_90_of_100_replications() -> None:
    raw_cover = adj_cover = 0
    raw_estimates, adj_estimates = [], []
    for rep in range(100):
        s = draw(np.random.default_rng(1000 + rep))
        ds, mle = s.pay[~s.is_mle], s.pay[s.is_mle]
        boot = bootstrap_gap(ds, mle, resamples=5000, seed=rep)
        raw_cover += boot.pct_ci[0] <= TRUE_RAW_PCT <= boot.pct_ci[1]
        raw_estimates.append(median_gap(ds, mle)[1])
        adj = adjusted_gap(s.pay, s.is_mle, {"seniority": s.seniority, "workplace": s.workplace, "location": s.location}, s.company)
        assert adj is not None
        adj_cover += adj.ci95[0] <= TRUE_ADJUSTED_PCT <= adj.ci95[1]
        adj_estimates.append(adj.pct)
    assert raw_cover >= 90, raw_cover
    assert adj_cover >= 90, adj_cover
    assert np.mean(raw_estimates) == pytest.approx(TRUE_RAW_PCT, abs=1.0)
    assert np.mean(adj_estimates) == pytest.approx(TRUE_ADJUSTED_PCT, abs=0.5)


def test_bootstrap_is_deterministic_and_independent_of_row_order() -> None:
    s = draw(np.random.default_rng(3))
    ds, mle = s.pay[~s.is_mle], s.pay[s.is_mle]
    a = bootstrap_gap(ds, mle, resamples=5000, seed=11)
    b = bootstrap_gap(ds[::-1].copy(), np.random.default_rng(0).permutation(mle), resamples=5000, seed=11)
    assert a == b
    assert a.abs_ci[0] < median_gap(ds, mle)[0] < a.abs_ci[1]


def test_welch_p_value_is_small_for_a_real_gap_and_large_for_none() -> None:
    rng = np.random.default_rng(5)
    same = np.exp(rng.normal(11.8, 0.3, size=(2, 400)))
    assert welch_log_p(same[0], same[1] * 1.25) < 1e-6  # type: ignore[operator]
    assert welch_log_p(same[0], same[1]) > 0.01  # type: ignore[operator]
    assert welch_log_p(np.array([1.0]), same[1]) is None


def test_adjusted_gap_is_none_when_family_is_collinear_with_a_control() -> None:
    pay = np.array([100.0, 110, 120, 200, 210, 220])
    is_mle = np.array([False, False, False, True, True, True])
    seniority = ["mid", "mid", "mid", "senior", "senior", "senior"]
    assert adjusted_gap(pay, is_mle, {"seniority": seniority}, ["a", "b", "c", "a", "b", "c"]) is None


def test_summary_uses_numpy_quantiles_and_ignores_missing_bounds() -> None:
    mid = np.array([100.0, 200, 300, 400])
    summary = summarize_pay(mid, np.array([90.0, np.nan, 250, 300]), np.array([110.0, 220, np.nan, np.nan]))
    assert (summary.n, summary.median, summary.p25, summary.p75) == (4, 250.0, 175.0, 325.0)
    assert summary.min_median == 250.0
    assert summary.max_median == 165.0
    assert summarize_pay(np.array([])).median is None


def test_linear_trend_recovers_a_planted_slope() -> None:
    x = np.arange(-11, 1, dtype=float)
    y = 10 + 0.5 * x + np.random.default_rng(2).normal(0, 0.2, size=x.size)
    trend = linear_trend(list(x), list(y))
    assert trend is not None
    assert trend.ci95[0] < 0.5 < trend.ci95[1]
    assert trend.slope == pytest.approx(0.5, abs=0.1)
    assert linear_trend([0.0, 1.0], [1.0, 2.0]) is None
