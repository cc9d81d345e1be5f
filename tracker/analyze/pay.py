"""Pay statistics: summaries, the ML-engineer-vs-data-scientist gap and its trend.

All functions take plain numpy arrays of annual pay in one currency (never mixed currencies) and
return plain values; nothing here knows about the database. Percentages are in percent (12.5 = 12.5 %).

- The raw gap compares medians: MLE - DS in currency and MLE / DS - 1 in percent, with a percentile
  bootstrap CI (both groups resampled independently, >= 5,000 resamples, seeded) and a Welch t-test
  on log pay.
- The composition-adjusted gap is the coefficient of an ML-engineer indicator in an OLS of log pay
  on family, seniority, workplace and location dummies, with standard errors clustered by company
  (a posting without a company is its own cluster), reported as exp(beta) - 1 in percent. It is a
  gap in geometric-mean pay within the same seniority, workplace and location, so it need not equal
  the raw median gap: the difference between the two is the composition effect.
- The trend is a weighted least-squares line through the weekly raw gap percentages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# Keep one bootstrap chunk near this many gathered values (about 32 MB of float64).
_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class PaySummary:
    """Distribution of annual pay of one family in one window."""

    n: int
    median: float | None
    p25: float | None
    p75: float | None
    min_median: float | None
    max_median: float | None


@dataclass(frozen=True)
class BootstrapGap:
    """Percentile bootstrap CIs of the median gap."""

    abs_ci: tuple[float, float]
    pct_ci: tuple[float, float]
    resamples: int


@dataclass(frozen=True)
class AdjustedGap:
    """The composition-adjusted gap: exp(beta) - 1 of the MLE indicator, in percent."""

    pct: float
    ci95: tuple[float, float]
    beta: float
    se: float
    n: int
    clusters: int
    controls: tuple[str, ...]


@dataclass(frozen=True)
class Trend:
    """A weighted linear trend of the weekly gap, in percentage points per week."""

    slope: float
    ci95: tuple[float, float]
    points: int


def as_array(values: Sequence[float | None] | FloatArray) -> FloatArray:
    """Finite values of a sequence as a float array (None and NaN dropped)."""
    arr = np.asarray([np.nan if v is None else v for v in values], dtype=np.float64) if not isinstance(
        values, np.ndarray
    ) else values.astype(np.float64, copy=False)
    return arr[np.isfinite(arr)]


def _median(values: FloatArray) -> float | None:
    return float(np.median(values)) if values.size else None


def summarize_pay(mid: FloatArray, annual_min: FloatArray | None = None, annual_max: FloatArray | None = None) -> PaySummary:
    """n, median, quartiles of the annual midpoint and the medians of annual min and max."""
    mid = as_array(mid)
    mins = as_array(annual_min) if annual_min is not None else np.empty(0)
    maxs = as_array(annual_max) if annual_max is not None else np.empty(0)
    if mid.size == 0:
        return PaySummary(0, None, None, None, _median(mins), _median(maxs))
    p25, p50, p75 = np.percentile(mid, [25.0, 50.0, 75.0])
    return PaySummary(int(mid.size), float(p50), float(p25), float(p75), _median(mins), _median(maxs))


def median_gap(ds: FloatArray, mle: FloatArray) -> tuple[float, float]:
    """(MLE median - DS median, MLE median / DS median - 1 in percent)."""
    if ds.size == 0 or mle.size == 0:
        raise ValueError("both groups need at least one value")
    ds_med, mle_med = float(np.median(ds)), float(np.median(mle))
    return mle_med - ds_med, (mle_med / ds_med - 1.0) * 100.0


def bootstrap_medians(values: FloatArray, resamples: int, rng: np.random.Generator) -> FloatArray:
    """Medians of `resamples` bootstrap resamples of `values`, vectorized in memory-bounded chunks."""
    if values.size == 0:
        raise ValueError("cannot bootstrap an empty sample")
    # Sorting first makes the result independent of the order the rows arrived in, and lets the
    # resample's order statistics be found on the (small integer) indices instead of the values:
    # sorted(x[idx]) == x[sorted(idx)] when x is sorted.
    x = np.sort(values)
    n = x.size
    lo, hi = (n - 1) // 2, n // 2
    dtype = np.int16 if n <= np.iinfo(np.int16).max else np.int32
    out = np.empty(resamples, dtype=np.float64)
    step = max(1, _CHUNK_ELEMENTS // n)
    for start in range(0, resamples, step):
        size = min(step, resamples - start)
        idx = rng.integers(0, n, size=(size, n), dtype=dtype)
        idx.partition(hi, axis=1)
        upper = idx[:, hi]
        # For even n the lower middle is the largest index left of the partition point.
        lower = idx[:, :hi].max(axis=1) if lo != hi else upper
        out[start : start + size] = (x[lower] + x[upper]) / 2.0
    return out


def bootstrap_gap(
    ds: FloatArray, mle: FloatArray, *, resamples: int = 5000, seed: int = 0, level: float = 0.95
) -> BootstrapGap:
    """Percentile bootstrap CIs of the median gap (currency and percent), groups resampled independently."""
    if resamples < 1:
        raise ValueError("resamples must be positive")
    rng = np.random.default_rng(seed)
    ds_b = bootstrap_medians(ds, resamples, rng)
    mle_b = bootstrap_medians(mle, resamples, rng)
    tail = (1.0 - level) / 2.0 * 100.0
    qs = [tail, 100.0 - tail]
    lo_abs, hi_abs = np.percentile(mle_b - ds_b, qs)
    lo_pct, hi_pct = np.percentile((mle_b / ds_b - 1.0) * 100.0, qs)
    return BootstrapGap((float(lo_abs), float(hi_abs)), (float(lo_pct), float(hi_pct)), resamples)


def welch_log_p(ds: FloatArray, mle: FloatArray) -> float | None:
    """Two-sided Welch t-test p-value on log pay (None when it is undefined)."""
    from scipy import stats

    if ds.size < 2 or mle.size < 2 or np.any(ds <= 0) or np.any(mle <= 0):
        return None
    a, b = np.log(mle), np.log(ds)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return None
    p = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
    return p if math.isfinite(p) else None


def _dummies(values: Sequence[str | None], name: str) -> tuple[FloatArray, list[str]]:
    """Indicator columns of every level but the most frequent (the reference); None is its own level."""
    labels = np.asarray(["(unknown)" if v is None or v == "" else str(v) for v in values], dtype=object)
    levels, counts = np.unique(labels, return_counts=True)
    if levels.size <= 1:
        return np.empty((labels.size, 0)), []
    order = sorted(zip(levels.tolist(), counts.tolist(), strict=True), key=lambda lc: (-lc[1], lc[0]))
    kept = [lvl for lvl, _ in order[1:]]
    cols = np.column_stack([(labels == lvl).astype(np.float64) for lvl in kept])
    return cols, [f"{name}={lvl}" for lvl in kept]


def adjusted_gap(
    pay: FloatArray,
    is_mle: NDArray[np.bool_],
    controls: dict[str, Sequence[str | None]],
    companies: Sequence[str | None],
    *,
    level: float = 0.95,
) -> AdjustedGap | None:
    """OLS of log pay on an MLE indicator plus categorical controls, company-clustered SEs; None if unidentified."""
    from statsmodels.regression.linear_model import OLS

    pay = np.asarray(pay, dtype=np.float64)
    is_mle = np.asarray(is_mle, dtype=bool)
    n = pay.size
    if n < 3 or not is_mle.any() or is_mle.all() or np.any(pay <= 0):
        return None
    blocks: list[FloatArray] = [np.ones((n, 1)), is_mle.astype(np.float64)[:, None]]
    used: list[str] = []
    for name in sorted(controls):
        cols, names = _dummies(controls[name], name)
        if names:
            blocks.append(cols)
            used.append(name)
    X = np.hstack(blocks)
    # The MLE coefficient is identified only if the indicator is not a combination of the controls.
    without = np.delete(X, 1, axis=1)
    if np.linalg.matrix_rank(X) <= np.linalg.matrix_rank(without):
        return None
    keys = [c.strip().casefold() if c else f"\x00row{i}" for i, c in enumerate(companies)]
    _, groups = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    n_clusters = int(groups.max()) + 1
    if n_clusters < 2:
        return None
    fit = OLS(np.log(pay), X).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    beta = float(fit.params[1])
    se = float(fit.bse[1])
    if not (math.isfinite(beta) and math.isfinite(se)):
        return None
    lo, hi = (float(v) for v in fit.conf_int(alpha=1.0 - level)[1])
    return AdjustedGap(
        pct=(math.exp(beta) - 1.0) * 100.0,
        ci95=((math.exp(lo) - 1.0) * 100.0, (math.exp(hi) - 1.0) * 100.0),
        beta=beta,
        se=se,
        n=n,
        clusters=n_clusters,
        controls=tuple(used),
    )


def linear_trend(x: Sequence[float], y: Sequence[float], weights: Sequence[float] | None = None) -> Trend | None:
    """Weighted least-squares slope of y on x with a 95 % t interval; None with fewer than 3 points."""
    from statsmodels.regression.linear_model import WLS

    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    ws = np.ones_like(xs) if weights is None else np.asarray(weights, dtype=np.float64)
    if xs.size < 3 or np.ptp(xs) == 0:
        return None
    fit = WLS(ys, np.column_stack([np.ones_like(xs), xs]), weights=ws).fit()
    slope = float(fit.params[1])
    lo, hi = (float(v) for v in fit.conf_int(alpha=0.05)[1])
    if not all(math.isfinite(v) for v in (slope, lo, hi)):
        return None
    return Trend(slope, (lo, hi), int(xs.size))
