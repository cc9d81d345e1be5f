"""Benchmark: `run_report` for one week over 1,000,000 postings spread over 52 weeks in PostgreSQL.

Creates its own database (tracker_bench_report) on 127.0.0.1:5432 as user postgres, migrates it,
loads synthetic clusters, postings and skills with COPY, times `tracker.reporting.run_report` for the
last of the 52 weeks (bootstrap included), drops the database and merges the figures into
bench/results.json under "report".

    python bench/report.py [--postings 1000000] [--keep] [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tracker.analyze.weeks import week_bounds  # noqa: E402
from tracker.bootstrap import App  # noqa: E402
from tracker.config import FAMILIES, settings_from_mapping  # noqa: E402
from tracker.reporting import run_report  # noqa: E402
from tracker.store import db as store_db  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
DB_NAME = "tracker_bench_report"
WEEK = "2026-W47"
WEEKS = 52
FAMILY_P = np.array([0.22, 0.20, 0.08, 0.05, 0.15, 0.15, 0.15])
BASE_PAY = np.array([150e3, 185e3, 190e3, 200e3, 95e3, 150e3, 130e3])
SENIORITY = np.array(["junior", "mid", "senior", "staff", "principal", "manager", "director"])
SENIORITY_P = np.array([0.12, 0.33, 0.30, 0.1, 0.03, 0.08, 0.04])
SENIORITY_EFFECT = np.array([-0.25, 0.0, 0.2, 0.35, 0.5, 0.3, 0.6])
WORKPLACE = np.array(["remote", "hybrid", "onsite", ""])
REGIONS = np.array(["CA", "NY", "WA", "TX", "MA", "IL", "CO", "GA", "NC", "VA"])
CURRENCIES = np.array(["USD", "EUR", "GBP", "CAD"])
CURRENCY_P = np.array([0.85, 0.07, 0.05, 0.03])
SOURCES = np.array(["employer", "description", "estimated"])
SKILLS = [
    "python", "r", "sql", "scala", "java", "go", "cpp", "spark", "airflow", "dbt", "kafka", "snowflake", "databricks",
    "pandas", "numpy", "scikit-learn", "pytorch", "tensorflow", "xgboost", "huggingface", "llm", "nlp",
    "computer-vision", "deep-learning", "statistics", "ab-testing", "causal-inference", "mlops", "docker",
    "kubernetes", "aws", "gcp", "tableau", "excel",
]
WORDS = ["we", "are", "looking", "for", "an", "ambitious", "and", "collaborative", "engineer", "to", "join", "our", "growing", "team", "you", "will", "build", "models", "pipelines", "and", "products", "with", "python", "and", "sql", "our", "culture", "is", "supportive", "inclusive", "and", "honest", "we", "value", "competitive", "drive", "curiosity", "and", "kindness", "you", "will", "work", "together", "with", "product", "partners", "to", "understand", "customer", "needs", "and", "ship", "reliable", "systems", "experience", "with", "cloud", "platforms", "is", "a", "plus", "we", "offer", "competitive", "pay", "benefits", "and", "a", "warm", "welcoming", "workplace", "where", "independent", "thinkers", "and", "loyal", "teammates", "thrive"]


def _tsv(value: Any) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _copy(conn: Any, table: str, columns: list[str], rows: Any) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buf = io.StringIO()
        for n, row in enumerate(rows, 1):
            buf.write("\t".join(_tsv(v) for v in row))
            buf.write("\n")
            if n % 50_000 == 0:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def load(url: str, n_postings: int, seed: int = 42) -> dict[str, int]:
    """Generate and COPY sources, clusters and postings (with their skills); return the row counts."""
    import psycopg

    rng = np.random.default_rng(seed)
    start, _ = week_bounds(WEEK, "UTC")
    end = start + timedelta(weeks=1)
    t0 = (end - timedelta(weeks=WEEKS)).timestamp()
    t_end = end.timestamp()
    n_clusters = int(n_postings * 0.85)
    n_single = int(n_postings * 0.01)  # postings never clustered: units of their own
    fam = rng.choice(len(FAMILIES), size=n_postings, p=FAMILY_P)
    first = rng.uniform(t0, t_end, size=n_postings)
    closed = first + rng.exponential(30 * 86400, size=n_postings)
    still_open = (rng.random(n_postings) < 0.2) | (closed >= t_end)
    # Duplicates join a random cluster of the same family shortly after it was first seen.
    cluster_of = np.arange(1, n_postings + 1)
    dup = np.arange(n_clusters, n_postings - n_single)
    target = rng.integers(0, n_clusters, size=dup.size)
    cluster_of[dup] = target + 1
    fam[dup] = fam[target]
    first[dup] = np.minimum(first[target] + rng.uniform(0, 3 * 86400, size=dup.size), t_end - 1)
    cluster_of[n_postings - n_single :] = 0
    sen = rng.choice(len(SENIORITY), size=n_postings, p=SENIORITY_P)
    priced = rng.random(n_postings) < 0.6
    pay = BASE_PAY[fam] * np.exp(SENIORITY_EFFECT[sen] + rng.normal(0, 0.25, size=n_postings))
    spread = rng.uniform(1.1, 1.4, size=n_postings)
    cur = rng.choice(CURRENCIES, size=n_postings, p=CURRENCY_P)
    src = rng.choice(SOURCES, size=n_postings, p=[0.7, 0.2, 0.1])
    work = rng.choice(WORKPLACE, size=n_postings, p=[0.3, 0.3, 0.3, 0.1])
    region = rng.choice(REGIONS, size=n_postings)
    company = rng.integers(0, 5000, size=n_postings)
    templates = [" ".join(rng.choice(WORDS, size=70)) for _ in range(64)]
    desc = rng.integers(0, len(templates), size=n_postings)

    # Python lists: element access on numpy arrays row by row is far slower.
    fam_name = [FAMILIES[k] for k in fam.tolist()]
    first_iso = [_iso(t) for t in first.tolist()]
    closed_iso = [None if o else _iso(c) for o, c in zip(still_open.tolist(), closed.tolist(), strict=True)]
    last_iso = [c or _iso(t_end - 1) for c in closed_iso]
    sen_l, cur_l, src_l = SENIORITY[sen].tolist(), cur.tolist(), src.tolist()
    work_l, region_l, company_l = work.tolist(), region.tolist(), company.tolist()
    priced_l, desc_l, cluster_l = priced.tolist(), desc.tolist(), cluster_of.tolist()
    lo_l = np.round(pay / np.sqrt(spread)).tolist()
    hi_l = np.round(pay * np.sqrt(spread)).tolist()

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("INSERT INTO sources (id, kind, name, enabled, created_at, updated_at) VALUES (1, 'bench', 'bench', true, now(), now())")
        conn.execute("INSERT INTO skills (id) SELECT unnest(%s::text[])", (SKILLS,))
        _copy(
            conn,
            "posting_clusters",
            ["id", "company_key", "family", "title_key", "location_key", "representative_id", "first_seen_at",
             "last_seen_at", "closed_at", "size"],
            (
                (i + 1, f"company {company_l[i]}", fam_name[i], fam_name[i], f"US/{region_l[i]}", i + 1,
                 first_iso[i], last_iso[i], closed_iso[i], 1)
                for i in range(n_clusters)
            ),
        )
        cols = ["id", "source_id", "external_id", "scope", "company", "title_raw", "family", "seniority", "country",
                "region", "workplace", "pay_min", "pay_max", "pay_currency", "pay_period", "annual_min", "annual_max",
                "annual_mid", "pay_source", "description_text", "first_seen_at", "last_seen_at", "closed_at", "cluster_id",
                "skills"]
        # Skills: each posting names each skill with a family-dependent probability (about 4 per posting).
        probs = rng.uniform(0.02, 0.25, size=(len(FAMILIES), len(SKILLS)))
        pairs = 0
        by_name = sorted(range(len(SKILLS)), key=SKILLS.__getitem__)
        names = [SKILLS[k] for k in by_name]

        def skill_arrays() -> Any:
            nonlocal pairs
            for lo_i in range(0, n_postings, 200_000):
                hi_i = min(n_postings, lo_i + 200_000)
                mask = rng.random((hi_i - lo_i, len(SKILLS))) < probs[fam[lo_i:hi_i]]
                pairs += int(mask.sum())
                for row in mask[:, by_name].tolist():  # columns in name order: stored skills are sorted
                    yield "{" + ",".join(skill for skill, named in zip(names, row, strict=True) if named) + "}"

        def rows() -> Any:
            for i, skills in zip(range(n_postings), skill_arrays(), strict=True):
                lo = hi = mid = None
                if priced_l[i]:
                    lo, hi = lo_l[i], hi_l[i]
                    mid = round((lo * hi) ** 0.5, 2)
                yield (
                    i + 1, 1, f"b{i + 1}", "", f"Company {company_l[i]}", fam_name[i].replace("_", " "),
                    fam_name[i], sen_l[i], "US", region_l[i], work_l[i] or None, lo, hi,
                    cur_l[i] if priced_l[i] else None, "year" if priced_l[i] else None, lo, hi, mid,
                    src_l[i] if priced_l[i] else None, templates[desc_l[i]], first_iso[i],
                    last_iso[i], closed_iso[i], cluster_l[i] or None, skills,
                )

        _copy(conn, "postings", cols, rows())
        for table, column in (("postings", "id"), ("posting_clusters", "id"), ("sources", "id")):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")  # a bulk-loaded database is not in the steady state a report runs in
    return {"postings": n_postings, "clusters": n_clusters, "unclustered_postings": n_single, "posting_skills": pairs}


def _existing_counts(url: str) -> dict[str, int]:
    engine = store_db.make_engine(url)
    with engine.connect() as conn:
        counts = {
            "postings": int(conn.execute(text("SELECT count(*) FROM postings")).scalar_one()),
            "clusters": int(conn.execute(text("SELECT count(*) FROM posting_clusters")).scalar_one()),
            "unclustered_postings": int(conn.execute(text("SELECT count(*) FROM postings WHERE cluster_id IS NULL")).scalar_one()),
            "posting_skills": int(conn.execute(text("SELECT count(*) FROM posting_skills")).scalar_one()),
        }
    engine.dispose()
    return counts


def merge_results(key: str, figures: dict[str, Any]) -> None:
    """Update one key of bench/results.json, keeping the others."""
    data: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            data = json.loads(RESULTS.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            data = {}
    data[key] = figures
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time against a database kept by an earlier --keep run")
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)

    admin = store_db.make_engine(args.admin_url)
    url = make_url(args.admin_url).set(database=DB_NAME).render_as_string(hide_password=False)
    app: App | None = None
    try:
        load_s: float | None = None
        if args.reuse:
            counts = _existing_counts(url)
        else:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
            store_db.upgrade(url)
            t = time.perf_counter()
            counts = load(url, args.postings)
            load_s = round(time.perf_counter() - t, 1)
            print(f"loaded {counts} in {load_s:.1f} s", flush=True)
        # Import the statistics stack first so that the runs time the report, not module loading
        # (the import is timed separately: the CLI pays it once per process, the daemon once).
        t = time.perf_counter()
        import scipy.stats  # noqa: F401
        import statsmodels.regression.linear_model  # noqa: F401

        import_s = round(time.perf_counter() - t, 3)
        app = App(settings_from_mapping({"database": {"url": url}}))
        runs = []
        payload: dict[str, Any] = {}
        for _ in range(args.runs):
            t = time.perf_counter()
            payload = run_report(app, week=WEEK, market="USD")
            runs.append(round(time.perf_counter() - t, 3))
            print(f"run_report {WEEK}: {runs[-1]:.2f} s", flush=True)
        gap = payload["gap"]
        figures = {
            "what": "run_report for one ISO week (counts, window rows, bootstrap, OLS, skills, framing, store), PostgreSQL",
            "week": WEEK,
            "weeks_of_data": WEEKS,
            **counts,
            "bootstrap_resamples": gap["bootstrap_resamples"],
            "n_ds": gap["n_ds"],
            "n_mle": gap["n_mle"],
            "first_run_s": runs[0],
            "median_run_s": statistics.median(runs),
            "runs_s": runs,
            "target_s": 5.0,
            "ok": max(runs) < 5.0,
            "import_s": import_s,
            "load_s": load_s,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        merge_results("report", figures)
        print(json.dumps(figures, indent=2))
        return 0 if figures["ok"] else 1
    finally:
        if app is not None:
            app.close()
        if not args.keep:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
