"""LinkedIn guest search: both card roots, salary spans, paging by cards received, detail on demand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.httpserver import FixtureServer, Reply, Request
from tests.sources.conftest import collect, fast_client, fixture_text, run
from tracker.errors import BlockedByAuthwall, ListingTruncated, RobotsDisallowed, SourceFormatError
from tracker.raw import RawPosting
from tracker.sources import SourceHooks, build_source
from tracker.sources.linkedin import DETAIL_PATH, SEARCH_PATH, parse_detail, parse_search_page

SCOPE = "data scientist @ United States"
PAGE_IDS = ["4012345678", "4023456789", "4034567890", "4045678901", "4056789012"]


def search_pages(req: Request) -> Reply:
    pages = {"0": "linkedin_search_page1.html", "4": "linkedin_search_page2.html"}
    name = pages.get(req.query["start"])
    return Reply.html(fixture_text(name) if name else "")


def serve(server: FixtureServer) -> None:
    server.route(SEARCH_PATH, search_pages)
    for job_id in PAGE_IDS:
        server.route(DETAIL_PATH.format(id=job_id), Reply.html(fixture_text("linkedin_detail_fragment.html")))


def crawl(server: FixtureServer, hooks: SourceHooks | None = None, **options: object) -> list[RawPosting]:
    settings: dict[str, object] = {
        "queries": ["data scientist"],
        "locations": ["United States"],
        "respect_robots": False,
        **options,
    }
    source = build_source("linkedin", "li", server.base_url, settings, hooks)

    async def go() -> list[RawPosting]:
        async with fast_client() as client:
            return await collect(source.crawl(client, SCOPE))

    return run(go())


def test_cards_from_both_roots_are_yielded_once_in_order(server: FixtureServer) -> None:
    serve(server)
    postings = crawl(server)
    assert [p.external_id for p in postings] == PAGE_IDS
    assert all(p.scope == SCOPE and p.source_kind == "linkedin" for p in postings)
    starts = [r.query["start"] for r in server.requests if r.path == SEARCH_PATH]
    assert starts == ["0", "4", "7"]  # stepped by cards received (4, then 3 incl. an unreadable one)


def test_search_parameters(server: FixtureServer) -> None:
    serve(server)
    crawl(server, recency_hours=24, geo_ids={"United States": "103644278"}, workplace=["remote", "hybrid"])
    query = [r for r in server.requests if r.path == SEARCH_PATH][0].query
    assert query == {
        "keywords": "data scientist",
        "location": "United States",
        "f_TPR": "r86400",
        "geoId": "103644278",
        "f_WT": "2,3",
        "start": "0",
    }


def test_card_fields_and_collapsed_salary_spans(server: FixtureServer) -> None:
    serve(server)
    by_id = {p.external_id: p for p in crawl(server, SourceHooks(needs_detail=lambda p: False))}
    acme = by_id["4012345678"]
    assert acme.title == "Senior Data Scientist"
    assert acme.company == "Acme Analytics"
    assert acme.location == "Toronto, Ontario, Canada"
    assert acme.pay_text == "$116,002.00 - $137,000.00"
    assert acme.posted_at == datetime(2026, 9, 14, tzinfo=UTC)
    assert acme.url == "https://ca.linkedin.com/jobs/view/senior-data-scientist-at-acme-analytics-4012345678"
    assert acme.extra["benefits"] == "Actively Hiring"
    stealth = by_id["4023456789"]  # a.base-card root, plain-text company, --new time
    assert stealth.company == "Stealth Startup"
    assert stealth.pay_text == "A$160,000.00 - A$200,000.00"
    assert stealth.posted_at == datetime(2026, 9, 21, tzinfo=UTC)
    northwind = by_id["4034567890"]  # fields missing
    assert (northwind.location, northwind.pay_text, northwind.posted_at) == (None, None, None)
    assert northwind.company == "Northwind"
    contoso = by_id["4045678901"]  # no data-entity-urn: id from the link
    assert contoso.pay_text == "$85.00/hr - $110.00/hr"
    assert by_id["4056789012"].company == "Fabrikam & Co"
    assert all(p.description is None and p.extra["detail_fetched"] is False for p in by_id.values())
    assert not [r for r in server.requests if r.path.startswith("/jobs-guest/jobs/api/jobPosting/")]


def test_detail_is_fetched_only_when_needed_and_never_supplies_salary(server: FixtureServer) -> None:
    serve(server)
    postings = crawl(server, SourceHooks(needs_detail=lambda p: p.external_id == "4012345678"))
    acme = next(p for p in postings if p.external_id == "4012345678")
    assert acme.description is not None and "build forecasting models" in acme.description
    assert "<li>Own experimentation &amp; causal inference</li>" in acme.description
    assert acme.employment_type == "Full-time"
    assert acme.extra["seniority"] == "Mid-Senior level"
    assert acme.extra["detail_fetched"] is True
    assert acme.pay_text == "$116,002.00 - $137,000.00"
    detail_paths = [r.path for r in server.requests if r.path.startswith("/jobs-guest/jobs/api/jobPosting/")]
    assert detail_paths == ["/jobs-guest/jobs/api/jobPosting/4012345678"]


def test_full_job_page_reads_title_by_class_and_ignores_similar_jobs() -> None:
    detail = parse_detail(fixture_text("linkedin_job_view_full.html"))
    assert detail.title == "Senior Data Scientist"
    assert detail.company == "Acme Analytics"
    assert detail.location == "Toronto, Ontario, Canada"
    assert detail.criteria == {"Seniority level": "Mid-Senior level", "Employment type": "Full-time"}
    assert not hasattr(detail, "salary")


def test_paging_stops_at_start_1000_and_says_the_search_was_truncated(server: FixtureServer) -> None:
    card = fixture_text("linkedin_search_page1.html").split("</li>")[0] + "</li>"

    def endless(req: Request) -> Reply:
        start = int(req.query["start"])
        cards = [card.replace("4012345678", str(9_000_000 + start + i)) for i in range(25)]
        return Reply.html("\n".join(cards))

    server.route(SEARCH_PATH, endless)
    source = build_source(
        "linkedin",
        "li",
        server.base_url,
        {"queries": ["data scientist"], "locations": ["United States"], "respect_robots": False},
        SourceHooks(needs_detail=lambda p: False),
    )
    postings: list[RawPosting] = []

    async def go() -> None:
        async with fast_client() as client:
            async for posting in source.crawl(client, SCOPE):
                postings.append(posting)

    # everything read is yielded first; a truncated search closes nothing, and says so
    with pytest.raises(ListingTruncated, match="search stopped at 1000 results.*nothing closed"):
        run(go())
    starts = [int(r.query["start"]) for r in server.requests if r.path == SEARCH_PATH]
    assert starts == list(range(0, 1000, 25))
    assert len(postings) == len({p.external_id for p in postings}) == 1000


def test_authwall_redirect_is_an_error_not_the_end_of_results(server: FixtureServer) -> None:
    def pages(req: Request) -> Reply:
        if req.query["start"] == "0":
            return Reply.html(fixture_text("linkedin_search_page1.html"))
        return Reply.redirect("/authwall?trk=guest_job_search&sessionRedirect=x")

    server.route(SEARCH_PATH, pages)
    with pytest.raises(BlockedByAuthwall):
        crawl(server, SourceHooks(needs_detail=lambda p: False))


def test_authwall_on_detail_is_an_error(server: FixtureServer) -> None:
    serve(server)
    server.route(DETAIL_PATH.format(id="4012345678"), Reply.redirect("/signup/cold-join?session_redirect=y"))
    with pytest.raises(BlockedByAuthwall):
        crawl(server)


def test_a_page_with_content_but_no_cards_is_a_format_error(server: FixtureServer) -> None:
    server.route(
        SEARCH_PATH, Reply.html("<html><body><main><h1>Sign in to see more jobs</h1></main></body></html>")
    )
    with pytest.raises(SourceFormatError, match="no job cards"):
        crawl(server)


def test_429_on_search_is_retried(server: FixtureServer) -> None:
    serve(server)
    calls: list[str] = []

    def flaky(req: Request) -> Reply:
        calls.append(req.query["start"])
        return Reply(429, headers={"Retry-After": "0"}) if len(calls) == 1 else search_pages(req)

    server.route(SEARCH_PATH, flaky)
    postings = crawl(server, SourceHooks(needs_detail=lambda p: False))
    assert len(postings) == 5
    assert calls[:2] == ["0", "0"]


def test_robots_are_respected_by_default(server: FixtureServer) -> None:
    server.route("/robots.txt", Reply.text("User-agent: *\nDisallow: /\n"))
    serve(server)
    with pytest.raises(RobotsDisallowed):
        crawl(server, respect_robots=True)
    assert server.hits(SEARCH_PATH) == 0


def test_parse_search_page_counts_unreadable_roots_and_detects_blank_pages() -> None:
    page = parse_search_page(fixture_text("linkedin_search_page2.html"))
    assert page.roots == 3
    assert [c.job_id for c in page.cards] == ["4023456789", "4056789012"]
    assert parse_search_page("").blank
    assert parse_search_page("  \n ").blank
    assert not parse_search_page("<p>Too many requests</p>").blank
