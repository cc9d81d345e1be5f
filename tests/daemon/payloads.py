"""Weekly report payloads built by hand, so these tests do not depend on the analysis."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tracker.analyze.weeks import week_bounds
from tracker.store.db import transaction
from tracker.store.models import WeeklyReport

XSS = "<script>alert(1)</script>"


def make_payload(
    week: str, *, pct: float | None = 12.345, prev_pct: float | None = 10.0, market: str = "USD"
) -> dict[str, Any]:
    """A payload with every key the email reads; pct None means withheld for small n."""
    return {
        "week": week,
        "market": market,
        "window_weeks": 4,
        "families": {
            "data_scientist": {
                "new": 41,
                "active": 300,
                "closed": 20,
                "pay_n": 35,
                "pay_median": 150000.0,
                "pay_p25": 130000.0,
                "pay_p75": 175000.0,
                "pay_share": 0.5123,
            },
            "ml_engineer": {
                "new": 52,
                "active": 310,
                "closed": 18,
                "pay_n": 40,
                "pay_median": 168500.0,
                "pay_p25": 145000.0,
                "pay_p75": 195000.0,
                "pay_share": 0.6,
            },
            "data_analyst": {
                "new": 3,
                "active": 10,
                "closed": 1,
                "pay_n": 2,
                "pay_median": None,
                "pay_p25": None,
                "pay_p75": None,
                "pay_share": None,
            },
        },
        "gap": {
            "mle_minus_ds": 18500.0,
            "pct": pct,
            "ci95": [4.25, 20.5] if pct is not None else None,
            "p_value": 0.01,
            "adjusted_pct": 8.75 if pct is not None else None,
            "adjusted_ci95": [1.5, 16.0] if pct is not None else None,
            "n_ds": 35,
            "n_mle": 40,
        },
        "previous_week": {"gap": {"pct": prev_pct}},
        "trend": {"slope_pct_per_week": 0.3, "ci95": [-0.2, 0.8]},
        "volume": {"ds_new": 41, "mle_new": 52, "ratio_mle_to_ds": 1.2683, "ratio_change": 0.05},
        "skills": {
            "data_scientist": [{"skill": "python", "share": 0.8}, {"skill": "sql", "share": 0.6}],
            "ml_engineer": [{"skill": "pytorch", "share": 0.7}, {"skill": XSS, "share": 0.1}],
        },
        "skill_movers": {"ml_engineer": [{"skill": "kubernetes", "change_pp": 4.5}]},
        "distinctive": [{"skill": "pytorch", "log_odds_z": 3.2}, {"skill": "tableau", "log_odds_z": -2.7}],
        "framing": {
            "data_scientist": {"masculine_per_1k": 4.1, "feminine_per_1k": 3.2},
            "ml_engineer": {"masculine_per_1k": 5.0, "feminine_per_1k": None},
        },
        "notes": [f"a posting titled {XSS} was seen"],
    }


def store_report(sessions: sessionmaker[Session], payload: dict[str, Any]) -> None:
    """Store a payload as the week's report, computed just after the week ended (so it is not recomputed)."""
    gap = payload["gap"]
    with transaction(sessions) as session:
        session.add(
            WeeklyReport(
                iso_week=payload["week"],
                market=payload["market"],
                computed_at=week_bounds(payload["week"])[1] + timedelta(hours=1),
                gap_pct=gap["pct"],
                adjusted_pct=gap["adjusted_pct"],
                payload=payload,
            )
        )
