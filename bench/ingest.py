"""Benchmark (c): ingest 100,000 normalized postings into PostgreSQL through the repository's batched upsert.

Creates and drops its own database on 127.0.0.1:5432. Target: >= 10,000 postings/s. Measures the store
path (upserts, clusters, skills); normalization has its own benchmark (bench/normalize.py).
"""

from __future__ import annotations

import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bench._results import record
from tracker.store import db as store_db
from tracker.store import repository as repo

N = int(os.environ.get("BENCH_INGEST_N", "100000"))
BATCH = 1000
ADMIN = os.environ.get("TRACKER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SKILLS = [
    "python",
    "sql",
    "pytorch",
    "spark",
    "aws",
    "kubernetes",
    "docker",
    "statistics",
    "tensorflow",
    "airflow",
]
TITLES = [
    ("Data Scientist", "data_scientist"),
    ("Machine Learning Engineer", "ml_engineer"),
    ("Data Engineer", "data_engineer"),
]


@dataclass(frozen=True)
class BenchPosting:
    external_id: str
    title_raw: str
    family: str
    company: str
    city: str
    description_text: str
    seniority: str = "mid"
    url: str | None = None
    location_raw: str | None = None
    region: str | None = None
    country: str | None = "US"
    workplace: str | None = "onsite"
    employment_type: str | None = "full_time"
    pay_text: str | None = None
    pay_min: float | None = None
    pay_max: float | None = None
    pay_currency: str | None = "USD"
    pay_period: str | None = "year"
    annual_min: float | None = None
    annual_max: float | None = None
    pay_source: str | None = "employer"
    description_hash: str | None = None
    posted_at: datetime | None = None
    skills: frozenset[str] = field(default_factory=frozenset)


def make_postings(n: int, rng: random.Random) -> list[BenchPosting]:
    out = []
    for i in range(n):
        title, family = rng.choice(TITLES)
        lo = rng.randrange(90, 220) * 1000.0
        out.append(
            BenchPosting(
                external_id=str(i),
                title_raw=title,
                family=family,
                company=f"Company {i % 5000}",
                city=rng.choice(["New York", "Austin", "Seattle", "Boston", "Denver"]),
                description_text=f"Role {i}: build things with " + " ".join(rng.sample(SKILLS, 4)) * 20,
                description_hash=f"{i:064x}",
                pay_min=lo,
                pay_max=lo * 1.2,
                annual_min=lo,
                annual_max=lo * 1.2,
                skills=frozenset(rng.sample(SKILLS, 4)),
            )
        )
    return out


def main() -> int:
    admin = store_db.make_engine(ADMIN)
    name = "tracker_bench_ingest"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        store_db.upgrade(url)
        engine = store_db.make_engine(url)
        sessions = store_db.session_factory(engine)
        postings = make_postings(N, random.Random(7))
        seen = datetime(2026, 11, 2, tzinfo=UTC)
        with store_db.transaction(sessions) as session:
            source_id = repo.ensure_source(session, kind="import", name="bench").id
        start = time.perf_counter()
        for offset in range(0, N, BATCH):
            with store_db.transaction(sessions) as session:
                repo.upsert_postings(session, source_id, "", postings[offset : offset + BATCH], seen)
                if (offset + BATCH) % repo.ANALYZE_EVERY == 0:  # the cadence `tracker import` uses
                    repo.refresh_statistics(session)
        insert_s = time.perf_counter() - start
        start = time.perf_counter()
        later = seen + timedelta(days=1)
        for offset in range(0, N, BATCH):
            with store_db.transaction(sessions) as session:
                repo.upsert_postings(session, source_id, "", postings[offset : offset + BATCH], later)
        reseen_s = time.perf_counter() - start
        engine.dispose()
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    figures = {
        "postings": N,
        "new_postings_per_s": round(N / insert_s),
        "reseen_postings_per_s": round(N / reseen_s),
        "target_postings_per_s": 10000,
        "backend": "postgresql",
    }
    record("ingest", figures)
    print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
