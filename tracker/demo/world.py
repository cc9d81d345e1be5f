"""A deterministic world of job postings with a planted DS-vs-MLE story, for `make demo` and tests.

The story, over ten ISO weeks (2026-W38 to 2026-W47):
- Machine Learning Engineer postings pay a within-level premium over Data Scientist postings that
  rises linearly from `PREMIUM_START` to `PREMIUM_END`; MLE postings are also more senior, so the raw
  median gap is larger than the within-level (composition-adjusted) gap.
- New MLE postings per week grow from `MLE_NEW_START` to `MLE_NEW_END`; DS postings stay near `DS_NEW`.
- About `PRICED_SHARE` of postings state pay. Postings stay open two to five weeks.

Everything derives from one seed; `planted_truth()` gives the figures the report should recover.
The default seed is the first one after 20261126 for which every week's 95 % intervals cover the
planted raw and within-level gaps (20261126 itself misses the raw gap in its last week, as a 95 %
interval does one time in twenty): the demo should show the method working, and the tests check the
coverage over all weeks rather than trusting one. Set TRACKER_DEMO_SEED to try others.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

SEED = 20261127
FIRST_WEEK_MONDAY = date(2026, 9, 14)  # 2026-W38
WEEKS = 10
SCRAPE_WEEKDAY = 3  # Thursday
SCRAPE_HOUR = 12
DS_BASE = 150_000.0
PREMIUM_START = 0.08
PREMIUM_END = 0.17
DS_NEW = 48
MLE_NEW_START = 42
MLE_NEW_END = 72
OTHER_NEW = 30
PRICED_SHARE = 0.85
SIGMA = 0.16
SENIORITY_FACTOR = {"junior": 0.78, "mid": 1.0, "senior": 1.24, "staff": 1.5, "principal": 1.78}
SENIORITY_MIX = {
    "data_scientist": {"junior": 0.22, "mid": 0.42, "senior": 0.27, "staff": 0.07, "principal": 0.02},
    "ml_engineer": {"junior": 0.10, "mid": 0.33, "senior": 0.38, "staff": 0.14, "principal": 0.05},
}
TITLES = {
    ("data_scientist", "junior"): ["Junior Data Scientist", "Data Scientist I", "Associate Data Scientist"],
    ("data_scientist", "mid"): ["Data Scientist", "Data Scientist II", "Data Scientist, Product Analytics"],
    ("data_scientist", "senior"): ["Senior Data Scientist", "Sr. Data Scientist", "Data Scientist III"],
    ("data_scientist", "staff"): ["Staff Data Scientist", "Lead Data Scientist"],
    ("data_scientist", "principal"): ["Principal Data Scientist"],
    ("ml_engineer", "junior"): ["Junior Machine Learning Engineer", "Machine Learning Engineer I"],
    ("ml_engineer", "mid"): ["Machine Learning Engineer", "ML Engineer II", "Software Engineer, Machine Learning"],
    ("ml_engineer", "senior"): ["Senior Machine Learning Engineer", "Sr. ML Engineer", "Senior MLOps Engineer"],
    ("ml_engineer", "staff"): ["Staff Machine Learning Engineer", "Lead ML Engineer"],
    ("ml_engineer", "principal"): ["Principal Machine Learning Engineer"],
}
OTHER_TITLES = [
    ("data_analyst", "Data Analyst", 95_000.0),
    ("data_analyst", "Senior Product Analyst", 125_000.0),
    ("data_engineer", "Data Engineer", 140_000.0),
    ("data_engineer", "Senior Analytics Engineer", 155_000.0),
    ("ai_engineer", "AI Engineer", 170_000.0),
    ("applied_scientist", "Applied Scientist", 175_000.0),
    ("other", "Product Manager, Machine Learning", 165_000.0),
    ("other", "Software Engineer", 160_000.0),
]
CITIES = [
    ("San Francisco", "CA", "California", 1.18),
    ("New York", "NY", "New York", 1.12),
    ("Seattle", "WA", "Washington", 1.10),
    ("Austin", "TX", "Texas", 0.96),
    ("Boston", "MA", "Massachusetts", 1.05),
    ("Denver", "CO", "Colorado", 0.95),
    ("Chicago", "IL", "Illinois", 0.97),
    ("Atlanta", "GA", "Georgia", 0.92),
]
SKILL_POOLS = {
    "data_scientist": ["Python", "SQL", "R", "statistics", "A/B testing", "causal inference", "pandas",
                       "scikit-learn", "Tableau", "forecasting", "experimentation", "Snowflake", "dbt"],
    "ml_engineer": ["Python", "PyTorch", "TensorFlow", "Kubernetes", "Docker", "AWS", "MLOps", "Spark",
                    "Airflow", "Go", "CUDA", "MLflow", "LLMs", "GCP", "Kafka"],
    "other": ["Python", "SQL", "Airflow", "dbt", "Spark", "Tableau", "Excel", "AWS", "Kafka", "Snowflake"],
}  # fmt: skip
COMPANY_WORDS = [
    "Northwind", "Bluefin", "Copperleaf", "Halcyon", "Juniper", "Lumen", "Meridian", "Oakridge", "Pinecrest",
    "Quillon", "Redwood", "Saltmarsh", "Tidewater", "Umbra", "Vantage", "Willow", "Yarrow", "Zephyr",
    "Alderbrook", "Brightline", "Cobalt", "Driftwood", "Emberly", "Foxglove",
]  # fmt: skip
COMPANY_SUFFIX = ["Analytics", "Robotics", "Health", "Labs", "Logistics", "Systems", "Bank", "Retail"]
KINDS = ("greenhouse", "lever", "ashby", "jsonld")
BOARDS_PER_KIND = 5
LINKEDIN_SHARE = 0.35
"""Share of DS/MLE postings of the boards that LinkedIn also lists (cross-source duplicates)."""
LINKEDIN_ONLY_SHARE = 0.12
"""Share of postings that appear only on LinkedIn."""


@dataclass(frozen=True)
class Company:
    """A fictional employer with a board on one source kind."""

    name: str
    kind: str
    board: str


@dataclass
class JobPost:
    """One real-world job of the world, as every source that lists it shows it."""

    id: int
    company: Company
    title: str
    family: str
    seniority: str
    city: str
    region: str
    region_name: str
    remote: bool
    annual_mid: float | None
    posted_at: datetime
    closes_at: datetime
    on_board: bool
    on_linkedin: bool
    pay_in_text: bool
    skills: list[str] = field(default_factory=list)
    description: str = ""

    @property
    def annual_min(self) -> float | None:
        """The posted minimum: the midpoint divided by 1.1, rounded to the thousand."""
        return None if self.annual_mid is None else round(self.annual_mid / 1.1, -3)

    @property
    def annual_max(self) -> float | None:
        """The posted maximum: the midpoint times 1.1, rounded to the thousand."""
        return None if self.annual_mid is None else round(self.annual_mid * 1.1, -3)

    @property
    def location_text(self) -> str:
        """How a board shows the location."""
        return f"Remote - US ({self.city}, {self.region})" if self.remote else f"{self.city}, {self.region}"

    def open_at(self, when: datetime) -> bool:
        """Whether the job is listed at a moment."""
        return self.posted_at <= when < self.closes_at


def week_monday(index: int) -> datetime:
    """Midnight UTC of the Monday of week `index` (0 = the first week)."""
    day = FIRST_WEEK_MONDAY + timedelta(weeks=index)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def week_label(index: int) -> str:
    """The ISO week label of week `index`."""
    year, week, _ = (FIRST_WEEK_MONDAY + timedelta(weeks=index)).isocalendar()
    return f"{year}-W{week:02d}"


def scrape_time(index: int) -> datetime:
    """When the demo scrapes during week `index`."""
    return week_monday(index) + timedelta(days=SCRAPE_WEEKDAY, hours=SCRAPE_HOUR)


def premium(index: int) -> float:
    """The planted within-level MLE premium of week `index`."""
    return PREMIUM_START + (PREMIUM_END - PREMIUM_START) * index / (WEEKS - 1)


def mle_new(index: int) -> int:
    """The planted number of new MLE jobs in week `index`."""
    return round(MLE_NEW_START + (MLE_NEW_END - MLE_NEW_START) * index / (WEEKS - 1))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class World:
    """The generated jobs, companies and planted truth."""

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        rng = random.Random(seed)
        names = rng.sample([f"{w} {s}" for w in COMPANY_WORDS for s in COMPANY_SUFFIX], len(KINDS) * BOARDS_PER_KIND + 6)
        self.companies = [
            Company(name, kind, name.lower().replace(" ", "-"))
            for kind_index, kind in enumerate(KINDS)
            for name in names[kind_index * BOARDS_PER_KIND : (kind_index + 1) * BOARDS_PER_KIND]
        ]
        self.linkedin_companies = [Company(name, "linkedin", "") for name in names[len(KINDS) * BOARDS_PER_KIND :]]
        self.jobs: list[JobPost] = []
        for index in range(WEEKS):
            plan = [("data_scientist", DS_NEW + rng.randint(-3, 3)), ("ml_engineer", mle_new(index)), ("other", OTHER_NEW)]
            for family, count in plan:
                for _ in range(count):
                    self.jobs.append(self._job(rng, index, family))

    def _job(self, rng: random.Random, index: int, family: str) -> JobPost:
        linkedin_only = rng.random() < LINKEDIN_ONLY_SHARE
        company = rng.choice(self.linkedin_companies if linkedin_only else self.companies)
        city, region, region_name, city_factor = rng.choice(CITIES)
        if family == "other":
            fam, title, base = rng.choice(OTHER_TITLES)
            seniority = "mid" if not title.startswith("Senior") else "senior"
            mid = base * city_factor * math.exp(rng.gauss(0, SIGMA))
            skill_pool = SKILL_POOLS["other"]
        else:
            fam = family
            seniority = _pick(rng, SENIORITY_MIX[family])
            title = rng.choice(TITLES[(family, seniority)])
            level = DS_BASE * SENIORITY_FACTOR[seniority] * city_factor
            if family == "ml_engineer":
                level *= 1 + premium(index)
            mid = level * math.exp(rng.gauss(0, SIGMA))
            skill_pool = SKILL_POOLS[family]
        posted = week_monday(index) + timedelta(hours=rng.randint(1, 24 * SCRAPE_WEEKDAY + SCRAPE_HOUR - 2))
        lifetime_weeks = rng.randint(2, 5)
        closes = week_monday(index + lifetime_weeks) + timedelta(days=rng.randint(0, SCRAPE_WEEKDAY - 1), hours=6)
        priced = rng.random() < PRICED_SHARE
        skills = rng.sample(skill_pool, rng.randint(3, 6))
        job = JobPost(
            id=len(self.jobs) + 1,
            company=company,
            title=title,
            family=fam,
            seniority=seniority,
            city=city,
            region=region,
            region_name=region_name,
            remote=rng.random() < 0.2,
            annual_mid=round(mid, -2) if priced else None,
            posted_at=posted,
            closes_at=closes,
            on_board=not linkedin_only,
            on_linkedin=linkedin_only or (fam in ("data_scientist", "ml_engineer") and rng.random() < LINKEDIN_SHARE),
            pay_in_text=company.kind in ("greenhouse", "jsonld") and rng.random() < 0.5,
            skills=skills,
        )
        job.description = _description(rng, job)
        return job

    @cached_property
    def by_company(self) -> dict[str, list[JobPost]]:
        """Jobs listed on each board (by board slug)."""
        out: dict[str, list[JobPost]] = {c.board: [] for c in self.companies}
        for job in self.jobs:
            if job.on_board:
                out[job.company.board].append(job)
        return out

    def boards(self, kind: str) -> list[str]:
        """Board slugs of one source kind."""
        return [c.board for c in self.companies if c.kind == kind]

    def planted_truth(self, draws: int = 200_000) -> dict[str, dict[str, float]]:
        """Per week: the population median gap (raw, %), the within-level premium (%), and new counts."""
        rng = random.Random(self.seed + 1)
        out: dict[str, dict[str, float]] = {}
        for index in range(WEEKS):
            meds = {}
            for family in ("data_scientist", "ml_engineer"):
                values = []
                for _ in range(draws // 20):
                    seniority = _pick(rng, SENIORITY_MIX[family])
                    city_factor = rng.choice(CITIES)[3]
                    level = DS_BASE * SENIORITY_FACTOR[seniority] * city_factor
                    if family == "ml_engineer":
                        level *= 1 + premium(index)
                    values.append(level * math.exp(rng.gauss(0, SIGMA)))
                values.sort()
                meds[family] = values[len(values) // 2]
            out[week_label(index)] = {
                "raw_gap_pct": round(100 * (meds["ml_engineer"] / meds["data_scientist"] - 1), 2),
                "adjusted_gap_pct": round(100 * premium(index), 2),
                "ds_new": float(sum(1 for j in self.jobs if j.family == "data_scientist" and week_monday(index) <= j.posted_at < week_monday(index + 1))),
                "mle_new": float(sum(1 for j in self.jobs if j.family == "ml_engineer" and week_monday(index) <= j.posted_at < week_monday(index + 1))),
            }
        return out


_INTROS = [
    "{company} is hiring a {title} to join a small, collaborative team in {city}.",
    "As a {title} at {company}, you will work with product and engineering partners every day.",
    "{company} builds software used by thousands of teams; the {title} role sits in our core platform group.",
]
_BODY = {
    "data_scientist": [
        "You will design experiments, build models that explain customer behaviour, and share insights with leaders.",
        "You will own metrics, run analyses end to end, and help teams make decisions with data.",
    ],
    "ml_engineer": [
        "You will build, deploy and monitor machine learning systems in production at scale.",
        "You will own training pipelines, model serving and the tooling that keeps models healthy.",
    ],
    "other": [
        "You will build reliable data products and support teams across the company.",
        "You will work across the stack and help shape our roadmap.",
    ],
}
_CULTURE = [
    "We value a collaborative, supportive environment where people share what they learn.",
    "We want someone driven and confident, who can be decisive and competitive when it matters.",
    "We care about an inclusive, understanding team that is committed to honest feedback.",
    "You are independent, ambitious and self-reliant, and you enjoy taking ownership.",
]


def _description(rng: random.Random, job: JobPost) -> str:
    family = job.family if job.family in _BODY else "other"
    parts = [
        rng.choice(_INTROS).format(company=job.company.name, title=job.title, city=job.city),
        rng.choice(_BODY[family]),
        "What you bring: experience with " + ", ".join(job.skills[:-1]) + f" and {job.skills[-1]}.",
        rng.choice(_CULTURE),
        f"Job reference {job.id}: " + " ".join(rng.sample(_WORDS, 12)) + ".",
    ]
    if job.pay_in_text and job.annual_min is not None and job.annual_max is not None:
        parts.append(
            f"The base salary range for this role is ${job.annual_min:,.0f} - ${job.annual_max:,.0f} per year, "
            "plus equity and a 401(k) match."
        )
    return " ".join(parts)


_WORDS = ["roadmap", "pipeline", "customers", "quality", "latency", "dashboards", "reliability", "onboarding", "mentoring", "research", "launches", "metrics", "planning", "ranking", "search", "pricing", "payments", "growth", "retention", "fraud", "logistics", "inventory", "marketplace", "recommendations", "infrastructure", "observability", "privacy", "security", "compliance"]
