"""Scrape and import end to end: a real HTTP server on 127.0.0.1, real databases on both backends."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.httpserver import FixtureServer, Reply
from tracker.config import Settings, settings_from_mapping
from tracker.pipeline import scrape
from tracker.store import db as store_db
from tracker.store.models import POSTING_SKILLS, Posting, PostingCluster, ScrapeRun

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "sources" / "fixtures"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as srv:
        srv.route("/v1/boards/vercel/jobs", Reply.json(_json("greenhouse_vercel_list.json")))
        for job_id in ("7001001004", "7002002004"):
            srv.route(f"/v1/boards/vercel/jobs/{job_id}", Reply.json(_json(f"greenhouse_vercel_detail_{job_id}.json")))
        srv.route("/v0/postings/spotify", Reply.json(_json("lever_spotify_postings.json")))
        srv.route("/v0/postings/broken", Reply(status=500))
        yield srv


def _settings(server: FixtureServer, db_url: str, lever_sites: list[str] | None = None) -> Settings:
    base = server.url("")
    return settings_from_mapping(
        {
            "database": {"url": db_url},
            "scrape": {"user_agent": "tracker-tests/1 (+mailto:ci@tracker.invalid)", "per_host_rate": 200.0,
                       "max_retries": 1, "timeout_s": 5.0, "retry_after_cap_s": 0.1},
            "sources": [
                {"kind": "greenhouse", "name": "gh", "base_url": base, "boards": ["vercel"]},
                {"kind": "lever", "name": "lever", "base_url": base, "sites": lever_sites or ["spotify"]},
            ],
        },
        {},
    )


def _count(sessions: Any, model: Any, *where: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_scrape_stores_every_good_posting_once(server: FixtureServer, db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    settings = _settings(server, db_url)
    first = scrape(settings, sessions, now=lambda: T0)
    assert {r.name: r.status for r in first} == {"gh": "ok", "lever": "ok"}
    expected = len(_json("greenhouse_vercel_list.json")["jobs"]) + len(_json("lever_spotify_postings.json"))
    assert _count(sessions, Posting) == expected
    second = scrape(settings, sessions, now=lambda: T0 + timedelta(hours=6))
    assert sum(r.counts.new for r in second) == 0
    assert _count(sessions, Posting) == expected
    assert _count(sessions, Posting, Posting.closed_at.is_not(None)) == 0
    with sessions() as session:
        mle = session.scalars(select(Posting).where(Posting.external_id == "7002002004")).one()
        assert mle.family == "ml_engineer"
        assert mle.last_seen_at == T0 + timedelta(hours=6) and mle.first_seen_at == T0
    # the pay detail is fetched only for tracked families
    assert server.hits("/v1/boards/vercel/jobs/7002002004") >= 1
    assert server.hits("/v1/boards/vercel/jobs/6136160004") == 0
    engine.dispose()


def test_failing_source_is_recorded_and_others_go_on(server: FixtureServer, db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    results = {r.name: r for r in scrape(_settings(server, db_url, ["broken"]), sessions, now=lambda: T0)}
    assert results["lever"].status == "failed" and results["gh"].status == "ok"
    with sessions() as session:
        runs = {r.source.name: r for r in session.scalars(select(ScrapeRun))}
        assert runs["lever"].status == "failed" and "500" in (runs["lever"].error or "")
        assert runs["gh"].status == "ok" and runs["gh"].new == 4
    engine.dispose()


def test_failed_crawl_closes_nothing_and_completed_crawl_closes_what_is_gone(server: FixtureServer, db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    settings = _settings(server, db_url)
    scrape(settings, sessions, now=lambda: T0)
    server.route("/v1/boards/vercel/jobs", Reply(status=503))
    failed = scrape(settings, sessions, only="gh", now=lambda: T0 + timedelta(days=1))
    assert failed[0].status == "failed"
    assert _count(sessions, Posting, Posting.closed_at.is_not(None)) == 0
    shrunk = copy.deepcopy(_json("greenhouse_vercel_list.json"))
    shrunk["jobs"] = [j for j in shrunk["jobs"] if j["id"] != 7001001004]
    server.route("/v1/boards/vercel/jobs", Reply.json(shrunk))
    ok = scrape(settings, sessions, only="gh", now=lambda: T0 + timedelta(days=2))
    assert ok[0].status == "ok" and ok[0].closed == 1
    with sessions() as session:
        gone = session.scalars(select(Posting).where(Posting.external_id == "7001001004")).one()
        assert gone.closed_at == T0 + timedelta(days=2)
        cluster = session.get(PostingCluster, gone.cluster_id)
        assert cluster is not None and cluster.closed_at == T0 + timedelta(days=2)
    engine.dispose()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "tracker", *args], capture_output=True, text=True, env=full, cwd=ROOT, timeout=300)


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "postings.csv"
    data.write_text(
        "external_id,title,company,location,pay_text,description,url,posted_at,seen_at\n"
        "a1,Senior Data Scientist,Acme,\"New York, NY\",\"$150,000 - $180,000 a year\",Python and SQL,,2026-11-02,2026-11-03\n"
        ",Missing id,Acme,,,,,,\n"
        "a2,Machine Learning Engineer,Beta,Remote - US,,Build models,,2026-11-02,not-a-date\n"
        "a3,ML Engineer II,Gamma,\"Austin, TX\",\"$160,000 - $200,000\",PyTorch on AWS,,2026-11-04,\n",
        encoding="utf-8",
    )
    out = _cli("import", str(data), "--source", "backfill", env={"TRACKER_DATABASE_URL": db_url})
    assert out.returncode == 0, out.stderr
    assert f"{data}:3: skipped: external_id: missing" in out.stderr
    assert f"{data}:4: skipped: seen_at: not an ISO 8601" in out.stderr
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    with sessions() as session:
        rows = {p.external_id: p for p in session.scalars(select(Posting))}
    assert set(rows) == {"a1", "a3"}
    assert rows["a1"].family == "data_scientist" and rows["a1"].pay_source == "employer"
    assert rows["a1"].annual_min == 150000 and rows["a1"].pay_currency == "USD"
    assert rows["a1"].first_seen_at == datetime(2026, 11, 3, tzinfo=UTC)
    assert rows["a3"].first_seen_at == datetime(2026, 11, 4, tzinfo=UTC)
    again = _cli("import", str(data), "--source", "backfill", env={"TRACKER_DATABASE_URL": db_url})
    assert again.returncode == 0
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Posting)) == 2
    engine.dispose()


def test_import_structured_pay_columns_in_jsonl(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "p.jsonl"
    rows = [
        {"external_id": "x1", "title": "Data Scientist", "pay_min": 120000, "pay_max": 140000, "pay_currency": "USD",
         "pay_period": "year", "seen_at": "2026-11-03T10:00:00Z"},
        {"external_id": "x2", "title": "Data Scientist", "pay_min": 60, "pay_currency": "USD", "pay_period": "fortnight"},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n")
    out = _cli("import", str(data), env={"TRACKER_DATABASE_URL": db_url})
    assert out.returncode == 0, out.stderr
    assert ":2: skipped: pay_period" in out.stderr and ":3: skipped: not valid JSON" in out.stderr
    engine = store_db.make_engine(db_url)
    with store_db.session_factory(engine)() as session:
        p = session.scalars(select(Posting)).one()
        assert (p.pay_min, p.pay_max, p.pay_currency, p.pay_period) == (120000, 140000, "USD", "year")
    engine.dispose()


def test_scrape_cli_exits_1_when_a_source_failed(server: FixtureServer, db_url: str, tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text(
        f'[database]\nurl = "{db_url}"\n[scrape]\nuser_agent = "t/1 (+mailto:ci@tracker.invalid)"\nper_host_rate = 100.0\n'
        f'max_retries = 0\n[[sources]]\nkind = "lever"\nname = "lever"\nbase_url = "{server.url("")}"\nsites = ["broken"]\n'
        f'[[sources]]\nkind = "greenhouse"\nname = "gh"\nbase_url = "{server.url("")}"\nboards = ["vercel"]\n'
    )
    out = _cli("--config", str(cfg), "scrape", env={})
    assert out.returncode == 1, out.stderr
    assert "scrape summary" in out.stdout and "failed" in out.stdout
    assert "Traceback" not in out.stderr


def test_scrape_cli_source_option_crawls_only_that_source(server: FixtureServer, db_url: str, tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text(
        f'[database]\nurl = "{db_url}"\n[scrape]\nuser_agent = "t/1 (+mailto:ci@tracker.invalid)"\nper_host_rate = 100.0\n'
        f'[[sources]]\nkind = "lever"\nname = "lever"\nbase_url = "{server.url("")}"\nsites = ["spotify"]\nenabled = false\n'
        f'[[sources]]\nkind = "greenhouse"\nname = "gh"\nbase_url = "{server.url("")}"\nboards = ["vercel"]\n'
    )
    out = _cli("--config", str(cfg), "scrape", "--source", "lever", env={})
    assert out.returncode == 0, out.stderr
    assert server.hits("/v0/postings/spotify") >= 1 and server.hits("/v1/boards/vercel/jobs") == 0
    unknown = _cli("--config", str(cfg), "scrape", "--source", "nope", env={})
    assert unknown.returncode == 2 and "no such source" in unknown.stderr


def test_unchanged_board_answered_304_is_served_from_the_validators_kept_between_crawls(
    server: FixtureServer, db_url: str
) -> None:
    body = _json("greenhouse_vercel_list.json")

    def board(request: Any) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply.json(body, headers={"ETag": '"v1"'})

    server.route("/v1/boards/vercel/jobs", board)
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    settings = _settings(server, db_url)
    scrape(settings, sessions, only="gh", now=lambda: T0)
    second = scrape(settings, sessions, only="gh", now=lambda: T0 + timedelta(hours=6))
    assert second[0].status == "ok" and second[0].counts.seen == len(body["jobs"]) and second[0].closed == 0
    conditional = [r for r in server.requests if r.path == "/v1/boards/vercel/jobs" and "if-none-match" in r.headers]
    assert conditional, "the second crawl did not send If-None-Match"
    engine.dispose()


def test_import_of_a_file_that_is_not_an_import_file_writes_nothing(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("name,age\nx,1\n")
    out = _cli("import", str(bad), env={"TRACKER_DATABASE_URL": db_url})
    assert out.returncode == 2 and "external_id and title" in out.stderr
    engine = store_db.make_engine(db_url)
    with store_db.session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ScrapeRun)) == 0
    engine.dispose()


CARD = (
    '<li><div class="base-card base-search-card job-search-card" data-entity-urn="urn:li:jobPosting:4100000001">'
    '<a class="base-card__full-link" href="https://www.linkedin.com/jobs/view/ml-engineer-4100000001?x=1">'
    '<span class="sr-only">Machine Learning Engineer</span></a><div class="base-search-card__info">'
    '<h3 class="base-search-card__title">Machine Learning Engineer</h3>'
    '<h4 class="base-search-card__subtitle"><a class="hidden-nested-link" href="https://www.linkedin.com/company/acme">Acme</a></h4>'
    '<div class="base-search-card__metadata"><span class="job-search-card__location">Austin, Texas, United States</span>'
    '<span class="job-search-card__salary-info">$150,000.00\n  -\n  $180,000.00</span>'
    '<time class="job-search-card__listdate--new" datetime="2026-11-01">1 day ago</time></div></div></div></li>'
)
DETAIL = (
    '<section><h2 class="top-card-layout__title">Machine Learning Engineer</h2>'
    '<a class="topcard__org-name-link" href="https://www.linkedin.com/company/acme">Acme</a>'
    '<span class="topcard__flavor--bullet">Austin, Texas, United States</span></section>'
    '<div class="show-more-less-html__markup"><p>Train models in PyTorch and serve them on Kubernetes.</p></div>'
)


def test_a_card_crawled_again_without_its_detail_page_keeps_description_and_skills(server: FixtureServer, db_url: str) -> None:
    def search(request: Any) -> Reply:
        return Reply.html(CARD if request.query.get("start", "0") == "0" else "")

    server.route("/jobs-guest/jobs/api/seeMoreJobPostings/search", search)
    server.route("/jobs-guest/jobs/api/jobPosting/4100000001", Reply.html(DETAIL))
    settings = settings_from_mapping(
        {
            "database": {"url": db_url},
            "scrape": {"user_agent": "tracker-tests/1 (+mailto:ci@tracker.invalid)", "per_host_rate": 200.0, "max_retries": 0},
            "sources": [{"kind": "linkedin", "name": "li", "base_url": server.url(""), "queries": ["ml engineer"], "locations": ["US"]}],
        },
        {},
    )
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    scrape(settings, sessions, now=lambda: T0)
    again = scrape(settings, sessions, now=lambda: T0 + timedelta(hours=6))
    assert again[0].status == "ok" and again[0].counts.updated == 0
    assert server.hits("/jobs-guest/jobs/api/jobPosting/4100000001") == 1  # not fetched again: unchanged card
    with sessions() as session:
        posting = session.scalars(select(Posting)).one()
        assert posting.description_text and "PyTorch" in posting.description_text
        skills = set(session.scalars(select(POSTING_SKILLS.c.skill_id).where(POSTING_SKILLS.c.posting_id == posting.id)))
    assert {"pytorch", "kubernetes"} <= skills
    engine.dispose()
