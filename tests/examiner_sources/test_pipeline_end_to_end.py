"""All five sources through `tracker.pipeline.scrape` into a SQLite file, against the examiner's imitation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.examiner_sources import imitation
from tests.httpserver import FixtureServer, Reply
from tracker.config import Settings, settings_from_mapping
from tracker.pipeline import scrape
from tracker.store import db as store_db
from tracker.store.models import Posting, ScrapeRun, Source

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def world() -> Iterator[FixtureServer]:
    with FixtureServer(max_lifetime_s=60) as srv:
        imitation.install_greenhouse(srv)
        imitation.install_lever(srv)
        imitation.install_ashby(srv)
        imitation.install_linkedin(srv)
        imitation.install_jsonld(srv)
        yield srv


def _settings(srv: FixtureServer, url: str, li_queries: list[str]) -> Settings:
    base = srv.url("")
    return settings_from_mapping(
        {
            "database": {"url": url},
            "scrape": {"user_agent": "tracker-examiner/1 (+mailto:examiner@tracker.invalid)", "per_host_rate": 500.0,
                       "max_retries": 2, "timeout_s": 3.0, "retry_after_cap_s": 1.0},
            "sources": [
                {"kind": "greenhouse", "name": "gh", "base_url": base, "boards": ["acme", "quiet"]},
                {"kind": "lever", "name": "lv", "base_url": base, "sites": ["beacon"], "page_size": 3},
                {"kind": "ashby", "name": "ab", "base_url": base, "boards": ["cobalt"]},
                {"kind": "linkedin", "name": "li", "base_url": base, "respect_robots": False,
                 "queries": li_queries, "locations": ["Toronto"], "recency_hours": 24 * 30},
                {"kind": "jsonld", "name": "ld", "base_url": base,
                 "urls": ["/careers/1", "/careers/2", "/careers/3"], "sitemap": "/sitemap.xml"},
            ],
        },
        {},
    )


def _rows(sessions: Any) -> dict[tuple[str, str], Posting]:
    with sessions() as session:
        out: dict[tuple[str, str], Posting] = {}
        for posting, source in session.execute(select(Posting, Source).join(Source, Posting.source_id == Source.id)):
            key = (source.name, posting.external_id)
            assert key not in out, f"stored twice: {key}"
            out[key] = posting
        return out


def test_every_source_end_to_end(world: FixtureServer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ex.db'}"
    store_db.upgrade(url)
    engine = store_db.make_engine(url)
    sessions = store_db.session_factory(engine)
    settings = _settings(world, url, ["data scientist"])
    first = {r.name: r for r in scrape(settings, sessions, now=lambda: T0)}
    assert {n: r.status for n, r in first.items()} == dict.fromkeys(("gh", "lv", "ab", "li", "ld"), "ok"), {
        n: r.errors for n, r in first.items()
    }
    rows = _rows(sessions)
    per_source = {name: sum(1 for (n, _) in rows if n == name) for name in ("gh", "lv", "ab", "li", "ld")}
    assert per_source == {"gh": 5, "lv": 6, "ab": 5, "li": 41, "ld": 6}
    ds = rows[("gh", "5100001")]
    assert ds.company == "Acme Analytics" and ds.pay_currency == "USD" and ds.pay_period == "year"
    assert ds.family == "data_scientist" and ds.country == "US"
    li_first = rows[("li", str(imitation.li_jobs()[0][0]))]
    assert (li_first.pay_min, li_first.pay_max, li_first.pay_currency) == (116002, 137000, "USD")
    assert rows[("lv", "a1b2c3d4-0000-4000-8000-000000000004")].pay_min is None
    ld_ds = next(v for (src, ext), v in rows.items() if src == "ld" and ext.endswith(":DS-1001"))
    assert ld_ds.annual_min == 140000
    for key, row in rows.items():
        assert row.title_raw, key
        assert row.first_seen_at is not None and row.closed_at is None, key

    # second run: nothing new, nothing closed; LinkedIn details not fetched again for unchanged cards
    detail_hits = sum(1 for r in world.requests if "/jobPosting/" in r.path)
    second = scrape(settings, sessions, now=lambda: T0 + timedelta(hours=6))
    assert all(r.status == "ok" for r in second) and sum(r.counts.new for r in second) == 0
    assert sum(1 for r in world.requests if "/jobPosting/" in r.path) == detail_hits
    assert len(_rows(sessions)) == len(rows)

    # a blocked LinkedIn search and a gone board are errors: recorded, and nothing of theirs is closed
    world.route("/v1/boards/acme/jobs", Reply(status=503))
    blocked = _settings(world, url, ["data scientist"])
    world.route("/jobs-guest/jobs/api/seeMoreJobPostings/search",
                Reply.redirect("/authwall?trk=guest_homepage"))
    third = {r.name: r for r in scrape(blocked, sessions, now=lambda: T0 + timedelta(days=1))}
    assert third["li"].status == "failed" and third["gh"].status == "partial"
    assert third["lv"].status == "ok"
    after = _rows(sessions)
    assert all(row.closed_at is None for (name, _), row in after.items() if name in ("li", "gh"))
    with sessions() as session:
        runs = [r for r in session.scalars(select(ScrapeRun)) if r.status == "failed"]
        assert runs and any("authwall" in (r.error or "").lower() or "blocked" in (r.error or "").lower() for r in runs)
    engine.dispose()
