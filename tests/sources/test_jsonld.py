"""JSON-LD source: every ld+json block, @graph and arrays, escaping, locations, sitemap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.httpserver import FixtureServer, Reply
from tests.sources.conftest import collect, fast_client, fixture_text, run
from tracker.errors import BoardGone, ConfigError, HTTPStatusFailure
from tracker.raw import RawPosting
from tracker.sources import build_source
from tracker.sources.jsonld import postings_from_html, unescape_description


def serve(server: FixtureServer) -> None:
    server.route("/jobs/mle-42", Reply.html(fixture_text("jsonld_careers_graph.html")))
    server.route("/jobs/remote", Reply.html(fixture_text("jsonld_remote_array.html")))
    server.route("/jobs/closed", Reply.html(fixture_text("jsonld_no_posting.html")))


def crawl(server: FixtureServer, scope: str, **options: object) -> list[RawPosting]:
    source = build_source("jsonld", "ld", server.base_url, options)

    async def go() -> list[RawPosting]:
        async with fast_client() as client:
            return await collect(source.crawl(client, scope))

    return run(go())


def test_graph_posting_fields(server: FixtureServer) -> None:
    serve(server)
    [mle] = crawl(server, "/jobs/mle-42", urls=["/jobs/mle-42"])
    assert mle.source_kind == "jsonld"
    assert mle.scope == "/jobs/mle-42"
    assert mle.external_id.startswith("127.0.0.1:") and mle.external_id.endswith(":GLX-42")
    assert mle.title == "Senior Machine Learning Engineer"
    assert mle.company == "Globex Corporation"
    assert mle.location == "Springfield, OR, US; Portland, OR, US"
    assert mle.country == "US"
    assert mle.employment_type == "FULL_TIME, CONTRACTOR"
    assert mle.posted_at == datetime(2026, 9, 15, tzinfo=UTC)
    assert mle.url == "https://careers.globex.example/jobs/mle-42"
    assert mle.description == "<p>Build ranking models.</p><ul><li>PyTorch &amp; JAX</li></ul>"
    assert mle.structured_pay == {
        "@type": "MonetaryAmount",
        "currency": "USD",
        "value": {
            "@type": "QuantitativeValue",
            "minValue": "$150,000",
            "maxValue": "190000.00",
            "unitText": "yearly",
        },
    }
    assert mle.extra["salaryCurrency"] == "USD"
    assert mle.workplace is None


def test_array_block_type_lists_remote_and_fallback_ids(server: FixtureServer) -> None:
    serve(server)
    remote, analyst = crawl(server, "/jobs/remote", urls=["/jobs/remote"])
    assert remote.title == "Data Scientist (Remote)"
    assert remote.external_id == "https://careers.initech.example/jobs/ds-remote"
    assert remote.workplace == "remote"
    assert remote.location == "Canada"
    assert remote.country == "Canada"
    assert remote.company == "Initech"
    assert remote.structured_pay == 120000
    assert remote.posted_at == datetime(2026, 9, 20, 8, 30, tzinfo=UTC)
    assert remote.description == "<p>Work on pricing &amp; forecasting.</p>"
    assert analyst.location == "Berlin, Germany"
    assert analyst.structured_pay == {
        "@type": "PriceSpecification",
        "minPrice": "45000",
        "maxPrice": "52000",
        "priceCurrency": "EUR",
    }
    assert analyst.external_id.startswith("urlsha1:")
    again = postings_from_html(
        fixture_text("jsonld_remote_array.html"), server.url("/jobs/remote"), "jsonld", "x"
    )
    assert again[1].external_id == analyst.external_id  # stable across crawls


def test_invalid_and_other_type_blocks_are_skipped() -> None:
    postings = postings_from_html(
        fixture_text("jsonld_careers_graph.html"), "https://x.example/j", "jsonld", "s"
    )
    assert [p.title for p in postings] == ["Senior Machine Learning Engineer"]


def test_a_page_without_postings_yields_nothing_without_error(server: FixtureServer) -> None:
    serve(server)
    assert crawl(server, "/jobs/closed", urls=["/jobs/closed"]) == []


def test_a_gone_page_raises_board_gone(server: FixtureServer) -> None:
    with pytest.raises(BoardGone):
        crawl(server, "/jobs/nope", urls=["/jobs/nope"])


def test_a_failing_page_raises(server: FixtureServer) -> None:
    server.route("/jobs/err", Reply(500))
    with pytest.raises(HTTPStatusFailure):
        crawl(server, "/jobs/err", urls=["/jobs/err"])


def test_sitemap_scope_crawls_listed_pages_on_the_same_site(server: FixtureServer) -> None:
    serve(server)
    sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{server.url("/jobs/mle-42")}</loc><lastmod>2026-09-15</lastmod></url>
  <url><loc>{server.url("/jobs/remote")}</loc></url>
  <url><loc>{server.url("/jobs/closed")}</loc></url>
  <url><loc>{server.url("/jobs/removed")}</loc></url>
  <url><loc>https://elsewhere.example/jobs/1</loc></url>
</urlset>"""
    server.route("/sitemap.xml", Reply.text(sitemap, "application/xml"))
    postings = crawl(server, "/sitemap.xml", sitemap="/sitemap.xml")
    assert [p.title for p in postings] == [
        "Senior Machine Learning Engineer",
        "Data Scientist (Remote)",
        "Junior Data Analyst",
    ]
    assert all(p.scope == "/sitemap.xml" for p in postings)
    assert server.hits("/jobs/removed") == 1


def test_sitemap_index_is_followed(server: FixtureServer) -> None:
    serve(server)
    server.route(
        "/sitemap_index.xml",
        Reply.text(
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{server.url('/jobs-sitemap.xml')}</loc></sitemap></sitemapindex>",
            "application/xml",
        ),
    )
    server.route(
        "/jobs-sitemap.xml",
        Reply.text(
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{server.url('/jobs/mle-42')}</loc></url></urlset>",
            "application/xml",
        ),
    )
    postings = crawl(server, "/sitemap_index.xml", sitemap="/sitemap_index.xml")
    assert [p.external_id.rsplit(":", 1)[-1] for p in postings] == ["GLX-42"]


def test_relative_urls_need_a_base_url() -> None:
    with pytest.raises(ConfigError, match="sources.ld.urls"):
        build_source("jsonld", "ld", None, {"urls": ["/jobs/1"]})


def test_description_unescaping_stops_at_single_escaped_html() -> None:
    assert unescape_description("&amp;lt;p&amp;gt;A &amp;amp;amp; B&amp;lt;/p&amp;gt;") == "<p>A &amp; B</p>"
    assert unescape_description("&lt;p&gt;x&lt;/p&gt;") == "<p>x</p>"
    assert (
        unescape_description("<p>Use &lt;b&gt; tags &amp; more</p>") == "<p>Use &lt;b&gt; tags &amp; more</p>"
    )
    assert unescape_description("Tom &amp; Jerry") == "Tom &amp; Jerry"
    assert unescape_description("R&amp;amp;D") == "R&amp;D"
