"""The weekly report as plain data: assembled from already-fetched rows and counts, without I/O.

`build_payload(inputs, params)` returns the JSON-ready payload stored in `weekly_reports.payload`.
Small-sample rules (`params.min_n`, `params.window_weeks`):
- a family with fewer than min_n priced postings in week W is summarized over the trailing
  window_weeks instead (W included), and a note says so;
- the headline gap uses one window for both families: W when both have min_n, else the pooled window;
- no CI or p-value is ever computed from fewer than min_n postings per family: it is null and a note
  says why; n and the window are always given.

Payload (pct values in percent; money in the market's currency; null = withheld or undefined):
    week, market, timezone, week_start, week_end, window_weeks, min_n, pay_sources
    families.<family>: new, active, closed, changes.{new,active,closed}.{previous, vs_previous_abs,
        vs_previous_pct, trailing_mean, vs_trailing_abs, vs_trailing_pct}, pay_n, pay_median, pay_p25,
        pay_p75, pay_median_ci95 (DS and MLE only), pay_share, pay_min_median, pay_max_median,
        postings_in_window, pay_window.{from, to, weeks, pooled}
    gap: mle_minus_ds, pct, ci95 (= ci95_pct, of pct), ci95_abs (of mle_minus_ds), p_value, adjusted_pct,
        adjusted_ci95, adjusted.{method, n, clusters, controls, beta, se}, n_ds, n_mle, ds_median,
        mle_median, window, bootstrap_resamples, seed, change_vs_previous_pct_points
    previous_week: week, gap.{mle_minus_ds, pct, ci95, n_ds, n_mle, window}
    trend: weeks, slope_pct_per_week, ci95, points_used, points[{week, pct, n_ds, n_mle}], method
    volume: ds_new, mle_new, ratio_mle_to_ds, ratio_mle_to_ds_previous, ratio_change
    skills.<family>[{skill, share, postings}], skills_window.<family>, distinctive[{skill, log_odds_z,
        log_odds, favours, mle_share, ds_share}], skill_movers.<family>[{skill, share, trailing_share, change_pp}]
    framing.<family>: masculine_per_1k, feminine_per_1k, postings, words, window, top_masculine,
        top_feminine, sampled_from (when a sample was read); framing_about
    other_currencies: week, total, by_currency.<CUR>.{total, families.<family>}
    estimated_pay_excluded.<family>, notes[]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tracker.analyze import pay as pay_stats
from tracker.analyze.framing import FramingCounts
from tracker.analyze.skills import log_odds_dirichlet, share_movers, top_skills
from tracker.analyze.volume import Counts, change_summary, choose_window, ratio

DS = "data_scientist"
MLE = "ml_engineer"
SCHEMA_VERSION = 1
FRAMING_ABOUT = (
    "Masculine- and feminine-coded words (Gaucher, Friesen & Kay 2011 word lists, tech-vocabulary stems "
    "filtered out) per 1,000 words of posting text: a measure of the language employers use in their "
    "postings. It says nothing about who applies for or holds these jobs."
)


@dataclass
class PricedRows:
    """Priced postings (cluster representatives) as column arrays; `week` indexes `WeeklyInputs.weeks`."""

    unit: NDArray[np.int64]
    family: NDArray[np.object_]
    week: NDArray[np.int64]
    mid: NDArray[np.float64]
    annual_min: NDArray[np.float64]
    annual_max: NDArray[np.float64]
    seniority: NDArray[np.object_]
    workplace: NDArray[np.object_]
    location: NDArray[np.object_]
    company: NDArray[np.object_]

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> PricedRows:
        """Build from dicts with keys unit, family, week, mid, annual_min, annual_max, seniority, workplace, location, company."""

        def col(key: str) -> NDArray[np.object_]:
            return np.asarray([r.get(key) for r in records], dtype=object)

        def num(key: str) -> NDArray[np.float64]:
            return np.asarray([np.nan if r.get(key) is None else r[key] for r in records], dtype=np.float64)

        return cls(
            unit=np.asarray([r["unit"] for r in records], dtype=np.int64),
            family=col("family"),
            week=np.asarray([r["week"] for r in records], dtype=np.int64),
            mid=num("mid"),
            annual_min=num("annual_min"),
            annual_max=num("annual_max"),
            seniority=col("seniority"),
            workplace=col("workplace"),
            location=col("location"),
            company=col("company"),
        )

    def select(self, mask: NDArray[np.bool_]) -> PricedRows:
        """The rows where mask is true, ordered by unit id (so results never depend on fetch order)."""
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(self.unit[idx], kind="stable")]
        return PricedRows(
            *(getattr(self, name)[idx] for name in self.__dataclass_fields__)
        )

    def __len__(self) -> int:
        return int(self.unit.size)


@dataclass
class WeeklyInputs:
    """Everything the report needs, fetched for one week W and one market."""

    week: str
    market: str
    families: tuple[str, ...]
    weeks: list[str]  # oldest first, ending with W; priced rows index into it
    counts: dict[str, dict[str, Counts]]  # family -> week label -> counts
    priced: PricedRows
    skill_counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # (family, week) -> skill -> n
    framing: dict[str, FramingCounts] = field(default_factory=dict)
    framing_windows: dict[str, list[str]] = field(default_factory=dict)
    framing_sampled: dict[str, int] = field(default_factory=dict)  # family -> postings in window when sampled
    other_currencies: list[tuple[str, str, int]] = field(default_factory=list)  # (family, currency, n) in W
    estimated_excluded: dict[str, int] = field(default_factory=dict)  # family -> estimated-pay postings in W
    timezone: str = "UTC"
    week_start: str | None = None
    week_end: str | None = None


@dataclass(frozen=True)
class ReportParams:
    """Knobs of the statistics (from ReportSettings)."""

    min_n: int = 30
    window_weeks: int = 4
    resamples: int = 5000
    seed: int = 20240101
    include_estimated: bool = False
    trend_weeks: int = 12
    trailing_weeks: int = 4
    top_skills: int = 10
    distinctive: int = 10
    movers: int = 5


def _r(value: float | None, digits: int) -> float | None:
    """A finite float rounded for the payload, else None."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _ci(pair: tuple[float, float] | None, digits: int) -> list[float | None] | None:
    return None if pair is None else [_r(pair[0], digits), _r(pair[1], digits)]


def _window(weeks: Sequence[str]) -> dict[str, Any]:
    return {"from": weeks[0], "to": weeks[-1], "weeks": len(weeks), "pooled": len(weeks) > 1}


def _label(weeks: Sequence[str]) -> str:
    return weeks[0] if len(weeks) == 1 else f"{weeks[0]}..{weeks[-1]}"


class _Builder:
    def __init__(self, inputs: WeeklyInputs, params: ReportParams) -> None:
        self.i = inputs
        self.p = params
        self.notes: list[str] = []
        self.w = len(inputs.weeks) - 1  # index of W in inputs.weeks

    # -- helpers -----------------------------------------------------------------------------------
    def count(self, family: str, week: str) -> Counts:
        """Counts of a family in a week (zeros when absent)."""
        return self.i.counts.get(family, {}).get(week, Counts())

    def weeks_back(self, end: int, n: int) -> list[str]:
        """n weeks ending at index `end` of inputs.weeks (clipped at the start)."""
        return self.i.weeks[max(0, end - n + 1) : end + 1]

    def priced_mask(self, family: str, weeks: Sequence[str]) -> NDArray[np.bool_]:
        """Priced rows of a family first seen in any of the weeks."""
        idx = [self.i.weeks.index(w) for w in weeks]
        return np.asarray(self.i.priced.family == family) & np.isin(self.i.priced.week, idx)

    def priced_n_by_week(self, family: str, end: int, n: int) -> list[int]:
        """Priced rows of a family in each of the n weeks ending at index `end`."""
        rows = self.i.priced
        fam = rows.family == family
        return [int(np.count_nonzero(fam & (rows.week == k))) for k in range(max(0, end - n + 1), end + 1)]

    # -- sections ----------------------------------------------------------------------------------
    def families(self) -> dict[str, Any]:
        """families.<family>: volume, changes and pay (pooled when thin)."""
        p, week = self.p, self.i.week
        prev = self.i.weeks[self.w - 1] if self.w >= 1 else None
        trailing = self.weeks_back(self.w - 1, p.trailing_weeks) if self.w >= 1 else []
        out: dict[str, Any] = {}
        for fam in self.i.families:
            now = self.count(fam, week)
            before = self.count(fam, prev) if prev else Counts()
            entry: dict[str, Any] = {"new": now.new, "active": now.active, "closed": now.closed}
            entry["changes"] = {
                metric: change_summary(
                    getattr(now, metric), getattr(before, metric), [getattr(self.count(fam, t), metric) for t in trailing]
                )
                for metric in ("new", "active", "closed")
            }
            for metric in entry["changes"].values():
                for key in ("vs_previous_pct", "vs_trailing_pct", "trailing_mean", "vs_trailing_abs"):
                    metric[key] = _r(metric[key], 3)
            n_weeks = choose_window(self.priced_n_by_week(fam, self.w, p.window_weeks), min_n=p.min_n, window_weeks=p.window_weeks)
            window = self.weeks_back(self.w, n_weeks)
            rows = self.i.priced.select(self.priced_mask(fam, window))
            summary = pay_stats.summarize_pay(rows.mid, rows.annual_min, rows.annual_max)
            postings = sum(self.count(fam, wk).new for wk in window)
            median_ci = None
            if fam in (DS, MLE) and summary.n >= p.min_n:  # the chart's band; other families are not charted
                boot = pay_stats.bootstrap_medians(rows.mid, p.resamples, np.random.default_rng([p.seed, self.i.families.index(fam)]))
                median_ci = _ci((float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))), 2)
            entry.update(
                pay_n=summary.n,
                pay_median=_r(summary.median, 2),
                pay_p25=_r(summary.p25, 2),
                pay_p75=_r(summary.p75, 2),
                pay_median_ci95=median_ci,
                pay_share=_r(summary.n / postings, 4) if postings else None,
                pay_min_median=_r(summary.min_median, 2),
                pay_max_median=_r(summary.max_median, 2),
                postings_in_window=postings,
                pay_window=_window(window),
            )
            if n_weeks > 1 and (summary.n or now.new):
                n_w = self.priced_n_by_week(fam, self.w, 1)[0]
                self.notes.append(
                    f"{fam}: {n_w} priced postings in {week} (fewer than min_n={p.min_n}); "
                    f"pay pooled over {_label(window)} (n={summary.n})."
                )
                if 0 < summary.n < p.min_n:
                    self.notes.append(f"{fam}: still only {summary.n} priced postings after pooling; read its pay figures with care.")
            out[fam] = entry
        return out

    def gap_at(self, end: int, *, full: bool) -> dict[str, Any]:
        """The DS-vs-MLE gap for the week at index `end`, pooled when either family is short."""
        p = self.p
        ds_n = self.priced_n_by_week(DS, end, 1)[0]
        mle_n = self.priced_n_by_week(MLE, end, 1)[0]
        weeks = self.weeks_back(end, 1 if min(ds_n, mle_n) >= p.min_n else p.window_weeks)
        ds = self.i.priced.select(self.priced_mask(DS, weeks))
        mle = self.i.priced.select(self.priced_mask(MLE, weeks))
        gap: dict[str, Any] = {
            "mle_minus_ds": None,
            "pct": None,
            "n_ds": len(ds),
            "n_mle": len(mle),
            "window": _window(weeks),
        }
        if full:
            gap.update(
                ci95=None, ci95_pct=None, ci95_abs=None, p_value=None, adjusted_pct=None, adjusted_ci95=None,
                ds_median=None, mle_median=None, bootstrap_resamples=p.resamples, seed=p.seed, adjusted=None,
            )
        label = self.i.weeks[end]
        if len(weeks) > 1 and full:
            self.notes.append(
                f"gap: {ds_n} data_scientist and {mle_n} ml_engineer priced postings in {label} "
                f"(min_n={p.min_n}); the gap pools {_label(weeks)} (n_ds={len(ds)}, n_mle={len(mle)})."
            )
        if len(ds) == 0 or len(mle) == 0:
            if full:
                self.notes.append("gap: no priced postings in one of the two families; no gap computed.")
            return gap
        diff, pct = pay_stats.median_gap(ds.mid, mle.mid)
        gap["mle_minus_ds"], gap["pct"] = _r(diff, 2), _r(pct, 3)
        if not full:
            enough = min(len(ds), len(mle)) >= p.min_n
            boot_prev = pay_stats.bootstrap_gap(ds.mid, mle.mid, resamples=p.resamples, seed=p.seed) if enough else None
            gap["ci95"] = _ci(boot_prev.pct_ci, 3) if boot_prev else None
            return gap
        gap["ds_median"], gap["mle_median"] = _r(float(np.median(ds.mid)), 2), _r(float(np.median(mle.mid)), 2)
        if min(len(ds), len(mle)) < p.min_n:
            self.notes.append(
                f"gap: fewer than min_n={p.min_n} priced postings per family even after pooling "
                f"(n_ds={len(ds)}, n_mle={len(mle)}); CI, p-value and adjusted gap withheld."
            )
            return gap
        boot = pay_stats.bootstrap_gap(ds.mid, mle.mid, resamples=p.resamples, seed=p.seed)
        gap["ci95"] = gap["ci95_pct"] = _ci(boot.pct_ci, 3)
        gap["ci95_abs"] = _ci(boot.abs_ci, 2)
        gap["p_value"] = pay_stats.welch_log_p(ds.mid, mle.mid)
        both = self.i.priced.select(self.priced_mask(DS, weeks) | self.priced_mask(MLE, weeks))
        adjusted = pay_stats.adjusted_gap(
            both.mid,
            np.asarray(both.family == MLE, dtype=bool),
            {"seniority": list(both.seniority), "workplace": list(both.workplace), "location": list(both.location)},
            list(both.company),
        )
        if adjusted is None:
            self.notes.append("gap: the composition-adjusted gap is not identified (family collinear with the controls).")
        else:
            gap["adjusted_pct"] = _r(adjusted.pct, 3)
            gap["adjusted_ci95"] = _ci(adjusted.ci95, 3)
            gap["adjusted"] = {
                "method": "OLS of log annual pay on family + seniority + workplace + location, company-clustered SEs",
                "n": adjusted.n,
                "clusters": adjusted.clusters,
                "controls": list(adjusted.controls),
                "beta": _r(adjusted.beta, 6),
                "se": _r(adjusted.se, 6),
            }
            if adjusted.clusters < 20:
                self.notes.append(f"gap: only {adjusted.clusters} companies; the clustered CI of the adjusted gap is rough.")
        return gap

    def trend(self) -> dict[str, Any]:
        """trend: weekly gap points and the WLS slope."""
        p = self.p
        start = max(0, self.w - p.trend_weeks + 1)
        points: list[dict[str, Any]] = []
        xs: list[float] = []
        ys: list[float] = []
        ws: list[float] = []
        for k in range(start, self.w + 1):
            ds = self.i.priced.mid[(self.i.priced.family == DS) & (self.i.priced.week == k)]
            mle = self.i.priced.mid[(self.i.priced.family == MLE) & (self.i.priced.week == k)]
            point: dict[str, Any] = {"week": self.i.weeks[k], "pct": None, "n_ds": int(ds.size), "n_mle": int(mle.size)}
            if ds.size and mle.size:
                point["pct"] = _r(pay_stats.median_gap(ds, mle)[1], 3)
            if ds.size >= p.min_n and mle.size >= p.min_n:
                xs.append(float(k - self.w))
                ys.append(pay_stats.median_gap(ds, mle)[1])
                ws.append(1.0 / (1.0 / ds.size + 1.0 / mle.size))
            points.append(point)
        out: dict[str, Any] = {
            "weeks": p.trend_weeks,
            "slope_pct_per_week": None,
            "ci95": None,
            "points_used": len(xs),
            "points": points,
            "method": "WLS of the weekly median gap (%) on the week index, weights 1/(1/n_ds + 1/n_mle); "
            f"weeks with fewer than min_n={p.min_n} priced postings in either family are left out",
        }
        trend = pay_stats.linear_trend(xs, ys, ws) if len(xs) >= 4 else None
        if trend is None:
            self.notes.append(
                f"trend: {len(xs)} of the last {p.trend_weeks} weeks have min_n={p.min_n} priced postings in both "
                "families; at least 4 are needed for a slope."
            )
        else:
            out["slope_pct_per_week"] = _r(trend.slope, 4)
            out["ci95"] = _ci(trend.ci95, 4)
        return out

    def volume(self) -> dict[str, Any]:
        """volume: new DS / MLE postings and their ratio."""
        week = self.i.week
        prev = self.i.weeks[self.w - 1] if self.w >= 1 else None
        ds, mle = self.count(DS, week).new, self.count(MLE, week).new
        now = ratio(mle, ds)
        before = ratio(self.count(MLE, prev).new, self.count(DS, prev).new) if prev else None
        return {
            "ds_new": ds,
            "mle_new": mle,
            "ratio_mle_to_ds": _r(now, 4),
            "ratio_mle_to_ds_previous": _r(before, 4),
            "ratio_change": _r(now - before, 4) if now is not None and before is not None else None,
        }

    def skill_window(self, family: str) -> list[str]:
        """Weeks pooled for a family's skills (by its new postings)."""
        n_weeks = choose_window(
            [self.count(family, wk).new for wk in self.weeks_back(self.w, self.p.window_weeks)],
            min_n=self.p.min_n,
            window_weeks=self.p.window_weeks,
        )
        return self.weeks_back(self.w, n_weeks)

    def pooled_skills(self, family: str, weeks: Sequence[str]) -> tuple[dict[str, int], int]:
        """Skill counts and postings of a family summed over weeks."""
        counts: dict[str, int] = {}
        for wk in weeks:
            for skill, n in self.i.skill_counts.get((family, wk), {}).items():
                counts[skill] = counts.get(skill, 0) + n
        return counts, sum(self.count(family, wk).new for wk in weeks)

    def skills(self) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
        """skills, skills_window, distinctive and skill_movers."""
        p = self.p
        top: dict[str, Any] = {}
        windows: dict[str, Any] = {}
        movers: dict[str, Any] = {}
        pooled: dict[str, tuple[dict[str, int], int]] = {}
        for fam in self.i.families:
            weeks = self.skill_window(fam)
            counts, postings = self.pooled_skills(fam, weeks)
            pooled[fam] = (counts, postings)
            windows[fam] = {**_window(weeks), "postings": postings}
            top[fam] = [
                {"skill": s.skill, "share": _r(s.share, 4), "postings": s.postings}
                for s in top_skills(counts, postings, p.top_skills)
            ]
            now_counts, now_postings = self.pooled_skills(fam, [self.i.week])
            trailing = self.weeks_back(self.w - 1, p.trailing_weeks) if self.w >= 1 else []
            before_counts, before_postings = self.pooled_skills(fam, trailing)
            if now_postings >= p.min_n and before_postings >= p.min_n:
                movers[fam] = [
                    {"skill": m.skill, "share": _r(m.share, 4), "trailing_share": _r(m.trailing_share, 4), "change_pp": _r(m.change_pp, 2)}
                    for m in share_movers(now_counts, now_postings, before_counts, before_postings, p.movers)
                ]
            else:
                movers[fam] = []
        for fam in (DS, MLE):
            if fam in windows and windows[fam]["pooled"]:
                self.notes.append(
                    f"skills: {self.count(fam, self.i.week).new} {fam} postings in {self.i.week} (fewer than min_n={p.min_n}); "
                    f"skill shares pool {windows[fam]['from']}..{windows[fam]['to']} (n={windows[fam]['postings']})."
                )
        distinctive: list[dict[str, Any]] = []
        # One window for both families, as for the gap: pooled when either is thin.
        if DS in windows and MLE in windows and (windows[DS]["pooled"] or windows[MLE]["pooled"]):
            both = self.weeks_back(self.w, p.window_weeks)
            pooled[DS], pooled[MLE] = self.pooled_skills(DS, both), self.pooled_skills(MLE, both)
        (mle_counts, mle_n), (ds_counts, ds_n) = pooled.get(MLE, ({}, 0)), pooled.get(DS, ({}, 0))
        if mle_n and ds_n:
            background: dict[str, int] = {}
            for counts, _ in pooled.values():
                for skill, n in counts.items():
                    background[skill] = background.get(skill, 0) + n
            scored = log_odds_dirichlet(mle_counts, ds_counts, background)
            k = p.distinctive
            chosen = scored if len(scored) <= 2 * k else scored[:k] + scored[-k:]
            for d in chosen:
                distinctive.append(
                    {
                        "skill": d.skill,
                        "log_odds_z": _r(d.z, 3),
                        "log_odds": _r(d.log_odds, 4),
                        "favours": MLE if d.z > 0 else DS,
                        "mle_share": _r(d.count_i / mle_n, 4),
                        "ds_share": _r(d.count_j / ds_n, 4),
                    }
                )
        return top, windows, distinctive, movers

    def framing(self) -> dict[str, Any]:
        """framing.<family>: coded words per 1,000 words."""
        out: dict[str, Any] = {}
        for fam in self.i.families:
            counts = self.i.framing.get(fam)
            weeks = self.i.framing_windows.get(fam, [self.i.week])
            entry: dict[str, Any] = {
                "masculine_per_1k": None,
                "feminine_per_1k": None,
                "postings": 0,
                "words": 0,
                "window": _window(weeks),
            }
            if counts is not None and counts.words:
                entry.update(
                    masculine_per_1k=_r(counts.masculine_per_1k, 3),
                    feminine_per_1k=_r(counts.feminine_per_1k, 3),
                    postings=counts.texts,
                    words=counts.words,
                    top_masculine=[s for s, _ in sorted(counts.masculine_stems.items(), key=lambda kv: (-kv[1], kv[0]))[:5]],
                    top_feminine=[s for s, _ in sorted(counts.feminine_stems.items(), key=lambda kv: (-kv[1], kv[0]))[:5]],
                )
            if fam in self.i.framing_sampled:
                entry["sampled_from"] = self.i.framing_sampled[fam]
            out[fam] = entry
        return out

    def other_currencies(self) -> dict[str, Any]:
        """other_currencies: priced postings of W in other currencies, never converted."""
        by_currency: dict[str, dict[str, Any]] = {}
        for fam, currency, n in sorted(self.i.other_currencies):
            slot = by_currency.setdefault(currency, {"total": 0, "families": {}})
            slot["total"] += n
            slot["families"][fam] = slot["families"].get(fam, 0) + n
        total = sum(s["total"] for s in by_currency.values())
        if total:
            self.notes.append(
                f"{total} priced postings in {self.i.week} pay in other currencies than {self.i.market}; "
                "they are counted under other_currencies and never converted."
            )
        return {"week": self.i.week, "total": total, "by_currency": by_currency}



def build_payload(inputs: WeeklyInputs, params: ReportParams) -> dict[str, Any]:
    """The report of week W as JSON-ready data (see the module docstring for the small-sample rules)."""
    if not inputs.weeks or inputs.weeks[-1] != inputs.week:
        raise ValueError("inputs.weeks must end with the report week")
    b = _Builder(inputs, params)
    families = b.families()
    gap = b.gap_at(b.w, full=True)
    previous: dict[str, Any] = {"week": inputs.weeks[b.w - 1] if b.w >= 1 else None, "gap": {"pct": None}}
    if b.w >= 1:
        previous["gap"] = b.gap_at(b.w - 1, full=False)
    gap["change_vs_previous_pct_points"] = (
        _r(gap["pct"] - previous["gap"]["pct"], 3) if gap["pct"] is not None and previous["gap"]["pct"] is not None else None
    )
    trend = b.trend()
    top, windows, distinctive, movers = b.skills()
    payload: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "week": inputs.week,
        "market": inputs.market,
        "timezone": inputs.timezone,
        "week_start": inputs.week_start,
        "week_end": inputs.week_end,
        "window_weeks": params.window_weeks,
        "min_n": params.min_n,
        "pay_sources": ["employer", "description", "estimated"] if params.include_estimated else ["employer", "description"],
        "families": families,
        "gap": gap,
        "previous_week": previous,
        "trend": trend,
        "volume": b.volume(),
        "skills": top,
        "skills_window": windows,
        "distinctive": distinctive,
        "skill_movers": movers,
        "framing": b.framing(),
        "framing_about": FRAMING_ABOUT,
        "other_currencies": b.other_currencies(),
        "estimated_pay_excluded": dict(sorted(inputs.estimated_excluded.items())) if not params.include_estimated else {},
        "notes": b.notes,
    }
    return payload
