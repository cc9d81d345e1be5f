"""build_source: kinds, defaults, and one-line ConfigErrors naming sources.<name>.<key>."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sources.conftest import collect, fast_client, run
from tracker.errors import ConfigError
from tracker.sources import SOURCE_KINDS, Source, build_source
from tracker.sources.base import BaseSource


def test_all_five_kinds_are_registered_with_their_default_base_urls() -> None:
    assert set(SOURCE_KINDS) == {"greenhouse", "lever", "ashby", "linkedin", "jsonld"}
    cases: dict[str, tuple[dict[str, Any], str]] = {
        "greenhouse": ({"boards": ["vercel"]}, "https://boards-api.greenhouse.io"),
        "lever": ({"sites": ["spotify"]}, "https://api.lever.co"),
        "ashby": ({"boards": ["linear"]}, "https://api.ashbyhq.com"),
        "linkedin": ({"queries": ["data scientist"], "locations": ["Canada"]}, "https://www.linkedin.com"),
        "jsonld": ({"urls": ["https://careers.example/jobs/1"]}, ""),
    }
    for kind, (options, base_url) in cases.items():
        source = build_source(kind, f"my_{kind}", None, options)
        assert isinstance(source, Source)
        assert (source.kind, source.name, source.base_url) == (kind, f"my_{kind}", base_url)
        assert source.scopes()


def test_defaults_are_filled() -> None:
    lever = build_source("lever", "lv", None, {"sites": ["a"]})
    assert lever.options["page_size"] == 100  # type: ignore[attr-defined]
    linkedin = build_source("linkedin", "li", None, {"queries": ["ds", "mle"], "locations": ["US", "UK"]})
    assert linkedin.options["recency_hours"] == 168  # type: ignore[attr-defined]
    assert linkedin.scopes() == ["ds @ US", "ds @ UK", "mle @ US", "mle @ UK"]


def test_base_url_trailing_slash_is_dropped() -> None:
    assert (
        build_source("ashby", "ab", "http://127.0.0.1:8080/", {"boards": ["x"]}).base_url
        == "http://127.0.0.1:8080"
    )


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("greenhouse", {"boards": []}, r"^sources\.s\.boards: must be a non-empty list$"),
        ("greenhouse", {}, r"^sources\.s\.boards: required for kind greenhouse$"),
        (
            "greenhouse",
            {"boards": "vercel"},
            r"^sources\.s\.boards: expected a list of strings, got str 'vercel'$",
        ),
        (
            "greenhouse",
            {"boards": ["a"], "board": ["b"]},
            r"^sources\.s\.board: unknown option for kind greenhouse",
        ),
        ("lever", {"sites": ["a"], "page_size": "10"}, r"^sources\.s\.page_size: expected an integer"),
        ("lever", {"sites": ["a"], "page_size": True}, r"^sources\.s\.page_size: expected an integer"),
        ("lever", {"sites": ["a"], "page_size": 0}, r"^sources\.s\.page_size: must be >= 1"),
        ("linkedin", {"queries": ["x"]}, r"^sources\.s\.locations: required"),
        (
            "linkedin",
            {"queries": ["x"], "locations": ["y"], "workplace": ["office"]},
            r"^sources\.s\.workplace: unknown value 'office'",
        ),
        (
            "linkedin",
            {"queries": ["x"], "locations": ["y"], "recency_hours": 0},
            r"^sources\.s\.recency_hours: must be >= 1",
        ),
        ("jsonld", {}, r"^sources\.s\.urls: give at least one URL or a sitemap$"),
        (
            "ashby",
            {"boards": ["a"], "respect_robots": "no"},
            r"^sources\.s\.respect_robots: expected true or false",
        ),
        ("ashby", {"boards": ["a"], "rate": 0}, r"^sources\.s\.rate: must be >= "),
        ("ashby", {"boards": [""]}, r"^sources\.s\.boards: contains an empty string$"),
    ],
)
def test_bad_options_raise_one_line_config_errors(kind: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        build_source(kind, "s", None, options)
    assert "\n" not in str(info.value)


def test_unknown_kind_and_bad_base_url() -> None:
    with pytest.raises(ConfigError, match=r"^sources\.s\.kind: unknown source kind 'indeed'"):
        build_source("indeed", "s", None, {})
    with pytest.raises(ConfigError, match=r"^sources\.s\.base_url: expected an http\(s\) URL"):
        build_source("lever", "s", "ftp://x", {"sites": ["a"]})


def test_unknown_scope_is_refused() -> None:
    source = build_source("lever", "lv", None, {"sites": ["a"]})

    async def go() -> None:
        async with fast_client() as client:
            await collect(source.crawl(client, "b"))

    with pytest.raises(ConfigError, match="unknown scope 'b'"):
        run(go())


def test_rate_option_sets_the_host_rate_on_the_client() -> None:
    source = build_source("ashby", "ab", "http://127.0.0.1:9", {"boards": ["x"], "rate": 0.25})
    client = fast_client()
    assert isinstance(source, BaseSource)
    source.prepare(client)
    assert client.host_rate("http://127.0.0.1:9/posting-api/job-board/x") == 0.25
    assert client.host_rate("http://127.0.0.2:9/") == 1000.0
    run(client.aclose())
