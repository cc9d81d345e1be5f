"""Small samples: pooling over the trailing window, and no CI or p-value from fewer than min_n."""

from __future__ import annotations

from typing import Any

import numpy as np

from tracker.analyze.volume import Counts
from tracker.analyze.weekly import DS, MLE, PricedRows, ReportParams, WeeklyInputs, build_payload
from tracker.analyze.weeks import week_range

WEEK = "2026-W47"
PARAMS = ReportParams(min_n=30, window_weeks=4, resamples=5000, seed=1)


def make_inputs(priced_per_week: dict[str, list[int]], seed: int = 0) -> WeeklyInputs:
    """Priced postings per family and week (oldest first, ending with W); the counts equal them."""
    weeks = week_range(WEEK, 12)
    rng = np.random.default_rng(seed)
    records: list[dict[str, Any]] = []
    counts: dict[str, dict[str, Counts]] = {}
    unit = 0
    for fam, per_week in priced_per_week.items():
        offset = len(weeks) - len(per_week)
        for k, n in enumerate(per_week):
            counts.setdefault(fam, {})[weeks[offset + k]] = Counts(new=n, active=n, closed=0)
            for _ in range(n):
                unit += 1
                base = 150_000 if fam == DS else 180_000
                records.append(
                    {
                        "unit": unit, "family": fam, "week": offset + k, "mid": base * float(rng.lognormal(0, 0.2)),
                        "annual_min": None, "annual_max": None, "seniority": str(rng.choice(["mid", "senior"])),
                        "workplace": "onsite", "location": "US", "company": f"c{unit % 40}",
                    }
                )
    return WeeklyInputs(
        week=WEEK, market="USD", families=(DS, MLE), weeks=weeks, counts=counts, priced=PricedRows.from_records(records)
    )


def test_a_thin_family_is_pooled_over_the_window_and_a_note_says_so() -> None:
    payload = build_payload(make_inputs({DS: [12, 12, 12, 12, 10], MLE: [40, 40, 40, 40, 40]}), PARAMS)
    ds = payload["families"][DS]
    assert ds["pay_window"] == {"from": "2026-W44", "to": "2026-W47", "weeks": 4, "pooled": True}
    assert ds["pay_n"] == 46
    assert payload["families"][MLE]["pay_window"]["pooled"] is False
    assert payload["families"][MLE]["pay_n"] == 40
    assert any("data_scientist: 10 priced postings in 2026-W47" in n and "pooled" in n for n in payload["notes"])
    gap = payload["gap"]
    assert gap["window"]["pooled"] is True  # one window for both families
    assert (gap["n_ds"], gap["n_mle"]) == (46, 160)
    assert gap["ci95"] is not None and gap["p_value"] is not None


def test_no_ci_or_p_value_from_fewer_than_min_n_even_after_pooling() -> None:
    payload = build_payload(make_inputs({DS: [3, 3, 3, 3, 3], MLE: [5, 5, 5, 5, 5]}), PARAMS)
    gap = payload["gap"]
    assert (gap["n_ds"], gap["n_mle"]) == (12, 20)
    assert gap["pct"] is not None  # the point estimate and n are always given
    for key in ("ci95", "ci95_abs", "p_value", "adjusted_pct", "adjusted_ci95"):
        assert gap[key] is None, key
    assert gap["window"]["weeks"] == 4
    assert payload["families"][DS]["pay_median_ci95"] is None
    assert payload["previous_week"]["gap"]["ci95"] is None
    assert any("withheld" in n for n in payload["notes"])
    assert payload["trend"]["slope_pct_per_week"] is None
    assert payload["trend"]["ci95"] is None
    assert any(n.startswith("trend:") for n in payload["notes"])


def test_enough_postings_in_the_week_are_not_pooled() -> None:
    payload = build_payload(make_inputs({DS: [30] * 12, MLE: [30] * 12}), PARAMS)
    assert payload["gap"]["window"] == {"from": WEEK, "to": WEEK, "weeks": 1, "pooled": False}
    assert payload["gap"]["ci95"][0] < payload["gap"]["pct"] < payload["gap"]["ci95"][1]
    assert payload["previous_week"]["gap"]["ci95"] is not None
    assert payload["families"][MLE]["pay_median_ci95"] is not None
    assert payload["trend"]["points_used"] == 12
    assert payload["trend"]["slope_pct_per_week"] is not None
    assert not any("pooled" in n for n in payload["notes"])


def test_an_empty_week_gives_nulls_and_zero_counts() -> None:
    payload = build_payload(make_inputs({DS: [0], MLE: [0]}), PARAMS)
    assert payload["families"][DS]["pay_n"] == 0
    assert payload["families"][DS]["pay_median"] is None
    assert payload["gap"]["pct"] is None and payload["gap"]["ci95"] is None
    assert payload["volume"]["ratio_mle_to_ds"] is None


def test_the_payload_is_identical_whatever_the_row_order() -> None:
    inputs = make_inputs({DS: [40] * 5, MLE: [35] * 5})
    first = build_payload(inputs, PARAMS)
    order = np.random.default_rng(3).permutation(len(inputs.priced))
    rows = inputs.priced
    inputs.priced = PricedRows(*(getattr(rows, name)[order] for name in rows.__dataclass_fields__))
    assert build_payload(inputs, PARAMS) == first
