"""The SQL of the weekly report: counts per family and week, and only the window's rows.

A unit is one real-world job: a posting cluster (its representative posting carries the fields),
or a posting that was never clustered (`cluster_id IS NULL`), which stands for itself. Unclustered
postings get negative unit ids so the two kinds never collide.

Every query filters on indexed columns: `posting_clusters(family, first_seen_at)` and
`postings(family, first_seen_at)` with the family list given explicitly (PostgreSQL scans the
composite index once per family), `closed_at` for the open-at-any-moment count, and
`postings(cluster_id)` for the unclustered ones. Timestamps are compared as UTC bounds computed by
the caller, so weeks follow the report's timezone on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from tracker.store.models import POSTING_SKILLS, Posting, PostingCluster

_C = PostingCluster.__table__
_P = Posting.__table__
_S = POSTING_SKILLS


@dataclass
class PricedColumns:
    """Priced units as columns: the representative posting's pay and controls, the week index of the cluster's first sighting."""

    unit: list[int] = field(default_factory=list)
    family: list[str] = field(default_factory=list)
    week: list[int] = field(default_factory=list)
    annual_mid: list[float] = field(default_factory=list)
    annual_min: list[float | None] = field(default_factory=list)
    annual_max: list[float | None] = field(default_factory=list)
    seniority: list[str | None] = field(default_factory=list)
    workplace: list[str | None] = field(default_factory=list)
    country: list[str | None] = field(default_factory=list)
    region: list[str | None] = field(default_factory=list)
    company: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.unit)


@dataclass(frozen=True)
class CountRow:
    """Units of one family in one week (index into the bounds given)."""

    family: str
    week: int
    new: int
    active: int
    closed: int


def _bucket(column: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """The index k with bounds[k] <= column < bounds[k + 1] (callers filter to [bounds[0], bounds[-1]))."""
    whens = [(column >= bounds[k], literal(k)) for k in range(len(bounds) - 2, 0, -1)]
    if not whens:
        return literal(0)
    return case(*whens, else_=literal(0))


def cluster_counts(session: Session, bounds: Sequence[datetime]) -> list[CountRow]:
    """new / active / closed units per family for each week [bounds[k], bounds[k+1]), in one pass."""
    if len(bounds) < 2:
        return []
    start, end = bounds[0], bounds[-1]
    clustered = select(_C.c.family, _C.c.first_seen_at, _C.c.closed_at).where(
        _C.c.first_seen_at < end, or_(_C.c.closed_at.is_(None), _C.c.closed_at >= start)
    )
    single = select(_P.c.family, _P.c.first_seen_at, _P.c.closed_at).where(
        _P.c.cluster_id.is_(None), _P.c.first_seen_at < end, or_(_P.c.closed_at.is_(None), _P.c.closed_at >= start)
    )
    units = union_all(clustered, single).subquery("units")
    first, closed = units.c.first_seen_at, units.c.closed_at
    columns: list[Any] = [units.c.family]
    for k in range(len(bounds) - 1):
        lo, hi = bounds[k], bounds[k + 1]
        columns += [
            func.sum(case((and_(first >= lo, first < hi), 1), else_=0)).label(f"new_{k}"),
            func.sum(case((and_(first < hi, or_(closed.is_(None), closed >= lo)), 1), else_=0)).label(f"active_{k}"),
            func.sum(case((and_(closed >= lo, closed < hi), 1), else_=0)).label(f"closed_{k}"),
        ]
    out: list[CountRow] = []
    for row in session.execute(select(*columns).group_by(units.c.family)).mappings():
        for k in range(len(bounds) - 1):
            out.append(
                CountRow(row["family"], k, int(row[f"new_{k}"] or 0), int(row[f"active_{k}"] or 0), int(row[f"closed_{k}"] or 0))
            )
    return out


def tune_session(session: Session) -> None:
    """Per-transaction settings for the report's queries (PostgreSQL: no JIT, whose compile time exceeds these sub-second queries)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def _priced_select(
    *, clustered: bool, families: Sequence[str], bounds: Sequence[datetime], first: int, market: str, pay_sources: Sequence[str]
) -> Select[Any]:
    start, end = bounds[first], bounds[-1]
    pay_cols = (
        _P.c.annual_mid,
        _P.c.annual_min,
        _P.c.annual_max,
        _P.c.seniority,
        _P.c.workplace,
        _P.c.country,
        _P.c.region,
        _P.c.company,
    )
    priced = and_(_P.c.pay_currency == market, _P.c.annual_mid.is_not(None), _P.c.pay_source.in_(list(pay_sources)))
    if clustered:
        return (
            select(_C.c.id.label("unit"), _C.c.family, _bucket(_C.c.first_seen_at, bounds).label("week"), *pay_cols)
            .select_from(_C.join(_P, _P.c.id == _C.c.representative_id))
            .where(_C.c.family.in_(list(families)), _C.c.first_seen_at >= start, _C.c.first_seen_at < end, priced)
        )
    return select(
        (-_P.c.id).label("unit"), _P.c.family, _bucket(_P.c.first_seen_at, bounds).label("week"), *pay_cols
    ).where(
        _P.c.cluster_id.is_(None), _P.c.family.in_(list(families)), _P.c.first_seen_at >= start, _P.c.first_seen_at < end, priced
    )


def priced_rows(
    session: Session,
    spans: Sequence[tuple[Sequence[str], int]],
    bounds: Sequence[datetime],
    *,
    market: str,
    pay_sources: Sequence[str],
) -> PricedColumns:
    """Priced units in `market`: for each (families, k), those first seen in [bounds[k], bounds[-1]); `week` indexes bounds."""
    parts = [
        _priced_select(clustered=clustered, families=fams, bounds=bounds, first=k, market=market, pay_sources=pay_sources)
        for fams, k in spans
        if fams
        for clustered in (True, False)
    ]
    if not parts:
        return PricedColumns()
    rows = session.execute(union_all(*parts)).all()
    if not rows:
        return PricedColumns()
    return PricedColumns(*(list(column) for column in zip(*rows, strict=True)))


def skill_counts(
    session: Session, families: Sequence[str], bounds: Sequence[datetime]
) -> list[tuple[str, int, str, int]]:
    """(family, week index, skill, units naming it) for units first seen in [bounds[0], bounds[-1])."""
    if len(bounds) < 2:
        return []
    start, end = bounds[0], bounds[-1]
    clustered = (
        select(_C.c.family, _C.c.first_seen_at, _S.c.skill_id)
        .select_from(_C.join(_S, _S.c.posting_id == _C.c.representative_id))
        .where(_C.c.family.in_(list(families)), _C.c.first_seen_at >= start, _C.c.first_seen_at < end)
    )
    single = (
        select(_P.c.family, _P.c.first_seen_at, _S.c.skill_id)
        .select_from(_P.join(_S, _S.c.posting_id == _P.c.id))
        .where(_P.c.cluster_id.is_(None), _P.c.family.in_(list(families)), _P.c.first_seen_at >= start, _P.c.first_seen_at < end)
    )
    units = union_all(clustered, single).subquery("units")
    # Bucket in a subquery: PostgreSQL does not match GROUP BY expressions whose bound parameters differ.
    bucketed = select(units.c.family, _bucket(units.c.first_seen_at, bounds).label("week"), units.c.skill_id).subquery("b")
    stmt = select(bucketed.c.family, bucketed.c.week, bucketed.c.skill_id, func.count().label("n")).group_by(
        bucketed.c.family, bucketed.c.week, bucketed.c.skill_id
    )
    return [(r.family, int(r.week), r.skill_id, int(r.n)) for r in session.execute(stmt)]


def description_sample(session: Session, family: str, start: datetime, end: datetime, limit: int) -> list[str]:
    """Up to `limit` description texts of a family's units first seen in [start, end), a deterministic spread sample."""
    # A multiplicative hash of the id spreads the sample over the whole window instead of its first hours.
    clustered = (
        select(_C.c.id.label("unit"), _P.c.description_text.label("text"))
        .select_from(_C.join(_P, _P.c.id == _C.c.representative_id))
        .where(_C.c.family == family, _C.c.first_seen_at >= start, _C.c.first_seen_at < end, _P.c.description_text.is_not(None))
    )
    single = select((-_P.c.id).label("unit"), _P.c.description_text.label("text")).where(
        _P.c.cluster_id.is_(None),
        _P.c.family == family,
        _P.c.first_seen_at >= start,
        _P.c.first_seen_at < end,
        _P.c.description_text.is_not(None),
    )
    units = union_all(clustered, single).subquery("units")
    spread = (cast(units.c.unit, BigInteger) * 7919) % 10007
    stmt = select(units.c.text).order_by(spread, units.c.unit).limit(limit)
    return [str(t) for t in session.execute(stmt).scalars()]


def pay_currency_counts(
    session: Session, families: Sequence[str], start: datetime, end: datetime
) -> list[tuple[str, str, str | None, int]]:
    """(family, pay currency, pay source, units) of units first seen in [start, end) that state a currency."""
    clustered = (
        select(_C.c.family, _P.c.pay_currency, _P.c.pay_source)
        .select_from(_C.join(_P, _P.c.id == _C.c.representative_id))
        .where(_C.c.family.in_(list(families)), _C.c.first_seen_at >= start, _C.c.first_seen_at < end, _P.c.pay_currency.is_not(None))
    )
    single = select(_P.c.family, _P.c.pay_currency, _P.c.pay_source).where(
        _P.c.cluster_id.is_(None),
        _P.c.family.in_(list(families)),
        _P.c.first_seen_at >= start,
        _P.c.first_seen_at < end,
        _P.c.pay_currency.is_not(None),
    )
    units = union_all(clustered, single).subquery("units")
    stmt = select(units.c.family, units.c.pay_currency, units.c.pay_source, func.count().label("n")).group_by(
        units.c.family, units.c.pay_currency, units.c.pay_source
    )
    return [(r.family, r.pay_currency, r.pay_source, int(r.n)) for r in session.execute(stmt)]
