"""`tracker report` in a subprocess against a migrated database with data; renderings escape untrusted text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from tests.analyze.factories import Factory, Job
from tracker.report import render_html, render_text
from tracker.store import db as store_db

ROOT = Path(__file__).resolve().parents[2]
WEEK, MONDAY = "2026-W47", datetime(2026, 11, 16, tzinfo=UTC)


def run_cli(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    if url:
        env["TRACKER_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def seed(url: str) -> None:
    rng = np.random.default_rng(4)
    engine = store_db.make_engine(url)
    with store_db.session_factory(engine)() as session, session.begin():
        jobs = [
            Job(
                family=fam,
                first_seen_at=MONDAY - timedelta(weeks=int(w)) + timedelta(hours=float(h)),
                annual_mid=float(base * rng.lognormal(0, 0.2)),
                seniority=str(rng.choice(["mid", "senior"])),
                company=f"c{i % 25}",
                skills=["python", "<script>alert(1)</script>"] if fam == "ml_engineer" else ["sql"],
                description="Ambitious, collaborative <b>team</b>.",
            )
            for fam, base in (("data_scientist", 150_000), ("ml_engineer", 185_000))
            for i, (w, h) in enumerate(zip(rng.integers(0, 3, 120), rng.uniform(0, 167, 120), strict=True))
        ]
        Factory(session).add(jobs)
    engine.dispose()


def test_report_json_in_a_subprocess_prints_and_stores_the_payload(db_url: str) -> None:
    seed(db_url)
    out = run_cli("report", "--week", WEEK, "--market", "usd", "--format", "json", url=db_url)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert (payload["week"], payload["market"], payload["window_weeks"]) == (WEEK, "USD", 4)
    assert payload["families"]["ml_engineer"]["new"] > 30
    assert payload["gap"]["ci95"] is not None and payload["gap"]["pct"] > 0
    if not db_url.startswith("sqlite"):
        return  # the renderings do not depend on the backend: run them once
    html = run_cli("report", "--week", WEEK, "--format", "html", url=db_url)
    assert html.returncode == 0, html.stderr
    assert "<script>alert" not in html.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.stdout
    text = run_cli("report", "--week", WEEK, url=db_url)
    assert text.returncode == 0 and "ML engineer vs data scientist" in text.stdout


def test_bad_week_exits_2_with_one_line() -> None:
    for bad in ("2026-47", "2026-W60"):
        out = run_cli("report", "--week", bad)
        assert out.returncode == 2
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "--week" in lines[0], out.stderr


def test_an_unmigrated_database_is_a_one_line_error(tmp_path: Path) -> None:
    out = run_cli("report", "--week", WEEK, url=f"sqlite:///{tmp_path / 'empty.db'}")
    assert out.returncode == 1
    assert "tracker db upgrade" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_renderings_escape_untrusted_text_and_show_nulls_as_dashes() -> None:
    payload = {
        "week": WEEK, "market": "USD", "window_weeks": 4, "min_n": 30, "timezone": "UTC", "pay_sources": ["employer"],
        "families": {}, "volume": {"ratio_mle_to_ds": None, "ratio_change": None},
        "gap": {"mle_minus_ds": None, "pct": None, "ci95": None, "p_value": None, "adjusted_pct": None,
                "adjusted_ci95": None, "n_ds": 0, "n_mle": 0, "window": {"from": WEEK, "to": WEEK, "weeks": 1}},
        "previous_week": {"week": "2026-W46", "gap": {"pct": None}},
        "trend": {"weeks": 12, "slope_pct_per_week": None, "ci95": None},
        "skills": {"ml_engineer": [{"skill": "<img src=x onerror=alert(1)>", "share": 0.5}]},
        "distinctive": [], "framing": {}, "notes": ["company <i>Evil</i> & co"],
    }
    html = render_html(payload)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;i&gt;Evil&lt;/i&gt; &amp; co" in html
    text = render_text(payload)
    assert "median gap: - (-)" in text
