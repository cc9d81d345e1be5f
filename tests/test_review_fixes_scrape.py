"""Review fixes: a scope that was not read completely must close nothing.

A. a LinkedIn search cut at the result cap raises ListingTruncated after yielding what it read;
B. a posting that fails normalization makes its scope an error (the good ones are still stored);
C. a JSON-LD page whose ld+json blocks are all invalid JSON is a format error, not "no postings".
Each is checked at the source and end to end through `scrape` on both database backends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import tracker.pipeline as pipeline
import tracker.sources.linkedin as linkedin
from tests.httpserver import FixtureServer, Reply, Request
from tests.sources.conftest import collect, fast_client, fixture_text, run
from tracker.config import Settings, settings_from_mapping
from tracker.errors import SourceFormatError
from tracker.normalize import Posting as NormalizedPosting
from tracker.pipeline import scrape
from tracker.raw import RawPosting
from tracker.sources import SourceHooks, build_source
from tracker.sources.jsonld import postings_from_html
from tracker.sources.linkedin import DETAIL_PATH, SEARCH_PATH
from tracker.store import db as store_db
from tracker.store.models import Posting, ScrapeRun

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "sources" / "fixtures"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
AGENT = "tracker-tests/1 (+mailto:ci@tracker.invalid)"


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as srv:
        yield srv


def _sessions(db_url: str) -> tuple[Any, Any]:
    engine = store_db.make_engine(db_url)
    return engine, store_db.session_factory(engine)


def _settings(db_url: str, source: dict[str, Any]) -> Settings:
    return settings_from_mapping(
        {
            "database": {"url": db_url},
            "scrape": {"user_agent": AGENT, "per_host_rate": 1000.0, "max_retries": 0, "timeout_s": 5.0},
            "sources": [source],
        },
        {},
    )


def _posting(sessions: Any, external_id: str) -> Posting:
    with sessions() as session:
        posting = session.scalars(select(Posting).where(Posting.external_id == external_id)).one()
        session.expunge(posting)
        return posting


def _count(sessions: Any, *where: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Posting).where(*where)) or 0)


def _last_run_error(sessions: Any) -> str:
    with sessions() as session:
        run_row = session.scalars(select(ScrapeRun).order_by(ScrapeRun.id.desc())).first()
        assert run_row is not None
        return run_row.error or ""


# --- A. LinkedIn search cut at the result cap --------------------------------------------------------

CARD = (
    '<li><div class="base-card base-search-card job-search-card" data-entity-urn="urn:li:jobPosting:{id}">'
    '<a class="base-card__full-link" href="https://www.linkedin.com/jobs/view/{id}">'
    '<span class="sr-only">Machine Learning Engineer</span></a><div class="base-search-card__info">'
    '<h3 class="base-search-card__title">Machine Learning Engineer</h3>'
    '<h4 class="base-search-card__subtitle"><a class="hidden-nested-link" href="https://x.invalid/c">Acme</a></h4>'
    '<div class="base-search-card__metadata"><span class="job-search-card__location">Austin, Texas, United States</span>'
    '<time class="job-search-card__listdate--new" datetime="2026-11-01">1 day ago</time></div></div></div></li>'
)
DETAIL = (
    '<section><h2 class="top-card-layout__title">Machine Learning Engineer</h2></section>'
    '<div class="show-more-less-html__markup"><p>Train models in PyTorch.</p></div>'
)
OLD_ID = "4100000001"


def _endless(req: Request) -> Reply:
    """25 new cards on every page, however far the search goes."""
    start = int(req.query["start"])
    return Reply.html("\n".join(CARD.format(id=9_000_000 + start + i) for i in range(25)))


def test_review_fixes_linkedin_search_ending_on_a_blank_page_completes(server: FixtureServer) -> None:
    server.route(
        SEARCH_PATH, lambda req: Reply.html(CARD.format(id=OLD_ID) if req.query["start"] == "0" else "")
    )
    source = build_source(
        "linkedin",
        "li",
        server.base_url,
        {"queries": ["q"], "locations": ["US"], "respect_robots": False},
        SourceHooks(needs_detail=lambda p: False),
    )

    async def go() -> list[RawPosting]:
        async with fast_client() as client:
            return await collect(source.crawl(client, "q @ US"))

    assert [p.external_id for p in run(go())] == [OLD_ID]


def test_review_fixes_truncated_linkedin_search_stores_what_it_read_and_closes_nothing(
    server: FixtureServer, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkedin, "MAX_START", 50)  # the cap, made small: two pages of 25
    server.route(DETAIL_PATH.format(id=OLD_ID), Reply.html(DETAIL))
    for n in range(50):
        server.route(DETAIL_PATH.format(id=9_000_000 + n), Reply.html(DETAIL))
    server.route(
        SEARCH_PATH, lambda req: Reply.html(CARD.format(id=OLD_ID) if req.query["start"] == "0" else "")
    )
    settings = _settings(
        db_url,
        {
            "kind": "linkedin",
            "name": "li",
            "base_url": server.url(""),
            "queries": ["ml engineer"],
            "locations": ["US"],
        },
    )
    engine, sessions = _sessions(db_url)
    first = scrape(settings, sessions, now=lambda: T0)
    assert first[0].status == "ok"
    server.route(SEARCH_PATH, _endless)  # now more results than the cap; OLD_ID would be past it
    later = T0 + timedelta(hours=6)
    [result] = scrape(settings, sessions, now=lambda: later)
    assert result.status == "failed" and result.closed == 0
    assert "search stopped at 50 results" in result.errors[0] and "nothing closed" in result.errors[0]
    assert "search stopped at 50 results" in _last_run_error(sessions)
    assert _count(sessions) == 51 and result.counts.new == 50  # what was read is stored
    assert _posting(sessions, OLD_ID).closed_at is None
    engine.dispose()


# --- B. a posting that fails normalization ------------------------------------------------------------

BAD_ID = "7001001004"


def _greenhouse(server: FixtureServer) -> None:
    def load(name: str) -> Any:
        return json.loads((FIXTURES / name).read_text())

    server.route("/v1/boards/vercel/jobs", Reply.json(load("greenhouse_vercel_list.json")))
    for job_id in ("7001001004", "7002002004"):
        server.route(
            f"/v1/boards/vercel/jobs/{job_id}", Reply.json(load(f"greenhouse_vercel_detail_{job_id}.json"))
        )
    server.route("/v1/boards/empty/jobs", Reply.json({"jobs": [], "meta": {"total": 0}}))


def test_review_fixes_a_posting_that_fails_normalization_keeps_its_scope_open(
    server: FixtureServer, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _greenhouse(server)
    settings = _settings(
        db_url,
        {"kind": "greenhouse", "name": "gh", "base_url": server.url(""), "boards": ["vercel", "empty"]},
    )
    engine, sessions = _sessions(db_url)
    first = scrape(settings, sessions, now=lambda: T0)
    assert first[0].status == "ok" and _count(sessions) == 4

    real = pipeline.normalize_posting

    def flaky(raw: RawPosting) -> NormalizedPosting:
        if raw.external_id == BAD_ID:
            raise ValueError("simulated normalization bug")
        return real(raw)

    monkeypatch.setattr(pipeline, "normalize_posting", flaky)
    later = T0 + timedelta(days=1)
    [result] = scrape(settings, sessions, now=lambda: later)
    assert result.status == "partial" and result.closed == 0
    [error] = result.errors
    assert error.startswith("vercel: 1 posting(s) could not be normalized") and BAD_ID in error
    assert "simulated normalization bug" in _last_run_error(sessions)
    bad = _posting(sessions, BAD_ID)
    assert bad.closed_at is None and bad.last_seen_at == T0  # not seen, and not closed either
    good = _posting(sessions, "7002002004")
    assert good.closed_at is None and good.last_seen_at == later  # the good ones are stored
    assert _count(sessions, Posting.closed_at.is_not(None)) == 0
    engine.dispose()


# --- C. JSON-LD page whose blocks are all invalid ---------------------------------------------------

TRUNCATED = (
    '<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": "JobPosting",'
    ' "title": "Senior Machine Lear</script></head><body></body></html>'
)


def test_review_fixes_jsonld_page_with_only_invalid_blocks_is_a_format_error() -> None:
    with pytest.raises(SourceFormatError, match="none is valid JSON"):
        postings_from_html(TRUNCATED, "https://x.example/j", "jsonld", "s", source="ld")
    two_bad = TRUNCATED.replace("</head>", '<script type="application/ld+json">{oops</script></head>')
    with pytest.raises(SourceFormatError, match="2 ld\\+json block"):
        postings_from_html(two_bad, "https://x.example/j", "jsonld", "s")


def test_review_fixes_jsonld_valid_blocks_without_posting_and_pages_without_blocks_are_empty() -> None:
    assert (
        postings_from_html(fixture_text("jsonld_no_posting.html"), "https://x.example/j", "jsonld", "s") == []
    )
    assert (
        postings_from_html("<html><body>No JSON-LD here</body></html>", "https://x.example/j", "jsonld", "s")
        == []
    )
    # one invalid block next to a valid one: the valid one is read (as before)
    mixed = fixture_text("jsonld_careers_graph.html")
    assert [p.title for p in postings_from_html(mixed, "https://x.example/j", "jsonld", "s")] == [
        "Senior Machine Learning Engineer"
    ]


def test_review_fixes_truncated_jsonld_page_closes_nothing(server: FixtureServer, db_url: str) -> None:
    server.route("/jobs/mle-42", Reply.html(fixture_text("jsonld_careers_graph.html")))
    settings = _settings(
        db_url, {"kind": "jsonld", "name": "ld", "base_url": server.url(""), "urls": ["/jobs/mle-42"]}
    )
    engine, sessions = _sessions(db_url)
    assert scrape(settings, sessions, now=lambda: T0)[0].status == "ok"
    assert _count(sessions) == 1
    server.route("/jobs/mle-42", Reply.html(TRUNCATED))
    [result] = scrape(settings, sessions, now=lambda: T0 + timedelta(days=1))
    assert result.status == "failed" and result.closed == 0
    assert "none is valid JSON" in result.errors[0] and "source ld" in result.errors[0]
    assert _count(sessions, Posting.closed_at.is_not(None)) == 0
    server.route("/jobs/mle-42", Reply.html(fixture_text("jsonld_no_posting.html")))
    [gone] = scrape(settings, sessions, now=lambda: T0 + timedelta(days=2))
    assert gone.status == "ok" and gone.closed == 1  # a valid page without the posting still closes it
    engine.dispose()
