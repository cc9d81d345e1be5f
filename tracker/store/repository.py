"""All SQL of ingestion: sources, scrape runs, posting upserts, closing, clusters and skills."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy import (
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from tracker import dedup
from tracker.store.models import Posting, PostingCluster, ScrapeRun, Skill, Source

CHUNK = 500
ANALYZE_EVERY = 20_000
"""New rows after which ingestion refreshes stale planner statistics (see `refresh_statistics`)."""
REPOST_WINDOW = timedelta(days=60)
"""A closed cluster still takes reposts for this long after it closed."""

# Posting columns that a crawl may change; a change counts the posting as updated.
CONTENT_FIELDS = (
    "url", "company", "title_raw", "family", "seniority", "location_raw", "city", "region", "country",
    "workplace", "employment_type", "pay_text", "pay_min", "pay_max", "pay_currency", "pay_period",
    "annual_min", "annual_max", "annual_mid", "pay_source", "description_text", "description_hash", "posted_at",
    "skills",
)  # fmt: skip
DESCRIPTION_FIELDS = ("description_text", "description_hash", "skills")  # what a card without its detail page lacks


class NormalizedPosting(Protocol):
    """What the repository stores: the fields of `tracker.normalize.Posting`."""

    @property
    def external_id(self) -> str: ...

    @property
    def url(self) -> str | None: ...

    @property
    def company(self) -> str | None: ...

    @property
    def title_raw(self) -> str: ...

    @property
    def family(self) -> str: ...

    @property
    def seniority(self) -> str: ...

    @property
    def location_raw(self) -> str | None: ...

    @property
    def city(self) -> str | None: ...

    @property
    def region(self) -> str | None: ...

    @property
    def country(self) -> str | None: ...

    @property
    def workplace(self) -> str | None: ...

    @property
    def employment_type(self) -> str | None: ...

    @property
    def pay_text(self) -> str | None: ...

    @property
    def pay_min(self) -> float | None: ...

    @property
    def pay_max(self) -> float | None: ...

    @property
    def pay_currency(self) -> str | None: ...

    @property
    def pay_period(self) -> str | None: ...

    @property
    def annual_min(self) -> float | None: ...

    @property
    def annual_max(self) -> float | None: ...

    @property
    def pay_source(self) -> str | None: ...

    @property
    def description_text(self) -> str | None: ...

    @property
    def description_hash(self) -> str | None: ...

    @property
    def posted_at(self) -> datetime | None: ...

    @property
    def skills(self) -> frozenset[str]: ...


@dataclass
class UpsertResult:
    """Counts of one upsert batch."""

    seen: int = 0
    new: int = 0
    updated: int = 0
    closed: int = 0
    """closed at a time the source gave (imports); crawls close by absence, see `close_missing`"""

    def add(self, other: UpsertResult) -> None:
        """Accumulate another batch's counts."""
        self.seen += other.seen
        self.new += other.new
        self.updated += other.updated
        self.closed += other.closed


def annual_mid(annual_min: float | None, annual_max: float | None) -> float | None:
    """The annual pay midpoint: geometric mean of min and max, or the single figure given."""
    lo = annual_min if annual_min and annual_min > 0 else None
    hi = annual_max if annual_max and annual_max > 0 else None
    if lo and hi:
        return math.sqrt(lo * hi)
    return lo or hi


def ensure_source(
    session: Session, *, kind: str, name: str, enabled: bool = True, settings_hash: str | None = None
) -> Source:
    """The source row of a configured source, created or updated."""
    source = session.scalars(select(Source).where(Source.name == name)).one_or_none()
    if source is None:
        source = Source(kind=kind, name=name, enabled=enabled, settings_hash=settings_hash)
        session.add(source)
    else:
        source.kind, source.enabled = kind, enabled
        if settings_hash is not None:
            source.settings_hash = settings_hash
    session.flush()
    return source


def start_run(session: Session, source_id: int, started_at: datetime) -> ScrapeRun:
    """Record the start of a crawl."""
    run = ScrapeRun(source_id=source_id, started_at=started_at, status="running")
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    finished_at: datetime,
    pages: int = 0,
    result: UpsertResult | None = None,
    closed: int = 0,
    error: str | None = None,
) -> None:
    """Record how a crawl ended."""
    result = result or UpsertResult()
    session.execute(
        update(ScrapeRun)
        .where(ScrapeRun.id == run_id)
        .values(
            status=status,
            finished_at=finished_at,
            pages=pages,
            seen=result.seen,
            new=result.new,
            updated=result.updated,
            closed=closed,
            error=error,
        )
    )


def fail_stale_runs(session: Session, *, before: datetime, now: datetime) -> int:
    """Mark runs left 'running' by a process that died as failed."""
    res = session.execute(
        update(ScrapeRun)
        .where(ScrapeRun.status == "running", ScrapeRun.started_at < before)
        .values(
            status="failed",
            finished_at=now,
            error="the process running this crawl stopped before it finished",
        )
    )
    return int(getattr(res, "rowcount", 0) or 0)


def known_postings(session: Session, source_id: int) -> dict[str, tuple[str, str | None, str | None, bool]]:
    """external_id -> (title, location, card pay text, has description) of a source's stored postings.

    The pay text is the one a listing card shows (employer pay); pay found in a description is
    not comparable with a card, so it reads as None.
    """
    rows = session.execute(
        select(
            Posting.external_id,
            Posting.title_raw,
            Posting.location_raw,
            Posting.pay_text,
            Posting.pay_source,
            Posting.description_text.is_not(None),
        ).where(Posting.source_id == source_id)
    )
    return {r[0]: (r[1], r[2], r[3] if r[4] == "employer" else None, bool(r[5])) for r in rows}


class _ArrayLiteral(TypeDecorator[Sequence[str]]):
    """Strings bound as one PostgreSQL array literal, to be cast to an array.

    psycopg quotes the strings of a list parameter one by one in Python, several times slower than
    building the literal here; the four key columns of a batch's clusters made that a visible cost.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Sequence[str] | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        quoted = [v.replace("\\", "\\\\").replace('"', '\\"') for v in value]
        return '{"' + '","'.join(quoted) + '"}' if quoted else "{}"


def _unnest_keys(keys: Sequence[tuple[str, str, str, str]]) -> Any:
    """PostgreSQL: cluster keys as a table of four columns, from four array parameters.

    Only for unnest: PostgreSQL does not hash an `= ANY` over a cast literal as it hashes one over a
    typed array parameter, and without statistics the planner may test every row of a source with it.
    """
    arrays = (
        cast(bindparam(f"k{i}", [key[i] for key in keys], type_=_ArrayLiteral()), ARRAY(String))
        for i in range(4)
    )
    return (
        func.unnest(*arrays)
        .table_valued("company_key", "family", "title_key", "location_key")
        .render_derived()
    )


def _is_in(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """`column IN values`, as `= ANY` of one array parameter on PostgreSQL.

    SQLAlchemy and the driver spend more on a statement of thousands of bind parameters than the
    server does on the update it makes.
    """
    if session.connection().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _values(p: NormalizedPosting) -> dict[str, Any]:
    values = {name: getattr(p, name) for name in CONTENT_FIELDS if name not in ("annual_mid", "skills")}
    values["annual_mid"] = annual_mid(p.annual_min, p.annual_max)
    values["skills"] = sorted(p.skills)
    for key in ("company", "city", "region"):
        if isinstance(values[key], str):
            values[key] = values[key][: 200 if key != "company" else 300]
    return values


def upsert_postings(
    session: Session,
    source_id: int,
    scope: str,
    postings: Sequence[NormalizedPosting],
    seen_at: datetime,
    seen_times: dict[str, datetime] | None = None,
    first_seen_times: dict[str, datetime] | None = None,
) -> UpsertResult:
    """Insert new postings and update known ones; clusters and skills follow. Does not commit.

    `seen_times` gives some postings (by external id) their own time seen, for imports;
    `first_seen_times` an earlier first sighting (an import file listing a job several times).
    """
    seen_times = seen_times or {}
    first_seen_times = first_seen_times or {}
    by_id: dict[str, NormalizedPosting] = {}
    for p in postings:
        by_id[p.external_id] = p
    result = UpsertResult(seen=len(by_id))
    if not by_id:
        return result
    existing: dict[str, Any] = {}
    compared = [name for name in CONTENT_FIELDS if name != "description_text"]  # the hash stands for the text
    columns = [
        *(
            getattr(Posting, name)
            for name in (
                "id",
                "external_id",
                "closed_at",
                "cluster_id",
                "first_seen_at",
                "last_seen_at",
                *compared,
            )
        ),
        PostingCluster.company_key,
        PostingCluster.family.label("cluster_family"),
        PostingCluster.title_key,
        PostingCluster.location_key,
    ]
    postgres = session.connection().dialect.name == "postgresql"
    for chunk in _chunks(list(by_id), 5000 if postgres else CHUNK):
        if postgres:  # one array parameter instead of thousands of bind parameters
            match = Posting.external_id == any_(bindparam("ids", list(chunk), type_=ARRAY(String)))
        else:
            match = Posting.external_id.in_(chunk)
        rows = session.execute(
            select(*columns)
            .join(PostingCluster, PostingCluster.id == Posting.cluster_id, isouter=True)
            .where(Posting.source_id == source_id, match)
        )
        existing.update({row.external_id: row for row in rows})

    updates: list[dict[str, Any]] = []
    touched_clusters: set[int] = set()
    seen_again: dict[datetime, set[int]] = {}
    detached: list[tuple[int, tuple[str, str, str, str], dict[str, Any]]] = []
    new_items: list[tuple[NormalizedPosting, dict[str, Any]]] = []
    for ext_id, p in by_id.items():
        values = _values(p)
        row = existing.get(ext_id)
        if row is None:
            new_items.append((p, values))
            continue
        if not values["description_text"] and row.description_hash is not None:
            # a card crawled without its detail page: keep what only the detail page gave
            for key in DESCRIPTION_FIELDS:
                values.pop(key)
            if values["employment_type"] is None:
                values.pop("employment_type")
            if values["annual_mid"] is None and row.pay_source == "description":
                for key in PAY_FIELDS:
                    values.pop(key)
        changed = any(getattr(row, key) != values[key] for key in compared if key in values)
        if changed:
            result.updated += 1
        seen = seen_times.get(ext_id, seen_at)
        first = min(first_seen_times.get(ext_id, seen), seen)
        change = {"id": row.id, "last_seen_at": max(seen, row.last_seen_at), "scope": scope}
        if first < row.first_seen_at:
            change["first_seen_at"] = first
        if changed:
            change.update(values)
        if row.closed_at is not None and seen > row.closed_at:
            change["closed_at"] = None  # seen after it closed: reopened (an older sighting, imported, is not)
        if row.cluster_id is not None and not changed and len(change) == 3:
            # merely seen again: its cluster can only have been seen later too
            seen_again.setdefault(change["last_seen_at"], set()).add(row.cluster_id)
        elif row.cluster_id is not None:
            touched_clusters.add(row.cluster_id)
            merged = {
                **{k: getattr(row, k) for k in KEY_SOURCE_FIELDS},
                **{k: v for k, v in values.items() if k in KEY_SOURCE_FIELDS},
            }
            new_key = _cluster_key(merged)
            if new_key != (row.company_key, row.cluster_family, row.title_key, row.location_key):
                # retitled, reclassified or moved: no longer the same job as its cluster
                detached.append(
                    (
                        row.id,
                        new_key,
                        {
                            "first_seen_at": min(first, row.first_seen_at),
                            "last_seen_at": change["last_seen_at"],
                        },
                    )
                )
        updates.append(change)
    session.expunge_all()  # the bulk statements below bypass the identity map

    _ensure_skills(session, by_id.values())
    if updates:
        _bulk_update_postings(session, updates)
    if new_items:
        result.new = len(new_items)
        _insert_new(session, source_id, scope, new_items, seen_at, seen_times, first_seen_times)
    if detached:
        _detach(session, detached)
    for last_seen, cluster_ids in seen_again.items():
        for chunk in _chunks(sorted(cluster_ids - touched_clusters), 5000):
            session.execute(
                update(PostingCluster)
                .where(_is_in(session, PostingCluster.id, chunk), PostingCluster.last_seen_at < last_seen)
                .values(last_seen_at=last_seen)
                .execution_options(synchronize_session=False)
            )
    if touched_clusters:
        _recompute_clusters(session, touched_clusters)
    return result


KEY_SOURCE_FIELDS = ("company", "family", "title_raw", "city", "region", "country", "workplace")
PAY_FIELDS = (
    "pay_text", "pay_min", "pay_max", "pay_currency", "pay_period", "annual_min", "annual_max", "annual_mid", "pay_source",
)  # fmt: skip


def _cluster_key(fields: Any) -> tuple[str, str, str, str]:
    """The cluster key of a posting: normalized company, family, title and location."""
    get = fields.get if isinstance(fields, dict) else lambda k: getattr(fields, k)
    return (
        dedup.company_key(get("company")),
        str(get("family") or ""),
        dedup.title_key(get("title_raw")),
        dedup.location_key(get("city"), get("region"), get("country"), get("workplace")),
    )


def _detach(session: Session, detached: list[tuple[int, tuple[str, str, str, str], dict[str, Any]]]) -> None:
    """Give postings whose key changed a cluster of their own; their old clusters are recomputed."""
    old = set(
        session.scalars(select(Posting.cluster_id).where(Posting.id.in_([pid for pid, _, _ in detached])))
    )
    rows = [
        {
            "company_key": key[0],
            "family": key[1],
            "title_key": key[2],
            "location_key": key[3],
            "signature": None,
            "first_seen_at": times["first_seen_at"],
            "last_seen_at": times["last_seen_at"],
            "closed_at": None,
            "size": 1,
            "representative_id": pid,
        }  # fmt: skip
        for pid, key, times in detached
    ]
    ids = _insert_returning_ids(session, PostingCluster, rows)
    session.execute(
        update(Posting),
        [{"id": pid, "cluster_id": cid} for (pid, _, _), cid in zip(detached, ids, strict=True)],
    )
    _recompute_clusters(session, {c for c in old if c is not None} | set(ids))


def _recompute_clusters(session: Session, cluster_ids: set[int]) -> None:
    """Derive each cluster's size, seen span, closure and representative from its postings.

    The representative is the member with employer-posted pay (employer or description), else with
    any pay, else the first; a cluster is closed when all its postings are, at the latest closing.
    """
    ids = sorted(cluster_ids)
    for chunk in _chunks(ids, 2000):
        members: dict[int, list[Any]] = {}
        for row in session.execute(
            select(
                Posting.cluster_id, Posting.id, Posting.annual_mid, Posting.pay_source,
                Posting.first_seen_at, Posting.last_seen_at, Posting.closed_at,
            ).where(Posting.cluster_id.in_(chunk))
        ):  # fmt: skip
            members.setdefault(row[0], []).append(row)
        current = {
            row[0]: row[1:]
            for row in session.execute(
                select(
                    PostingCluster.id, PostingCluster.size, PostingCluster.first_seen_at, PostingCluster.last_seen_at,
                    PostingCluster.closed_at, PostingCluster.representative_id,
                ).where(PostingCluster.id.in_(chunk))
            )
        }  # fmt: skip
        empty = [cid for cid in chunk if cid in current and cid not in members]
        if empty:
            session.execute(delete(PostingCluster).where(PostingCluster.id.in_(empty)))
        only_last_seen: dict[datetime, list[int]] = {}
        changes = []
        for cid, rows in members.items():
            open_rows = [r for r in rows if r[6] is None]
            best = min(
                rows,
                key=lambda r: (
                    0
                    if r[2] is not None and r[3] in ("employer", "description")
                    else 1
                    if r[2] is not None
                    else 2,
                    r[1],
                ),
            )
            wanted = (
                len(rows),
                min(r[4] for r in rows),
                max(r[5] for r in rows),
                None if open_rows else max(r[6] for r in rows),
                best[1],
            )
            have = current.get(cid)
            if have is None or tuple(have) == wanted:
                continue
            if tuple(have[:2]) + tuple(have[3:]) == wanted[:2] + wanted[3:]:
                only_last_seen.setdefault(wanted[2], []).append(cid)
                continue
            changes.append(
                {"id": cid, "size": wanted[0], "first_seen_at": wanted[1], "last_seen_at": wanted[2],
                 "closed_at": wanted[3], "representative_id": wanted[4]}
            )  # fmt: skip
        for last_seen, group in only_last_seen.items():  # the common case: seen again, nothing else moved
            session.execute(
                update(PostingCluster).where(PostingCluster.id.in_(group)).values(last_seen_at=last_seen)
                .execution_options(synchronize_session=False)
            )  # fmt: skip
        if changes:
            session.execute(update(PostingCluster), changes)


def _bulk_update_postings(session: Session, updates: list[dict[str, Any]]) -> None:
    # Postings merely seen again share their new values: one UPDATE ... WHERE id IN (...) per group.
    # Changed postings differ row by row: executemany, grouped by column set.
    plain: dict[tuple[Any, ...], list[int]] = {}
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in updates:
        if set(change) <= {"id", "last_seen_at", "scope", "closed_at"}:
            values = tuple(sorted((k, v) for k, v in change.items() if k != "id"))
            plain.setdefault(values, []).append(change["id"])
        else:
            groups.setdefault(tuple(sorted(change)), []).append(change)
    for values, ids in plain.items():
        for chunk in _chunks(ids, 5000):
            session.execute(
                update(Posting)
                .where(_is_in(session, Posting.id, chunk))
                .values(dict(values))
                .execution_options(synchronize_session=False)
            )
    for rows in groups.values():
        session.execute(update(Posting), rows)


class _New(NamedTuple):
    """A new posting on its way in: its column values, cluster key and sighting span."""

    posting: NormalizedPosting
    values: dict[str, Any]
    key: tuple[str, str, str, str]
    first_seen: datetime
    last_seen: datetime


def _insert_new(
    session: Session,
    source_id: int,
    scope: str,
    items: list[tuple[NormalizedPosting, dict[str, Any]]],
    seen_at: datetime,
    seen_times: dict[str, datetime],
    first_seen_times: dict[str, datetime],
) -> None:
    """Insert new postings with their skills, each joining a stored cluster of a similar job or a new one."""
    news = []
    for p, values in items:
        seen = seen_times.get(p.external_id, seen_at)
        key = (
            dedup.company_key(p.company),
            p.family,
            dedup.title_key(p.title_raw),
            dedup.location_key(p.city, p.region, p.country, p.workplace),
        )
        news.append(_New(p, values, key, min(first_seen_times.get(p.external_id, seen), seen), seen))
    candidates = _candidate_clusters(session, {n.key for n in news}, seen_at)
    alone: list[_New] = []
    compared = news
    posting_ids: dict[str, int] | None = None
    if session.connection().dialect.name == "postgresql":
        # Ids drawn up front, in batch order: each new cluster is written with its representative.
        (drawn,) = _allocate_ids(session, ("postings", len(news)))
        posting_ids = dict(zip((n.posting.external_id for n in news), drawn, strict=True))
        # A posting whose key has no candidate and no other posting in the batch makes a cluster of
        # its own without a comparison. The others are compared by description in a thread while the
        # first are written: the database work releases the GIL, and signing descriptions is most of
        # the Python work of a batch whose keys collide. (SQLite draws ids as rows go in: one write
        # keeps them in batch order.)
        repeated = Counter(n.key for n in news)
        alone = [n for n in news if n.key not in candidates and repeated[n.key] == 1]
        compared = [n for n in news if n.key in candidates or repeated[n.key] > 1]
    with ThreadPoolExecutor(max_workers=1) as pool:
        assigning = pool.submit(_assign, compared, candidates)
        own = [_new_cluster(n, None, signed=False) for n in alone]
        _write_new(session, source_id, scope, alone, own, own, posting_ids)
        assignments, new_clusters = assigning.result()
    joined = _write_new(session, source_id, scope, compared, assignments, new_clusters, posting_ids)
    if joined:
        _join_existing(session, joined, candidates)
        _recompute_clusters(session, set(joined))


def _new_cluster(new: _New, sig: str | None, *, signed: bool) -> dict[str, Any]:
    """A cluster made by a new posting, unwritten; `signed` when the posting's signature was computed."""
    return {
        "company_key": new.key[0],
        "family": new.key[1],
        "title_key": new.key[2],
        "location_key": new.key[3],
        # computed only when another posting shares the key (most never do)
        "signature": sig if signed else None,
        "_text": None if signed else new.values["description_text"],
        "first_seen_at": new.first_seen,
        "last_seen_at": new.last_seen,
        "closed_at": None,
        "size": 1,
    }


def _assign(
    news: list[_New], candidates: dict[tuple[str, str, str, str], list[dict[str, Any]]]
) -> tuple[list[int | dict[str, Any]], list[dict[str, Any]]]:
    """Each posting's cluster, a stored one's id or a new one, and the new clusters in the order made.

    A posting joins the first candidate (stored clusters, then those made by earlier postings of
    the batch) with a similar description, else makes a cluster.
    """
    signed = _signatures_to_compare(news, candidates)
    assignments: list[int | dict[str, Any]] = []
    pending: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for new in news:
        sig: str | None = None
        sig_done = False
        chosen: int | dict[str, Any] | None = None
        for cluster in [*candidates.get(new.key, []), *pending.get(new.key, [])]:
            if not sig_done:
                sig, sig_done = signed[new.values["description_text"]], True
            if dedup.same_job(sig, _cluster_signature(cluster, signed)):
                chosen = cluster.get("id", cluster)  # a stored cluster's id, or a pending new cluster
                if cluster["signature"] is None and sig is not None:
                    cluster["signature"] = sig
                break
        if chosen is None:
            chosen = _new_cluster(new, sig, signed=sig_done)
            pending.setdefault(new.key, []).append(chosen)
        elif isinstance(chosen, dict):
            chosen["size"] += 1
            chosen["first_seen_at"] = min(chosen["first_seen_at"], new.first_seen)
            chosen["last_seen_at"] = max(chosen["last_seen_at"], new.last_seen)
        assignments.append(chosen)
    return assignments, [c for group in pending.values() for c in group]


def _write_new(
    session: Session,
    source_id: int,
    scope: str,
    news: list[_New],
    assignments: Sequence[int | dict[str, Any]],
    new_clusters: list[dict[str, Any]],
    posting_ids: dict[str, int] | None,
) -> dict[int, list[tuple[int, bool, datetime]]]:
    """Write new postings, the clusters they made and their skills; return the stored clusters joined.

    `posting_ids` (PostgreSQL) are the ids drawn for the postings; elsewhere the inserts draw them.
    The stored clusters joined map to their new members: (posting id, has pay, time seen).
    """
    if not news:
        return {}
    columns = [
        *news[0].values,
        "source_id",
        "external_id",
        "scope",
        "first_seen_at",
        "last_seen_at",
        "closed_at",
    ]
    if posting_ids is not None:
        (cluster_ids,) = _allocate_ids(session, ("posting_clusters", len(new_clusters)))
        for cluster, cid in zip(new_clusters, cluster_ids, strict=True):
            cluster["id"] = cid
            cluster["representative_id"] = None
        ids = [posting_ids[n.posting.external_id] for n in news]
        for pid, chosen in zip(ids, assignments, strict=True):
            if isinstance(chosen, dict) and chosen["representative_id"] is None:
                chosen["representative_id"] = pid
        cluster_columns = [k for k in new_clusters[0] if not k.startswith("_")] if new_clusters else []
        _copy_rows(
            session,
            "posting_clusters",
            cluster_columns,
            [[c[k] for k in cluster_columns] for c in new_clusters],
        )
        _copy_rows(
            session,
            "postings",
            ["id", *columns, "cluster_id"],
            [
                (
                    pid,
                    *n.values.values(),
                    source_id,
                    n.posting.external_id,
                    scope,
                    n.first_seen,
                    n.last_seen,
                    None,
                    _cluster_id(chosen),
                )
                for pid, n, chosen in zip(ids, news, assignments, strict=True)
            ],
        )
    else:
        rows_of_clusters = [{k: v for k, v in c.items() if not k.startswith("_")} for c in new_clusters]
        for cluster, cid in zip(
            new_clusters, _insert_returning_ids(session, PostingCluster, rows_of_clusters), strict=True
        ):
            cluster["id"] = cid
        rows = [
            {
                **n.values,
                "source_id": source_id,
                "external_id": n.posting.external_id,
                "scope": scope,
                "first_seen_at": n.first_seen,
                "last_seen_at": n.last_seen,
                "closed_at": None,
                "cluster_id": _cluster_id(chosen),
            }
            for n, chosen in zip(news, assignments, strict=True)
        ]
        ids = _insert_returning_ids(session, Posting, rows)
        if new_clusters:
            # New clusters take their first member as representative: one statement, not one per cluster.
            first_member = (
                select(func.min(Posting.id)).where(Posting.cluster_id == PostingCluster.id).scalar_subquery()
            )
            for chunk in _chunks(sorted(c["id"] for c in new_clusters), 5000):
                session.execute(
                    update(PostingCluster)
                    .where(PostingCluster.id.in_(chunk))
                    .values(representative_id=first_member)
                    .execution_options(synchronize_session=False)
                )
    joined: dict[int, list[tuple[int, bool, datetime]]] = {}
    for pid, n, chosen in zip(ids, news, assignments, strict=True):
        if isinstance(chosen, int):
            has_pay = n.posting.annual_min is not None or n.posting.annual_max is not None
            joined.setdefault(chosen, []).append((pid, has_pay, n.last_seen))
    return joined


def _cluster_id(chosen: int | dict[str, Any]) -> int:
    return chosen if isinstance(chosen, int) else int(chosen["id"])


def _allocate_ids(session: Session, *wanted: tuple[str, int]) -> list[list[int]]:
    """PostgreSQL: draw ids from the tables' sequences in one query, ascending per table."""
    # The sequence is looked up once, in a subquery: named in nextval itself, it was looked up per id.
    columns = ", ".join(
        f"array(SELECT nextval((SELECT pg_get_serial_sequence(:t{i}, 'id')::regclass))"
        f" FROM generate_series(1, :n{i}))"
        for i in range(len(wanted))
    )
    params: dict[str, Any] = {}
    for i, (table, n) in enumerate(wanted):
        params[f"t{i}"], params[f"n{i}"] = table, n
    row = session.execute(text(f"SELECT {columns}"), params).one()
    return [sorted(ids) for ids in row]


def _copy_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: send rows with COPY, several times faster than multi-row INSERT."""
    if not rows:
        return
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows (all with the same keys) and return their new ids, in order (backends other than PostgreSQL)."""
    ids: list[int] = []
    for chunk in _chunks(rows):
        result = session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), list(chunk))
        ids.extend(result.scalars())
    return ids


def _signatures_to_compare(
    news: list[_New], candidates: dict[tuple[str, str, str, str], list[dict[str, Any]]]
) -> dict[str | None, str | None]:
    """description -> MinHash signature, for every description that assigning `news` may compare.

    A posting is compared when its key has a stored candidate or recurs in `news` (an earlier
    posting then made a cluster of that key, whose description is compared in turn); a stored
    candidate without a signature is compared through its representative's description. Signing
    them 64 at a time costs a fraction of one call each.
    """
    repeated = Counter(n.key for n in news)
    texts = {n.values["description_text"] for n in news if n.key in candidates or repeated[n.key] > 1}
    texts.update(c["_text"] for group in candidates.values() for c in group if "_text" in c)
    texts.discard(None)
    ordered = list(texts)
    signed: dict[str | None, str | None] = {None: None}
    for start in range(0, len(ordered), 64):
        some = ordered[start : start + 64]
        signed.update(zip(some, dedup.signatures(some), strict=True))
        # This runs in a thread beside the database work: a pause hands the GIL to the thread whose
        # statement has returned now, not after the interpreter's switch interval (5 ms).
        time.sleep(0)
    return signed


def _cluster_signature(cluster: dict[str, Any], signed: dict[str | None, str | None]) -> str | None:
    """A cluster's MinHash signature, taken on first need from its representative's description."""
    if "_text" in cluster:
        text = cluster.pop("_text")
        if cluster["signature"] is None:
            cluster["signature"] = signed[text]
    return cluster["signature"]


def _candidate_clusters(
    session: Session, keys: set[tuple[str, str, str, str]], seen_at: datetime
) -> dict[tuple[str, str, str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    key_cols = (
        PostingCluster.company_key,
        PostingCluster.family,
        PostingCluster.title_key,
        PostingCluster.location_key,
    )
    postgres = session.connection().dialect.name == "postgresql"
    for chunk in _chunks(sorted(keys), 5000 if postgres else 200):
        query = select(PostingCluster.id, *key_cols, PostingCluster.signature, Posting.description_text).join(
            Posting, Posting.id == PostingCluster.representative_id, isouter=True
        )
        if postgres:  # join four arrays, not thousands of bind parameters
            wanted = _unnest_keys(chunk)
            query = query.join(wanted, and_(*(col == wanted.c[col.key] for col in key_cols)))
        else:
            query = query.where(tuple_(*key_cols).in_(list(chunk)))
        rows = session.execute(
            query.where(
                or_(PostingCluster.closed_at.is_(None), PostingCluster.closed_at >= seen_at - REPOST_WINDOW)
            ).order_by(PostingCluster.id)
        )
        for r in rows:
            cluster = {"id": r[0], "signature": r[5]}
            if r[5] is None:  # not computed yet: from the representative's description, on first need
                cluster["_text"] = r[6]
            out.setdefault((r[1], r[2], r[3], r[4]), []).append(cluster)
    return out


def _join_existing(
    session: Session,
    joined: dict[int, list[tuple[int, bool, datetime]]],
    candidates: dict[tuple[str, str, str, str], list[dict[str, Any]]],
) -> None:
    """Existing clusters that took new members: reopen, grow, widen their seen span, prefer a priced representative."""
    cluster_ids = list(joined)
    signatures = {c["id"]: c["signature"] for group in candidates.values() for c in group}
    rows = session.execute(
        select(
            PostingCluster.id,
            PostingCluster.representative_id,
            Posting.annual_mid,
            PostingCluster.signature,
            PostingCluster.first_seen_at,
            PostingCluster.last_seen_at,
            PostingCluster.size,
        )
        .join(Posting, Posting.id == PostingCluster.representative_id, isouter=True)
        .where(PostingCluster.id.in_(cluster_ids))
    ).all()
    changes = []
    for cid, rep_id, rep_mid, stored_sig, first, last, size in rows:
        members = joined[cid]
        times = [t for _, _, t in members]
        change: dict[str, Any] = {
            "id": cid,
            "closed_at": None,
            "size": size + len(members),
            "first_seen_at": min(first, *times),
            "last_seen_at": max(last, *times),
            "representative_id": rep_id,
            "signature": stored_sig or signatures.get(cid),
        }
        priced = [pid for pid, has_pay, _ in members if has_pay]
        if (rep_id is None or rep_mid is None) and priced:
            change["representative_id"] = priced[0]
        changes.append(change)
    if changes:
        session.execute(update(PostingCluster), changes)


def _ensure_skills(session: Session, postings: Iterable[NormalizedPosting]) -> None:
    """Add the skill ids the postings name that the `skills` catalog lacks (with no category)."""
    wanted = {s for p in postings for s in p.skills}
    if not wanted:
        return
    have = set(session.scalars(select(Skill.id).where(Skill.id.in_(sorted(wanted)))))
    missing = sorted(wanted - have)
    if missing:
        session.execute(insert(Skill), [{"id": s, "category": None} for s in missing])


def close_missing(
    session: Session,
    source_id: int,
    scope: str,
    *,
    before: datetime,
    closed_at: datetime,
    posted_after: datetime | None = None,
) -> int:
    """Close the open postings of a completed crawl scope that it did not see; return how many.

    With `posted_after` (a crawl that lists only recent postings), older postings are left open.
    """
    unseen = [
        Posting.source_id == source_id,
        Posting.scope == scope,
        Posting.closed_at.is_(None),
        Posting.last_seen_at < before,
    ]
    if posted_after is not None:
        unseen.append(func.coalesce(Posting.posted_at, Posting.first_seen_at) >= posted_after)
    cluster_ids: set[int | None] = set(
        session.scalars(select(Posting.cluster_id).where(*unseen, Posting.cluster_id.is_not(None)))
    )
    res = session.execute(
        update(Posting)
        .where(*unseen)
        .values(closed_at=closed_at)
        .execution_options(synchronize_session=False)
    )
    closed = int(getattr(res, "rowcount", 0) or 0)
    if posted_after is not None:
        # Postings older than the search window can no longer be listed, open or not: they count as
        # closed at the last time they were seen, so they do not stay "active" for ever.
        aged = [
            Posting.source_id == source_id,
            Posting.scope == scope,
            Posting.closed_at.is_(None),
            Posting.last_seen_at < before,
            func.coalesce(Posting.posted_at, Posting.first_seen_at) < posted_after,
        ]
        cluster_ids |= set(
            session.scalars(select(Posting.cluster_id).where(*aged, Posting.cluster_id.is_not(None)))
        )
        res = session.execute(
            update(Posting)
            .where(*aged)
            .values(closed_at=Posting.last_seen_at)
            .execution_options(synchronize_session=False)
        )
        closed += int(getattr(res, "rowcount", 0) or 0)
    if cluster_ids:
        refresh_cluster_closure(session, {c for c in cluster_ids if c is not None})
    return closed


def close_postings(session: Session, source_id: int, closings: dict[str, datetime]) -> int:
    """Close postings of a source at the times given (external id -> closed_at); return how many changed.

    A posting seen after its time given stays as it is: that sighting is later news than the closing.
    """
    if not closings:
        return 0
    changes: list[dict[str, Any]] = []
    cluster_ids: set[int] = set()
    for chunk in _chunks(list(closings)):
        rows = session.execute(
            select(Posting.id, Posting.external_id, Posting.cluster_id, Posting.last_seen_at, Posting.closed_at).where(
                Posting.source_id == source_id, Posting.external_id.in_(chunk)
            )
        )
        for row in rows:
            closed_at = closings[row.external_id]
            if row.last_seen_at <= closed_at and row.closed_at != closed_at:
                changes.append({"id": row.id, "closed_at": closed_at})
                if row.cluster_id is not None:
                    cluster_ids.add(row.cluster_id)
    if changes:
        session.execute(update(Posting), changes)
        refresh_cluster_closure(session, cluster_ids)
    return len(changes)


def refresh_cluster_closure(session: Session, cluster_ids: Iterable[int]) -> None:
    """Bring clusters in line with their postings (closure, seen span, size, representative)."""
    _recompute_clusters(session, set(cluster_ids))


def source_ids_by_name(session: Session) -> dict[str, int]:
    """name -> id of every source row."""
    return {name: sid for sid, name in session.execute(select(Source.id, Source.name))}


def last_runs(session: Session) -> list[tuple[Source, ScrapeRun | None]]:
    """Each source with its latest run."""
    latest = (
        select(ScrapeRun.source_id, func.max(ScrapeRun.id).label("run_id"))
        .group_by(ScrapeRun.source_id)
        .subquery()
    )
    rows = session.execute(
        select(Source, ScrapeRun)
        .join(latest, latest.c.source_id == Source.id, isouter=True)
        .join(ScrapeRun, and_(ScrapeRun.id == latest.c.run_id), isouter=True)
        .order_by(Source.name)
    ).all()
    return [(src, run) for src, run in rows]


INGESTION_TABLES = ("postings", "posting_clusters")


def refresh_statistics(session: Session) -> None:
    """Refresh the planner statistics of the ingestion tables that have outgrown them (PostgreSQL only).

    A bulk load into a fresh table leaves the planner without row counts, and it then picks a
    scan over the whole source for every existence probe; autovacuum catches up only later. A
    table is analyzed when it never was, or when the rows changed since (as PostgreSQL counts them,
    up to a second late) reach the rows it had then: the planner scales its row counts to a table's
    current size, so statistics of half the table still serve, while analyzing at every call made a
    long load read a sample of each table per `ANALYZE_EVERY` rows.
    """
    if session.connection().dialect.name != "postgresql":
        return
    stale = set(
        session.scalars(
            text(
                "SELECT relname FROM pg_class WHERE oid = ANY(CAST(:tables AS regclass[]))"
                " AND (reltuples < 0 OR pg_stat_get_mod_since_analyze(oid) >= reltuples)"
            ),
            {"tables": list(INGESTION_TABLES)},
        )
    )
    if stale:
        session.execute(text(f"ANALYZE {', '.join(t for t in INGESTION_TABLES if t in stale)}"))
