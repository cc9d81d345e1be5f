"""Greenhouse source against recorded-format fixtures on a loopback server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.httpserver import FixtureServer, Reply
from tests.sources.conftest import collect, fast_client, fixture_json, run
from tracker.errors import BoardGone, HTTPStatusFailure, SourceFormatError
from tracker.raw import RawPosting
from tracker.sources import SourceHooks, build_source

LIST = "/v1/boards/vercel/jobs"
DS, MLE = "7001001004", "7002002004"


def tracked(title: str) -> bool:
    return "Data Scientist" in title or "Machine Learning" in title


def serve_board(server: FixtureServer) -> None:
    server.route(LIST, Reply.json(fixture_json("greenhouse_vercel_list.json")))
    for job_id in (DS, MLE):
        server.route(f"{LIST}/{job_id}", Reply.json(fixture_json(f"greenhouse_vercel_detail_{job_id}.json")))


def crawl(server: FixtureServer, hooks: SourceHooks | None = None) -> list[RawPosting]:
    source = build_source("greenhouse", "gh", server.base_url, {"boards": ["vercel"]}, hooks)

    async def go() -> list[RawPosting]:
        async with fast_client() as client:
            return await collect(source.crawl(client, "vercel"))

    return run(go())


def test_every_job_is_yielded_once_with_its_fields(server: FixtureServer) -> None:
    serve_board(server)
    postings = crawl(server, SourceHooks(wants_detail=tracked))
    by_id = {p.external_id: p for p in postings}
    assert len(postings) == len(by_id) == 4
    ds = by_id[DS]
    assert ds.source_kind == "greenhouse"
    assert ds.scope == "vercel"
    assert ds.title == "Senior Data Scientist, Growth"
    assert ds.company == "Vercel"
    assert ds.location == "San Francisco, CA; New York, NY"
    assert ds.url == "https://job-boards.greenhouse.io/vercel/jobs/7001001004"
    assert ds.posted_at == datetime(2026, 9, 1, 13, 0, tzinfo=UTC)
    assert ds.description is not None
    assert ds.description.startswith('<div class="content-intro"><p>About us</p></div>')
    assert "R&amp;D &amp; analytics 'fun'" in ds.description  # unescaped exactly once
    assert ds.pay_text is None


def test_pay_ranges_come_untouched_from_the_detail_of_tracked_titles_only(server: FixtureServer) -> None:
    serve_board(server)
    by_id = {p.external_id: p for p in crawl(server, SourceHooks(wants_detail=tracked))}
    assert by_id[DS].structured_pay == fixture_json(f"greenhouse_vercel_detail_{DS}.json")["pay_input_ranges"]
    assert by_id[MLE].structured_pay is None  # detail without pay_input_ranges
    assert by_id["6136160004"].structured_pay is None
    detail_requests = [r for r in server.requests if r.path.startswith(LIST + "/")]
    assert sorted(r.path for r in detail_requests) == [f"{LIST}/{DS}", f"{LIST}/{MLE}"]
    assert all(r.query == {"pay_transparency": "true"} for r in detail_requests)
    list_request = [r for r in server.requests if r.path == LIST][0]
    assert list_request.query == {"content": "true"}


def test_missing_first_published_leaves_posted_at_empty(server: FixtureServer) -> None:
    serve_board(server)
    by_id = {p.external_id: p for p in crawl(server, SourceHooks(wants_detail=lambda t: False))}
    assert by_id[MLE].posted_at is None
    assert by_id[MLE].extra["updated_at"] == "2026-09-24T13:34:54-04:00"


def test_board_404_raises_board_gone(server: FixtureServer) -> None:
    with pytest.raises(BoardGone, match="board vercel gone"):
        crawl(server)


def test_truncated_list_raises_instead_of_yielding_nothing(server: FixtureServer) -> None:
    server.route(LIST, Reply(200, b'{"jobs": [{"id": 1, "title": "Da', {"Content-Type": "application/json"}))
    with pytest.raises(SourceFormatError):
        crawl(server)


def test_list_without_jobs_key_is_a_format_error(server: FixtureServer) -> None:
    server.route(LIST, Reply.json({"error": "nope"}))
    with pytest.raises(SourceFormatError, match="'jobs' list"):
        crawl(server)


def test_failing_detail_fails_the_board(server: FixtureServer) -> None:
    serve_board(server)
    server.route(f"{LIST}/{DS}", Reply(500))
    with pytest.raises(HTTPStatusFailure) as info:
        crawl(server, SourceHooks(wants_detail=tracked))
    assert info.value.status == 500


def test_detail_gone_between_list_and_detail_keeps_the_job_without_pay(server: FixtureServer) -> None:
    serve_board(server)
    server.route(f"{LIST}/{DS}", Reply(404))
    by_id = {p.external_id: p for p in crawl(server, SourceHooks(wants_detail=tracked))}
    assert by_id[DS].structured_pay is None
    assert by_id[DS].extra["detail_error"] == "HTTP 404"
