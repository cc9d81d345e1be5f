"""Planted import files for the examiner's end-to-end statistics tests, with the truth computed here.

Every posting's annual pay is known from the numbers written to the file, so the expected medians,
percentiles and gaps are computed with numpy from the planted rows, independently of tracker.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "external_id", "title", "company", "location", "pay_text", "pay_min", "pay_max", "pay_currency",
    "pay_period", "description", "url", "posted_at", "seen_at",
)  # fmt: skip
DS, MLE = "data_scientist", "ml_engineer"
TITLES = {
    DS: {"mid": "Data Scientist", "senior": "Senior Data Scientist", "staff": "Staff Data Scientist"},
    MLE: {
        "mid": "Machine Learning Engineer",
        "senior": "Senior Machine Learning Engineer",
        "staff": "Staff Machine Learning Engineer",
    },
}
LEVEL_PAY = {"mid": 1.0, "senior": 1.25, "staff": 1.5}
MIX = {DS: ([0.6, 0.3, 0.1]), MLE: ([0.2, 0.5, 0.3])}
LEVELS = ("mid", "senior", "staff")
CITIES = ("New York, NY", "San Francisco, CA", "Austin, TX", "Seattle, WA")
VOCAB = [f"w{i}" for i in range(400)]


@dataclass
class Planted:
    """One job as planted: its family, week index, annual pay in the market (None when unpriced or foreign)."""

    family: str
    week: int
    row: dict[str, str]
    annual: float | None = None  # the annual midpoint the report must use (market currency only)
    annual_min: float | None = None
    annual_max: float | None = None
    currency: str | None = None
    seniority: str = "mid"


@dataclass
class World:
    jobs: list[Planted] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)  # rows of a second source, same jobs

    def priced(self, family: str, weeks: set[int]) -> np.ndarray:
        return np.asarray(
            [j.annual for j in self.jobs if j.family == family and j.week in weeks and j.annual is not None]
        )

    def new(self, family: str, week: int) -> int:
        return sum(1 for j in self.jobs if j.family == family and j.week == week)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _description(rng: np.random.Generator, extra: str = "") -> str:
    words = " ".join(str(w) for w in rng.choice(VOCAB, 60))
    return f"We build models with Python and SQL. {words}. {extra}".strip()


def _pay_columns(
    kind: int, annual_lo: float, annual_hi: float, currency: str
) -> tuple[dict[str, str], float, float, str]:
    """Columns stating a band in one of several forms; returns the exact annualized min and max written."""
    sym = "$" if currency == "USD" else "€"
    if kind == 0:  # hourly columns
        lo, hi = round(annual_lo / 2080, 2), round(annual_hi / 2080, 2)
        cols = {
            "pay_min": f"{lo:.2f}",
            "pay_max": f"{hi:.2f}",
            "pay_currency": currency,
            "pay_period": "hour",
        }
        return cols, lo * 2080, hi * 2080, ""
    if kind == 1:  # monthly columns
        lo, hi = round(annual_lo / 12), round(annual_hi / 12)
        cols = {"pay_min": str(lo), "pay_max": str(hi), "pay_currency": currency, "pay_period": "month"}
        return cols, lo * 12.0, hi * 12.0, ""
    lo, hi = round(annual_lo), round(annual_hi)
    if kind == 2:  # only in the description
        return (
            {},
            float(lo),
            float(hi),
            f"The salary range for this role is {sym}{lo:,} - {sym}{hi:,} per year.",
        )
    if kind == 3:  # pay_text
        code = "" if currency == "USD" else f" {currency}"
        return {"pay_text": f"{sym}{lo:,} - {sym}{hi:,}{code} per year"}, float(lo), float(hi), ""
    cols = {"pay_min": str(lo), "pay_max": str(hi), "pay_currency": currency, "pay_period": "year"}
    return cols, float(lo), float(hi), ""


def build_world(
    monday: datetime,
    *,
    weeks: int,
    n_priced: dict[str, list[int]],
    premium: list[float],
    unpriced: int = 6,
    foreign: int = 3,
    duplicates: int = 8,
    seed: int = 7,
    base: float = 140_000.0,
) -> World:
    """`weeks` weeks ending with the week of `monday`; week index `weeks - 1` is the report week."""
    rng = np.random.default_rng(seed)
    world = World()
    serial = 0
    for k in range(weeks):
        start = monday - timedelta(weeks=weeks - 1 - k)
        for fam in (DS, MLE):
            plan = ["usd"] * n_priced[fam][k] + ["none"] * unpriced + ["eur"] * foreign
            for j, what in enumerate(plan):
                serial += 1
                level = str(rng.choice(LEVELS, p=MIX[fam]))
                mid = (
                    base
                    * LEVEL_PAY[level]
                    * (1.0 + (premium[k] if fam == MLE else 0.0))
                    * float(rng.lognormal(0, 0.12))
                )
                seen = start + timedelta(hours=float(rng.uniform(1, 166)))
                row = dict.fromkeys(HEADER, "")
                company = f"Company {int(rng.integers(0, 60)):02d}"
                row.update(
                    external_id=f"a-{serial}",
                    title=TITLES[fam][level],
                    company=company,
                    location=str(rng.choice(CITIES)),
                    url=f"https://jobs.example.org/a/{serial}",
                    seen_at=iso(seen),
                )
                job = Planted(fam, k, row, seniority=level)
                extra = ""
                if what != "none":
                    currency = "USD" if what == "usd" else "EUR"
                    cols, lo, hi, extra = _pay_columns(j % 5, mid * 0.9, mid * 1.1, currency)
                    row.update(cols)
                    job.currency = currency
                    if currency == "USD":
                        job.annual_min, job.annual_max, job.annual = lo, hi, math.sqrt(lo * hi)
                row["description"] = _description(rng, extra)
                world.jobs.append(job)
        if k == weeks - 1:
            for job in world.jobs[-duplicates * 3 :: 3][:duplicates]:
                dup = dict(job.row)
                dup["external_id"] = "b-" + job.row["external_id"]
                dup["url"] = job.row["url"].replace("/a/", "/b/")
                dup["seen_at"] = iso(
                    datetime.fromisoformat(job.row["seen_at"].replace("Z", "+00:00")) + timedelta(minutes=30)
                )
                world.duplicates.append(dup)
    return world


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_cli(
    *args: str, url: str, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = url
    env.update(env_extra or {})
    out = subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    return out


def report(url: str, week: str, env_extra: dict[str, str] | None = None) -> dict[str, Any]:
    import json

    out = run_cli("report", "--week", week, "--format", "json", url=url, env_extra=env_extra)
    assert out.returncode == 0, out.stderr
    payload: dict[str, Any] = json.loads(out.stdout)
    return payload
