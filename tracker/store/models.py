"""Typed SQLAlchemy 2.x models: the schema every migration must match (`alembic check`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    column,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

RUN_STATUSES = ("running", "ok", "partial", "failed")
PAY_SOURCES = ("employer", "description", "estimated")
PAY_PERIODS = ("hour", "day", "week", "month", "year")
WORKPLACES = ("remote", "hybrid", "onsite")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    allowed = ", ".join(f"'{v}'" for v in values)
    check = f"{column} IN ({allowed})"
    return f"{column} IS NULL OR {check}" if nullable else check


class Base(DeclarativeBase):
    """Declarative base with the project's constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType}


class Source(Base):
    """A configured source (a job board API, a search, a set of pages)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScrapeRun(Base):
    """One crawl of one source."""

    __tablename__ = "scrape_runs"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        Index("ix_scrape_runs_source_started", "source_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship()


class PostingCluster(Base):
    """One real-world job, seen across sources or reposts; weekly statistics count these."""

    __tablename__ = "posting_clusters"
    __table_args__ = (
        Index("ix_posting_clusters_key", "company_key", "family", "title_key", "location_key"),
        Index("ix_posting_clusters_family_first_seen", "family", "first_seen_at"),
        Index("ix_posting_clusters_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_key: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(32))
    title_key: Mapped[str] = mapped_column(String(300))
    location_key: Mapped[str] = mapped_column(String(200))
    representative_id: Mapped[int | None] = mapped_column(Integer)
    signature: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    size: Mapped[int] = mapped_column(Integer, default=1)


# A posting's skills live in its row (a list, not a table of pairs): writing a posting is one row, with no
# per-row foreign-key checks on a link table, and a posting's skills go with it when it is deleted.
SKILL_IDS = JSON().with_variant(ARRAY(String(64)), "postgresql")


class Posting(Base):
    """One listing at one source, normalized."""

    __tablename__ = "postings"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        CheckConstraint(_in("pay_source", PAY_SOURCES, nullable=True), name="pay_source"),
        CheckConstraint(_in("pay_period", PAY_PERIODS, nullable=True), name="pay_period"),
        CheckConstraint(_in("workplace", WORKPLACES, nullable=True), name="workplace"),
        Index("ix_postings_family_first_seen", "family", "first_seen_at"),
        Index("ix_postings_first_seen_at", "first_seen_at"),
        Index("ix_postings_last_seen_at", "last_seen_at"),
        Index("ix_postings_closed_at", "closed_at"),
        Index("ix_postings_cluster_id", "cluster_id"),
        Index("ix_postings_source_scope", "source_id", "scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str | None] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(String(300))
    title_raw: Mapped[str] = mapped_column(Text)
    family: Mapped[str] = mapped_column(String(32))
    seniority: Mapped[str] = mapped_column(String(16))
    location_raw: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    workplace: Mapped[str | None] = mapped_column(String(8))
    employment_type: Mapped[str | None] = mapped_column(String(16))
    pay_text: Mapped[str | None] = mapped_column(Text)
    pay_min: Mapped[float | None] = mapped_column(Float)
    pay_max: Mapped[float | None] = mapped_column(Float)
    pay_currency: Mapped[str | None] = mapped_column(String(3))
    pay_period: Mapped[str | None] = mapped_column(String(8))
    annual_min: Mapped[float | None] = mapped_column(Float)
    annual_max: Mapped[float | None] = mapped_column(Float)
    annual_mid: Mapped[float | None] = mapped_column(Float)
    pay_source: Mapped[str | None] = mapped_column(String(16))
    description_text: Mapped[str | None] = mapped_column(Text)
    description_hash: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("posting_clusters.id", ondelete="SET NULL"))
    skills: Mapped[list[str]] = mapped_column(SKILL_IDS, default=list)
    """Canonical skill ids, sorted: a varchar(64)[] on PostgreSQL, a JSON array on SQLite (the view `posting_skills`
    lists them one per row)."""

    source: Mapped[Source] = relationship()


class Skill(Base):
    """A canonical skill id (taxonomy)."""

    __tablename__ = "skills"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str | None] = mapped_column(String(64))


POSTING_SKILLS = table("posting_skills", column("posting_id", Integer), column("skill_id", String(64)))
"""The view of postings' skills, one row per (posting, skill): a view over `postings.skills`, not a table."""


class WeeklyReport(Base):
    """The computed report of one ISO week and market; recomputing replaces it."""

    __tablename__ = "weekly_reports"
    __table_args__ = (UniqueConstraint("iso_week", "market"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso_week: Mapped[str] = mapped_column(String(8))
    market: Mapped[str] = mapped_column(String(3))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ds_new: Mapped[int | None] = mapped_column(Integer)
    mle_new: Mapped[int | None] = mapped_column(Integer)
    ds_pay_n: Mapped[int | None] = mapped_column(Integer)
    mle_pay_n: Mapped[int | None] = mapped_column(Integer)
    ds_pay_median: Mapped[float | None] = mapped_column(Float)
    mle_pay_median: Mapped[float | None] = mapped_column(Float)
    gap_abs: Mapped[float | None] = mapped_column(Float)
    gap_pct: Mapped[float | None] = mapped_column(Float)
    gap_ci_low: Mapped[float | None] = mapped_column(Float)
    gap_ci_high: Mapped[float | None] = mapped_column(Float)
    gap_p_value: Mapped[float | None] = mapped_column(Float)
    adjusted_pct: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)


class EmailDelivery(Base):
    """One weekly summary to one set of recipients: claimed before sending, marked sent after."""

    __tablename__ = "email_deliveries"
    __table_args__ = (
        UniqueConstraint("iso_week", "market", "recipients"),
        CheckConstraint(_in("status", DELIVERY_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso_week: Mapped[str] = mapped_column(String(8))
    market: Mapped[str] = mapped_column(String(3))
    recipients: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(300))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
