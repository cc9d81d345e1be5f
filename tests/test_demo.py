"""`make demo` end to end: the replayed sources, the planted story recovered within its CIs, the email files."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tracker.demo.world import WEEKS, World, week_label

ROOT = Path(__file__).resolve().parents[1]
LATEST = week_label(WEEKS - 1)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run `python -m tracker.demo` once in a scratch folder, as `make demo` does."""
    cwd = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    out = subprocess.run(
        [sys.executable, "-m", "tracker.demo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return {"cwd": cwd, "stdout": out.stdout, "db": cwd / "demo" / "tracker.db", "out": cwd / "demo" / "out"}


def _reports(db: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(db) as con:
        return {week: json.loads(payload) for week, payload in con.execute("select iso_week, payload from weekly_reports")}


def test_every_source_kind_was_scraped(demo_run: dict[str, Any]) -> None:
    with sqlite3.connect(demo_run["db"]) as con:
        kinds = dict(
            con.execute("select s.kind, count(*) from postings p join sources s on s.id = p.source_id group by s.kind")
        )
        failed = con.execute("select count(*) from scrape_runs where status != 'ok'").fetchone()[0]
    assert set(kinds) == {"greenhouse", "lever", "ashby", "linkedin", "jsonld"}
    assert all(count > 20 for count in kinds.values()), kinds
    assert failed == 0


def test_latest_report_recovers_the_planted_story(demo_run: dict[str, Any]) -> None:
    truth = World().planted_truth()[LATEST]
    report = _reports(demo_run["db"])[LATEST]
    assert report["families"]["data_scientist"]["new"] == truth["ds_new"]
    assert report["families"]["ml_engineer"]["new"] == truth["mle_new"]
    lo, hi = report["gap"]["ci95"]
    assert lo <= truth["raw_gap_pct"] <= hi
    lo, hi = report["gap"]["adjusted_ci95"]
    assert lo <= truth["adjusted_gap_pct"] <= hi
    assert report["gap"]["adjusted_pct"] < report["gap"]["pct"]  # MLE postings are more senior: composition


def test_gap_intervals_cover_the_truth_in_most_weeks(demo_run: dict[str, Any]) -> None:
    truth = World().planted_truth()
    reports = _reports(demo_run["db"])
    assert set(reports) == {week_label(i) for i in range(WEEKS)}
    raw = sum(r["gap"]["ci95"][0] <= truth[w]["raw_gap_pct"] <= r["gap"]["ci95"][1] for w, r in reports.items())
    adjusted = sum(
        r["gap"]["adjusted_ci95"][0] <= truth[w]["adjusted_gap_pct"] <= r["gap"]["adjusted_ci95"][1]
        for w, r in reports.items()
    )
    assert raw >= WEEKS - 2 and adjusted >= WEEKS - 2, (raw, adjusted)


def test_terminal_shows_the_report_and_where_things_are(demo_run: dict[str, Any]) -> None:
    text = demo_run["stdout"]
    assert f"Weekly report {LATEST}" in text
    assert "ML engineer vs data scientist" in text
    assert "sqlite3 demo/tracker.db 'select * from v_weekly_family'" in text
    assert f"demo/out/summary-{LATEST}.eml" in text


def test_views_answer_on_the_demo_database(demo_run: dict[str, Any]) -> None:
    with sqlite3.connect(demo_run["db"]) as con:
        rows = con.execute(
            "select family, new, median_annual_mid from v_weekly_family where iso_week = ? and family in "
            "('data_scientist', 'ml_engineer') order by family",
            (LATEST,),
        ).fetchall()
    report = _reports(demo_run["db"])[LATEST]
    assert [(f, n) for f, n, _ in rows] == [
        ("data_scientist", report["families"]["data_scientist"]["new"]),
        ("ml_engineer", report["families"]["ml_engineer"]["new"]),
    ]
    assert all(median and median > 50_000 for _, _, median in rows)


def test_email_file_is_readable_with_inline_chart(demo_run: dict[str, Any]) -> None:
    eml = demo_run["out"] / f"summary-{LATEST}.eml"
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    html_part = msg.get_body(preferencelist=("html",))
    text_part = msg.get_body(preferencelist=("plain",))
    assert html_part is not None and text_part is not None
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    cid = str(images[0]["Content-ID"]).strip("<>")
    html = html_part.get_content()
    assert f"cid:{cid}" in html and "<script" not in html.lower()
    assert (demo_run["out"] / f"chart-{LATEST}.png").stat().st_size > 10_000
    page = (demo_run["out"] / f"summary-{LATEST}.html").read_text()
    assert f"chart-{LATEST}.png" in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_summary_html_renders_in_headless_chromium(demo_run: dict[str, Any], tmp_path: Path) -> None:
    page = demo_run["out"] / f"summary-{LATEST}.html"
    shot = tmp_path / "summary.png"
    profile = tmp_path / "profile"
    out = subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--window-size=900,1600", f"--screenshot={shot}", page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 command-line shell is not installed")
def test_readme_query_runs_on_the_demo_database(demo_run: dict[str, Any]) -> None:
    out = subprocess.run(
        ["sqlite3", "demo/tracker.db", "select * from v_weekly_family"], cwd=demo_run["cwd"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert f"{LATEST}|" in out.stdout and "|ml_engineer|" in out.stdout
