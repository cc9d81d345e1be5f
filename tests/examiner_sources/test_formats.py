"""Each source against the examiner's own imitation of its format, fields checked after normalization."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.examiner_sources import imitation
from tests.examiner_sources.conftest import drain, fast_client, run
from tests.httpserver import FixtureServer
from tracker.errors import BoardGone, FetchError
from tracker.normalize import normalize_posting
from tracker.raw import RawPosting
from tracker.sources import SourceHooks, build_source


def crawl(kind: str, base: str, options: dict[str, Any], scope: str, hooks: SourceHooks | None = None,
          **client: Any) -> list[RawPosting]:
    source = build_source(kind, "ex", base, {"respect_robots": False, **options}, hooks)

    async def go() -> list[RawPosting]:
        async with fast_client(**client) as c:
            return await drain(source.crawl(c, scope))

    return run(go())


def by_id(postings: list[RawPosting]) -> dict[str, RawPosting]:
    ids = [p.external_id for p in postings]
    assert len(ids) == len(set(ids)), f"a posting yielded twice: {ids}"
    return {p.external_id: p for p in postings}


def pay(raw: RawPosting) -> tuple[float | None, float | None, str | None, str | None]:
    n = normalize_posting(raw)
    return n.pay_min, n.pay_max, n.pay_currency, n.pay_period


# ----------------------------------------------------------------------------------------- greenhouse


def test_greenhouse_board(server: FixtureServer) -> None:
    imitation.install_greenhouse(server)
    tracked = {"Senior Data Scientist", "Machine Learning Engineer", "Data Analyst (Contract)", "Data Engineer"}
    hooks = SourceHooks(wants_detail=lambda t: t in tracked)
    got = by_id(crawl("greenhouse", server.url(""), {"boards": ["acme"]}, "acme", hooks))
    assert set(got) == {"5100001", "5100002", "5100003", "5100004", "5100005"}
    ds = got["5100001"]
    assert ds.title == "Senior Data Scientist" and ds.company == "Acme Analytics"
    assert ds.location == "New York, NY" and ds.scope == "acme"
    assert ds.posted_at == datetime(2026, 10, 1, 16, 0, tzinfo=UTC)
    assert ds.description is not None and "<h2>About the role</h2>" in ds.description
    assert "&lt;" not in ds.description and "Acme builds &amp; ships" in ds.description
    assert pay(ds)[2:] == ("USD", "year")
    lo, hi, _, _ = pay(ds)
    assert lo is not None and hi is not None and 140000 <= lo <= 160000 and 170000 <= hi <= 190000
    mle = got["5100002"]
    assert mle.posted_at is None  # no first_published; updated_at is not a posting date
    assert pay(mle) == (150000, 185000, "CAD", "year")
    assert pay(got["5100003"]) == (45, 62.5, "USD", "hour")
    de = got["5100004"]
    assert de.location is None and de.structured_pay == [] and pay(de)[0] is None
    om = got["5100005"]
    assert om.location is None and om.structured_pay is None
    assert server.hits("/v1/boards/acme/jobs/5100005") == 0
    for p in got.values():
        assert normalize_posting(p).description_text


def test_greenhouse_empty_and_gone_boards(server: FixtureServer) -> None:
    imitation.install_greenhouse(server)
    assert crawl("greenhouse", server.url(""), {"boards": ["quiet"]}, "quiet") == []
    with pytest.raises(BoardGone):
        crawl("greenhouse", server.url(""), {"boards": ["vanished"]}, "vanished")


# ----------------------------------------------------------------------------------------- lever


def test_lever_paging_and_intervals(server: FixtureServer) -> None:
    imitation.install_lever(server)
    got = by_id(crawl("lever", server.url(""), {"sites": ["beacon"], "page_size": 3}, "beacon"))
    assert len(got) == 6
    skips = sorted(int(r.query["skip"]) for r in server.requests if r.path == "/v0/postings/beacon")
    assert skips == [0, 3, 6]  # last page exactly full, then an empty page ends the crawl
    first = got["a1b2c3d4-0000-4000-8000-000000000001"]
    assert first.title == "Senior Data Scientist" and first.company == "beacon"
    assert first.location == "San Francisco, CA"
    assert first.posted_at == datetime.fromtimestamp(1_793_000_000, tz=UTC)
    assert first.description and "Build things" in first.description
    assert pay(first) == (150000, 190000, "USD", "year")
    assert pay(got["a1b2c3d4-0000-4000-8000-000000000002"]) == (40, 55, "USD", "hour")
    assert pay(got["a1b2c3d4-0000-4000-8000-000000000003"]) == (6000, 7500, "EUR", "month")
    zero = got["a1b2c3d4-0000-4000-8000-000000000004"]
    assert pay(zero)[0] is None and pay(zero)[1] is None
    bare = got["a1b2c3d4-0000-4000-8000-000000000005"]
    assert bare.location is None and bare.title == "Analytics Engineer"
    assert normalize_posting(bare).workplace == "remote"
    assert pay(got["a1b2c3d4-0000-4000-8000-000000000006"]) == (500, 650, "GBP", "day")


def test_lever_eu_host_and_multi_pay_intervals(server: FixtureServer) -> None:
    imitation.install_lever(server)
    eu_base = server.url("").replace("127.0.0.1", "localhost")
    got = by_id(crawl("lever", eu_base, {"sites": ["northwind"]}, "northwind"))
    assert len(got) == 4
    assert all(r.headers.get("host", "").startswith("localhost") for r in server.requests
               if r.path == "/v0/postings/northwind")
    biweek = normalize_posting(got["e0000000-0000-4000-8000-000000000001"])
    assert biweek.pay_currency == "EUR" and biweek.annual_min == 2500 * 26
    semi = normalize_posting(got["e0000000-0000-4000-8000-000000000002"])
    assert semi.annual_min == 2600 * 24
    assert pay(got["e0000000-0000-4000-8000-000000000003"]) == (1200, 1400, "EUR", "week")
    one_time = normalize_posting(got["e0000000-0000-4000-8000-000000000004"])
    assert one_time.pay_period != "year"  # a one-time amount is not a salary per year


def test_lever_gone_site(server: FixtureServer) -> None:
    imitation.install_lever(server)
    with pytest.raises(BoardGone):
        crawl("lever", server.url(""), {"sites": ["dead"]}, "dead")


# ----------------------------------------------------------------------------------------- ashby


def test_ashby_board(server: FixtureServer) -> None:
    imitation.install_ashby(server)
    got = by_id(crawl("ashby", server.url(""), {"boards": ["cobalt"]}, "cobalt"))
    ids = {k.split("-")[1] for k in got}
    assert ids == {"0001", "0002", "0003", "0005", "0006"}  # isListed false dropped
    ds = got["3f0e1a2b-0001-4000-8000-00000000aaaa"]
    assert ds.title == "Senior Data Scientist" and ds.company == "cobalt" and ds.location == "San Francisco"
    assert ds.posted_at == datetime(2026, 10, 5, 17, 22, 31, 527000, tzinfo=UTC)
    assert pay(ds) == (170000, 210000, "USD", "year")
    n = normalize_posting(ds)
    assert n.workplace == "onsite" and n.country == "US"
    equity = got["3f0e1a2b-0002-4000-8000-00000000aaaa"]
    assert pay(equity)[0] is None  # only equity components: no salary
    assert normalize_posting(equity).workplace == "remote"
    hybrid = got["3f0e1a2b-0003-4000-8000-00000000aaaa"]
    assert pay(hybrid)[0] is None and normalize_posting(hybrid).workplace == "hybrid"
    assert normalize_posting(hybrid).country == "GB"
    assert pay(got["3f0e1a2b-0005-4000-8000-00000000aaaa"]) == (70, 90, "USD", "hour")  # tiers only
    assert pay(got["3f0e1a2b-0006-4000-8000-00000000aaaa"]) == (90000, 110000, "EUR", "year")  # summary only
    assert all(p.description for p in got.values())


def test_ashby_unknown_board(server: FixtureServer) -> None:
    imitation.install_ashby(server)
    with pytest.raises(BoardGone):
        crawl("ashby", server.url(""), {"boards": ["nobody"]}, "nobody")


# ----------------------------------------------------------------------------------------- linkedin


def _li(server: FixtureServer, query: str, hooks: SourceHooks | None = None) -> list[RawPosting]:
    opts = {"queries": [query], "locations": ["Toronto"], "recency_hours": 24}
    return crawl("linkedin", server.url(""), opts, f"{query} @ Toronto", hooks, retry_after_cap_s=1.0)


def test_linkedin_search_and_details(server: FixtureServer) -> None:
    counters = imitation.install_linkedin(server)
    postings = _li(server, "data scientist")
    got = by_id(postings)
    jobs = imitation.li_jobs()
    assert set(got) == {str(j) for j, _ in jobs[:41]}
    assert counters["429"] == 1
    starts = [int(r.query["start"]) for r in server.requests if r.path.endswith("/search")]
    assert starts == [0, 25, 25, 32, 42]
    assert all(r.query.get("f_TPR") == "r86400" for r in server.requests if r.path.endswith("/search"))
    # every request went to the configured base, never to www.linkedin.com
    first = got[str(jobs[0][0])]
    assert first.title == jobs[0][1] and first.company == "Acme"
    assert first.location == "Toronto, Ontario, Canada"
    assert first.posted_at is not None and first.posted_at.date().isoformat() == "2026-10-30"
    assert first.pay_text == "$116,002.00 - $137,000.00"
    assert pay(first) == (116002, 137000, "USD", "year")
    aud = got[str(jobs[1][0])]
    assert aud.company == "Stealth Co" and aud.posted_at is not None and aud.posted_at.day == 1
    assert pay(aud) == (160000, 200000, "AUD", "year")
    hourly = got[str(jobs[2][0])]
    assert pay(hourly) == (45, 60, "USD", "hour")
    for i, (job_id, title) in enumerate(jobs[:41]):
        p = got[str(job_id)]
        assert p.title == title
        assert p.description and f"About the job {job_id}" in p.description
        assert p.employment_type == "Full-time"
        if i > 2:
            assert p.pay_text is None and pay(p)[0] is None  # never the similar-jobs salary
        assert p.url is None or "/jobs/view/" in p.url


def test_linkedin_detail_only_when_asked(server: FixtureServer) -> None:
    imitation.install_linkedin(server)
    postings = _li(server, "data scientist", SourceHooks(needs_detail=lambda p: False))
    assert len(postings) == 41 and all(p.description is None for p in postings)
    assert not any("/jobPosting/" in r.path for r in server.requests)


@pytest.mark.parametrize("query", ["blocked", "signup"])
def test_linkedin_authwall_is_an_error(server: FixtureServer, query: str) -> None:
    imitation.install_linkedin(server)
    with pytest.raises(FetchError):
        _li(server, query)


def test_linkedin_throttled_page_is_an_error_not_the_end(server: FixtureServer) -> None:
    from tests.httpserver import Reply

    imitation.install_linkedin(server)
    server.route("/jobs-guest/jobs/api/seeMoreJobPostings/search", Reply(status=429, headers={"Retry-After": "0"}))
    with pytest.raises(FetchError):
        _li(server, "data scientist")


# ----------------------------------------------------------------------------------------- json-ld


def _jsonld(server: FixtureServer, path: str) -> list[RawPosting]:
    url = server.url(path)
    return crawl("jsonld", server.url(""), {"urls": [url]}, url)


def _by_identifier(postings: list[RawPosting]) -> dict[str, RawPosting]:
    """Postings by their identifier value, without the host and employer qualification."""
    return {key.rsplit(":", 1)[-1]: p for key, p in by_id(postings).items()}


def test_jsonld_blocks_and_salary_shapes(server: FixtureServer) -> None:
    imitation.install_jsonld(server)
    one = _jsonld(server, "/careers/1")
    assert len(one) == 1
    ds = one[0]
    # identifier values are qualified by the page's host and the employer
    assert ds.external_id == f"{server.url('').split('//')[1].rstrip('/')}:Delta Corp:DS-1001"
    assert ds.title == "Senior Data Scientist" and ds.company == "Delta Corp"
    assert ds.location == "Chicago, IL, US; Denver, CO, US"
    assert ds.posted_at == datetime(2026, 10, 12, tzinfo=UTC)
    assert ds.description == "<p>Model churn with Python &amp; SQL.</p>"
    assert pay(ds) == (140000, 175000, "USD", "year")

    graph = _jsonld(server, "/careers/2")
    assert len(graph) == 1
    da = graph[0]
    assert da.title == "Data Analyst" and normalize_posting(da).workplace == "remote"
    assert da.posted_at == datetime(2026, 10, 15, 14, 30, tzinfo=UTC)
    assert pay(da) == (38.5, 38.5, "USD", "hour")
    again = _jsonld(server, "/careers/2")
    assert again[0].external_id == da.external_id  # stable without an identifier

    arr = _by_identifier(_jsonld(server, "/careers/3"))
    de, mle = arr["DE-7"], arr["8812"]
    assert de.company == "Delta Corp" and de.description == "<p>Spark &amp; Airflow.</p>"
    lo, hi, cur, period = pay(de)
    assert (lo, hi, cur) == (65000, 80000, "EUR")
    assert normalize_posting(de).pay_source == "employer"
    assert mle.location == "London, GB"
    assert pay(mle) == (85000, 100000, "GBP", "year")


def test_jsonld_sitemap(server: FixtureServer) -> None:
    imitation.install_jsonld(server)
    url = server.url("/sitemap.xml")
    got = _by_identifier(crawl("jsonld", server.url(""), {"sitemap": url}, url))
    assert set(got) == {"SM-4", "SM-5"}
    assert pay(got["SM-4"]) == (120000, 120000, "CAD", "year")
    assert got["SM-5"].location == "Toronto, ON, CA"


def test_jsonld_gone_page_raises(server: FixtureServer) -> None:
    imitation.install_jsonld(server)
    with pytest.raises(BoardGone):
        _jsonld(server, "/careers/missing")


def test_ashby_location_from_postal_address(server: FixtureServer) -> None:
    from tests.httpserver import Reply

    job = imitation._ashby_job("3f0e1a2b-0009-4000-8000-00000000aaaa", "Data Scientist", location=None)
    server.route("/posting-api/job-board/cobalt", Reply.json({"apiVersion": "1", "jobs": [job]}))
    (only,) = crawl("ashby", server.url(""), {"boards": ["cobalt"]}, "cobalt")
    assert only.location == "San Francisco, California, United States"
    assert normalize_posting(only).country == "US"


def test_linkedin_mirror_with_full_pages_only(server: FixtureServer) -> None:
    """A mirror without the guest fragment: the full page (h1, similar jobs) is read instead."""
    from tests.httpserver import Reply

    imitation.install_linkedin(server)
    for job_id, title in imitation.li_jobs():
        server.route(f"/jobs-guest/jobs/api/jobPosting/{job_id}", Reply(status=404))
        server.route(f"/jobs/view/{job_id}", Reply.html(imitation.li_detail(job_id, title, full_page=True)))
    got = by_id(_li(server, "data scientist"))
    assert len(got) == 41
    for p in got.values():
        assert p.description and "About the job" in p.description and "detail_error" not in p.extra
        assert p.extra["detail_fetched"] is True
    assert all(pay(p)[0] is None for p in list(got.values())[3:])


def test_linkedin_gone_detail_keeps_the_card(server: FixtureServer) -> None:
    from tests.httpserver import Reply

    imitation.install_linkedin(server)
    gone_id, _ = imitation.li_jobs()[3]
    server.route(f"/jobs-guest/jobs/api/jobPosting/{gone_id}", Reply(status=404))
    got = by_id(_li(server, "data scientist"))
    assert got[str(gone_id)].description is None and got[str(gone_id)].extra["detail_error"] == "HTTP 404"
