"""Build sources, clusters, postings and skills directly through the models, in batches."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.models import Posting, PostingCluster, Skill, Source

_serial = itertools.count(1)


@dataclass
class Job:
    """One real-world job: a cluster with its representative posting (and optional duplicate postings)."""

    family: str
    first_seen_at: datetime
    closed_at: datetime | None = None
    annual_min: float | None = None
    annual_max: float | None = None
    annual_mid: float | None = None  # default: geometric mean of min and max, or the single figure
    currency: str | None = "USD"
    pay_source: str | None = "employer"
    seniority: str = "mid"
    workplace: str | None = "onsite"
    country: str | None = "US"
    region: str | None = None
    company: str | None = "Acme"
    title: str | None = None
    skills: Sequence[str] = ()
    description: str | None = None
    duplicates: int = 0
    clustered: bool = True
    posting_ids: list[int] = field(default_factory=list)


def midpoint(lo: float | None, hi: float | None) -> float | None:
    """The annual midpoint as computed at ingest: geometric mean of min and max, or the single figure."""
    if lo is not None and hi is not None:
        return math.sqrt(lo * hi)
    return lo if lo is not None else hi


class Factory:
    """Inserts jobs into a session; one source per factory."""

    def __init__(self, session: Session, source_name: str | None = None) -> None:
        self.session = session
        self.source = Source(kind="test", name=source_name or f"factory-{next(_serial)}")
        session.add(self.source)
        session.flush()
        self._skills: set[str] = set(session.scalars(select(Skill.id)))

    def add(self, jobs: Iterable[Job]) -> list[Job]:
        """Insert the jobs (clusters, postings, duplicates, skills) and flush."""
        jobs = list(jobs)
        clusters: list[PostingCluster | None] = []
        for job in jobs:
            if not job.clustered:
                clusters.append(None)
                continue
            clusters.append(
                PostingCluster(
                    company_key=(job.company or "").lower(),
                    family=job.family,
                    title_key=job.title or job.family,
                    location_key=job.country or "",
                    first_seen_at=job.first_seen_at,
                    last_seen_at=job.closed_at or job.first_seen_at,
                    closed_at=job.closed_at,
                    size=1 + job.duplicates,
                )
            )
        self.session.add_all([c for c in clusters if c is not None])
        self.session.flush()
        postings: list[tuple[Job, PostingCluster | None, Posting, bool]] = []
        for job, cluster in zip(jobs, clusters, strict=True):
            for copy in range(1 + (job.duplicates if cluster is not None else 0)):
                posting = self._posting(job, cluster, copy)
                postings.append((job, cluster, posting, copy == 0))
        self.session.add_all([p for _, _, p, _ in postings])
        self.session.flush()
        new_skills = sorted({s for job in jobs for s in job.skills} - self._skills)
        self.session.add_all([Skill(id=s) for s in new_skills])
        self._skills |= set(new_skills)
        self.session.flush()
        for job, cluster, posting, representative in postings:
            job.posting_ids.append(posting.id)
            if representative and cluster is not None:
                cluster.representative_id = posting.id
            posting.skills = sorted(set(job.skills))
        self.session.flush()
        return jobs

    def _posting(self, job: Job, cluster: PostingCluster | None, copy: int) -> Posting:
        mid = job.annual_mid if job.annual_mid is not None else midpoint(job.annual_min, job.annual_max)
        priced = mid is not None
        # Duplicates carry absurd pay: a test fails if they are ever counted instead of the representative.
        factor = 1.0 if copy == 0 else 1000.0
        return Posting(
            source_id=self.source.id,
            external_id=f"ext-{next(_serial)}",
            company=job.company,
            title_raw=job.title or job.family.replace("_", " ").title(),
            family=job.family,
            seniority=job.seniority,
            country=job.country,
            region=job.region,
            workplace=job.workplace,
            pay_currency=job.currency if priced else None,
            pay_period="year" if priced else None,
            annual_min=None if job.annual_min is None else job.annual_min * factor,
            annual_max=None if job.annual_max is None else job.annual_max * factor,
            annual_mid=None if mid is None else mid * factor,
            pay_source=job.pay_source if priced else None,
            description_text=job.description,
            first_seen_at=job.first_seen_at,
            last_seen_at=job.closed_at or job.first_seen_at,
            closed_at=job.closed_at,
            cluster_id=None if cluster is None else cluster.id,
        )
