"""Lever source: skip/limit paging, salaryRange, createdAt in ms."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.httpserver import FixtureServer, Reply, Request
from tests.sources.conftest import collect, fast_client, fixture_json, run
from tracker.errors import BoardGone, HTTPStatusFailure, SourceFormatError
from tracker.raw import RawPosting
from tracker.sources import build_source

PATH = "/v0/postings/spotify"


def paged(postings: list[dict[str, Any]]) -> Any:
    def reply(req: Request) -> Reply:
        assert req.query["mode"] == "json"
        skip, limit = int(req.query["skip"]), int(req.query["limit"])
        return Reply.json(postings[skip : skip + limit])

    return reply


def crawl(server: FixtureServer, page_size: int = 2) -> list[RawPosting]:
    source = build_source("lever", "lv", server.base_url, {"sites": ["spotify"], "page_size": page_size})

    async def go() -> list[RawPosting]:
        async with fast_client() as client:
            return await collect(source.crawl(client, "spotify"))

    return run(go())


def test_pages_are_read_until_a_short_page_and_each_posting_once(server: FixtureServer) -> None:
    data = fixture_json("lever_spotify_postings.json")
    server.route(PATH, paged(data))
    postings = crawl(server)
    assert [p.external_id for p in postings] == [p["id"] for p in data]
    assert [int(r.query["skip"]) for r in server.requests if r.path == PATH] == [0, 2, 4]


def test_an_exact_multiple_ends_on_an_empty_page(server: FixtureServer) -> None:
    data = fixture_json("lever_spotify_postings.json")[:4]
    server.route(PATH, paged(data))
    assert len(crawl(server)) == 4
    assert server.hits(PATH) == 3


def test_fields_and_raw_salary_range(server: FixtureServer) -> None:
    data = fixture_json("lever_spotify_postings.json")
    server.route(PATH, paged(data))
    by_title = {p.title: p for p in crawl(server)}
    ds = by_title["Data Scientist II"]
    assert ds.structured_pay == {
        "currency": "USD",
        "interval": "per-year-salary",
        "min": 120000,
        "max": 150000,
    }
    assert ds.pay_text == "$120,000 - $150,000 a year"
    assert ds.country == "US"
    assert ds.workplace == "remote"
    assert ds.location == "New York"
    assert ds.employment_type == "Full-time"
    assert ds.scope == "spotify"
    android = by_title["Android Engineer - Experience"]
    assert android.posted_at == datetime.fromtimestamp(1782214185.805, tz=UTC)
    assert android.structured_pay is None
    assert android.pay_text is None
    assert android.url == "https://jobs.lever.co/spotify/2193db3f-77c5-43b8-b030-8f92c9882bf1"
    assert android.description is not None and "<h3>What You'll Do</h3>" in android.description
    intern = by_title["ML Intern"]
    assert intern.structured_pay == {"currency": "USD", "interval": "per-hour-wage", "min": 0, "max": 0}


def test_a_server_ignoring_paging_still_ends_with_each_posting_once(server: FixtureServer) -> None:
    data = fixture_json("lever_spotify_postings.json")
    server.route(PATH, Reply.json(data))
    postings = crawl(server, page_size=2)
    assert len(postings) == len({p.external_id for p in postings}) == len(data)


def test_a_failing_second_page_fails_the_site(server: FixtureServer) -> None:
    data = fixture_json("lever_spotify_postings.json")
    ok = paged(data)
    server.route(PATH, lambda req: Reply(503) if req.query["skip"] == "2" else ok(req))
    with pytest.raises(HTTPStatusFailure):
        crawl(server)


def test_unknown_site_raises_board_gone(server: FixtureServer) -> None:
    with pytest.raises(BoardGone):
        crawl(server)


def test_an_object_instead_of_an_array_is_a_format_error(server: FixtureServer) -> None:
    server.route(PATH, Reply.json({"ok": False, "error": "Document not found"}))
    with pytest.raises(SourceFormatError, match="array"):
        crawl(server)
