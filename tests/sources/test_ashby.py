"""Ashby source: includeCompensation, unlisted jobs dropped, compensation passed raw."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.httpserver import FixtureServer, Reply
from tests.sources.conftest import collect, fast_client, fixture_json, run
from tracker.errors import BoardGone, SourceFormatError
from tracker.raw import RawPosting
from tracker.sources import build_source

PATH = "/posting-api/job-board/linear"


def crawl(server: FixtureServer) -> list[RawPosting]:
    source = build_source("ashby", "ab", server.base_url, {"boards": ["linear"]})

    async def go() -> list[RawPosting]:
        async with fast_client() as client:
            return await collect(source.crawl(client, "linear"))

    return run(go())


def test_listed_jobs_are_yielded_once_and_unlisted_dropped(server: FixtureServer) -> None:
    server.route(PATH, Reply.json(fixture_json("ashby_linear_board.json")))
    postings = crawl(server)
    ids = [p.external_id for p in postings]
    assert len(ids) == len(set(ids)) == 3
    assert "5b0e3c1a-2222-4aaa-8bbb-000000000002" not in ids
    assert server.requests[-1].query == {"includeCompensation": "true"}


def test_fields_and_raw_compensation(server: FixtureServer) -> None:
    board = fixture_json("ashby_linear_board.json")
    server.route(PATH, Reply.json(board))
    by_id = {p.external_id: p for p in crawl(server)}
    mle = by_id["5b0e3c1a-1111-4aaa-8bbb-000000000001"]
    assert mle.title == "Senior Machine Learning Engineer"
    assert mle.structured_pay == board["jobs"][2]["compensation"]
    assert mle.employment_type == "FullTime"
    assert mle.workplace == "Hybrid"
    assert mle.country == "United States"
    assert mle.location == "San Francisco"
    assert mle.posted_at == datetime(2026, 9, 10, 12, 0, tzinfo=UTC)
    assert mle.url == "https://jobs.ashbyhq.com/linear/5b0e3c1a-1111-4aaa-8bbb-000000000001"
    europe = by_id["d3bc1ced-3ce4-4086-a050-555055dbb1ff"]
    assert europe.workplace == "Remote"
    assert europe.country == "European Union"
    assert europe.structured_pay == board["jobs"][0]["compensation"]
    assert europe.description is not None and europe.description.startswith("<p")


def test_unknown_board_raises_board_gone(server: FixtureServer) -> None:
    with pytest.raises(BoardGone):
        crawl(server)


def test_truncated_board_raises(server: FixtureServer) -> None:
    server.route(
        PATH, Reply(200, b'{"apiVersion": "1", "jobs": [{"id": "x"', {"Content-Type": "application/json"})
    )
    with pytest.raises(SourceFormatError):
        crawl(server)
