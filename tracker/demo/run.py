"""`make demo`: the whole product offline, on a replay of all five source kinds.

Starts a local replay server on 127.0.0.1 serving the deterministic demo world (tracker.demo.world),
scrapes it week by week into a fresh SQLite database `demo/tracker.db` with a simulated clock,
computes each week's report, prints the latest one, and writes the summary email, its HTML and the
chart under `demo/out/`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.config import Settings, settings_from_mapping
from tracker.demo import world as demo_world
from tracker.demo.replay import ReplayServer
from tracker.demo.world import World

DEMO_DIR = Path("demo")


def _fixed(when: datetime) -> Callable[[], datetime]:
    """A clock stopped at `when`."""
    return lambda: when


def demo_settings(base_url: str, db_url: str, world: World) -> Settings:
    """Settings pointing every source at the replay server."""
    sources: list[dict[str, Any]] = [
        {"kind": "greenhouse", "name": "greenhouse", "base_url": base_url, "boards": world.boards("greenhouse")},
        {"kind": "lever", "name": "lever", "base_url": base_url, "sites": world.boards("lever"), "page_size": 25},
        {"kind": "ashby", "name": "ashby", "base_url": base_url, "boards": world.boards("ashby")},
        {
            "kind": "linkedin",
            "name": "linkedin",
            "base_url": base_url,
            "queries": ["data scientist", "machine learning engineer"],
            "locations": ["United States"],
            # a window wider than any job's life, so every open job is listed and closing stays exact
            "recency_hours": 24 * 60,
        },
    ]
    for board in world.boards("jsonld"):
        sources.append({"kind": "jsonld", "name": f"careers-{board}", "base_url": base_url, "sitemap": f"{base_url}/careers/{board}/sitemap.xml"})
    return settings_from_mapping(
        {
            "database": {"url": db_url},
            "scrape": {
                "user_agent": "tracker-demo/0.1 (+mailto:demo@tracker.invalid)",
                "per_host_rate": 2000.0,
                "max_concurrency": 16,
                "timeout_s": 10.0,
                "max_retries": 1,
            },
            "sources": sources,
            "report": {"timezone": "UTC", "market": "USD"},
            "email": {"from": "tracker-demo@localhost", "to": ["you@localhost"], "security": "none", "smtp_port": 25},
        },
        {},
    )


def run(out_dir: Path = DEMO_DIR, *, stream: Any = None, seed: int | None = None) -> dict[str, Any]:
    """Run the whole demo; return what it produced (paths, the latest report, the planted truth)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from tracker.pipeline import scrape
    from tracker.store import db as store_db

    console = Console(file=stream or sys.stdout)
    if seed is None:
        seed = int(os.environ.get("TRACKER_DEMO_SEED", demo_world.SEED))
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    for leftover in out_dir.glob("tracker.db*"):
        leftover.unlink()
    shutil.rmtree(out_dir / "out", ignore_errors=True)
    (out_dir / "out").mkdir()
    db_path = out_dir / "tracker.db"
    db_url = f"sqlite:///{db_path}"
    store_db.upgrade(db_url)
    world = World(seed)
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    produced: dict[str, Any] = {"database": str(db_path), "weeks": [], "truth": world.planted_truth()}
    with ReplayServer(world) as server:
        settings = demo_settings(server.base_url, db_url, world)
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} weeks"),
            TimeElapsedColumn(), console=console, transient=False,
        ) as progress:
            task = progress.add_task("scraping 5 source kinds", total=demo_world.WEEKS)
            for index in range(demo_world.WEEKS):
                when = demo_world.scrape_time(index)
                server.set_time(when)
                results = scrape(settings, sessions, now=_fixed(when))
                failed = [r for r in results if r.status != "ok"]
                if failed:
                    raise RuntimeError(f"demo scrape failed: {failed[0].name}: {failed[0].errors[:1]}")
                new = sum(r.counts.new for r in results)
                progress.update(task, advance=1, description=f"scraped {demo_world.week_label(index)} (+{new} postings)")
                produced["weeks"].append(demo_world.week_label(index))
        produced["requests"] = server.requests
    produced["scrape_seconds"] = round(time.perf_counter() - started, 1)
    _report_and_email(settings, engine, sessions, produced, out_dir / "out", console)
    engine.dispose()
    produced["seconds"] = round(time.perf_counter() - started, 1)
    _closing(produced, console)
    return produced


def _report_and_email(settings: Settings, engine: Any, sessions: Any, produced: dict[str, Any], out: Path, console: Any) -> None:
    """Compute every week's report, print the latest, write the email files (as far as those stages exist)."""
    try:
        from tracker.reporting import compute_report, store_report
    except ImportError:
        console.print("(the weekly analysis is not installed in this build; skipping reports)")
        return
    from tracker.store.db import transaction

    payload: dict[str, Any] = {}
    for week in produced["weeks"]:
        with transaction(sessions) as session:
            payload = compute_report(session, week=week, market=settings.report.market, settings=settings.report)
            store_report(session, payload)
    produced["report"] = payload
    (out / f"report-{payload['week']}.json").write_text(json.dumps(payload, indent=2, default=str))
    try:
        from tracker.report.text import render_text

        console.print(render_text(payload))
    except ImportError:
        console.print_json(json.dumps(payload, default=str))
    truth = produced["truth"].get(payload["week"], {})
    if truth:
        console.print(
            f"planted story for {payload['week']}: raw gap {truth['raw_gap_pct']:.1f} %, "
            f"within-level gap {truth['adjusted_gap_pct']:.1f} %, "
            f"new DS {truth['ds_new']:.0f}, new MLE {truth['mle_new']:.0f}"
        )
    produced["email"] = write_email_files(settings, sessions, payload["week"], out)


def write_email_files(settings: Settings, sessions: Any, week: str, out: Path) -> dict[str, str]:
    """The week's summary as .eml, as a standalone .html next to its chart PNG; returns the paths."""
    from email.message import EmailMessage

    from tracker.deliveries import load_summary
    from tracker.report.email import build_message

    with sessions() as session:
        summary = load_summary(session, week, settings.report.market, settings.report.timezone)
    if summary is None:
        return {}
    msg = build_message(
        summary, from_addr=settings.email.from_addr, to=list(settings.email.to), now=demo_world.scrape_time(demo_world.WEEKS)
    )
    eml = out / f"summary-{week}.eml"
    eml.write_bytes(msg.as_bytes())
    html_text, png, cid = "", b"", ""
    for part in msg.walk():
        if not isinstance(part, EmailMessage):
            continue
        if part.get_content_type() == "text/html":
            html_text = str(part.get_content())
        elif part.get_content_type() == "image/png":
            png, cid = bytes(part.get_content()), str(part["Content-ID"]).strip("<>")
    chart = out / f"chart-{week}.png"
    chart.write_bytes(png)
    page = out / f"summary-{week}.html"
    page.write_text(html_text.replace(f"cid:{cid}", chart.name), encoding="utf-8")
    return {"email": str(eml), "html": str(page), "chart": str(chart)}


def _closing(produced: dict[str, Any], console: Any) -> None:
    db = produced["database"]
    console.print(f"\ndone in {produced['seconds']} s ({produced.get('requests', 0)} requests to the local replay server)")
    console.print(f"database: {db}")
    for label, path in (produced.get("email") or {}).items():
        console.print(f"{label}: {path}")
    console.print(f"query it directly: sqlite3 {db} 'select * from v_weekly_family'")


def main() -> int:
    """Entry point of `python -m tracker.demo`."""
    from tracker.logs import setup_logging

    setup_logging("text")
    run()
    return 0
