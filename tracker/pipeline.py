"""Use cases of ingestion: scrape configured sources, import files; both normalize and store the same way.

Each source runs isolated: a failing source records its error in `scrape_runs` and the others go on.
Within a source, each crawl scope (board, site, query, page) is stored as it streams in; only a scope
that completed closes the postings it did not see. A run is `ok` when every scope completed,
`partial` when some did, `failed` when none did.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from tracker.bootstrap import build_configured_source, make_client
from tracker.config import Settings, SourceSettings
from tracker.errors import ConfigError, NormalizationFailed, TrackerError
from tracker.normalize import classify_title, normalize_posting
from tracker.raw import RawPosting
from tracker.store import repository as repo
from tracker.store.db import transaction

log = logging.getLogger("tracker.pipeline")

BATCH = 500
STALE_RUN_AFTER = timedelta(hours=6)
Clock = Callable[[], datetime]
Progress = Callable[[str, str, dict[str, Any]], None]
"""progress(source_name, event, counts): events 'start', 'batch', 'scope', 'done'."""


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass
class SourceResult:
    """How one source's crawl went."""

    name: str
    kind: str
    status: str = "ok"
    pages: int = 0
    counts: repo.UpsertResult = field(default_factory=repo.UpsertResult)
    closed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        """Plain data for tables and JSON."""
        return {
            "source": self.name,
            "kind": self.kind,
            "status": self.status,
            "pages": self.pages,
            "seen": self.counts.seen,
            "new": self.counts.new,
            "updated": self.counts.updated,
            "closed": self.closed,
            "errors": len(self.errors),
            "error": "; ".join(self.errors) or None,
        }


def settings_hash(src: SourceSettings) -> str:
    """A stable hash of a source's settings (to see when its configuration changed)."""
    data = {"kind": src.kind, "base_url": src.base_url, "options": dict(src.options)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def tracked_title(title: str) -> bool:
    """Whether a title falls in a tracked family (worth a detail request for its pay)."""
    return classify_title(title).family != "other"


def select_sources(settings: Settings, only: str | None = None) -> list[SourceSettings]:
    """The enabled sources, or the one named (enabled or not)."""
    if only is not None:
        chosen = [s for s in settings.sources if s.name == only]
        if not chosen:
            known = ", ".join(s.name for s in settings.sources) or "none configured"
            raise ConfigError(f"--source {only}: no such source (known: {known})")
        return chosen
    return [s for s in settings.sources if s.enabled]


def store_batch(
    sessions: Any,
    source_id: int,
    scope: str,
    raws: Sequence[RawPosting],
    seen_at: datetime,
    failures: list[str] | None = None,
) -> repo.UpsertResult:
    """Normalize raw postings and upsert them in one transaction.

    A posting that cannot be normalized is skipped (the others are stored) and described in
    `failures` when given: its `last_seen_at` was not bumped, so the caller must not close its scope.
    """
    postings = []
    for raw in raws:
        try:
            postings.append(normalize_posting(raw))
        except Exception as exc:  # normalization must not lose a batch; it is pure and should not raise
            log.error("could not normalize %s %s: %s", raw.source_kind, raw.external_id, exc)
            if failures is not None:
                failures.append(f"{raw.external_id}: {type(exc).__name__}: {exc}")
    with transaction(sessions) as session:
        return repo.upsert_postings(session, source_id, scope, postings, seen_at)


async def scrape_source(
    settings: Settings,
    sessions: Any,
    client: Any,
    src: SourceSettings,
    *,
    now: Clock = utc_now,
    progress: Progress | None = None,
) -> SourceResult:
    """Crawl every scope of one source, storing as it goes; never raises for the source's own failures."""
    result = SourceResult(name=src.name, kind=src.kind)
    started = now()
    with transaction(sessions) as session:
        row = repo.ensure_source(session, kind=src.kind, name=src.name, enabled=src.enabled, settings_hash=settings_hash(src))
        source_id = row.id
        run_id = repo.start_run(session, source_id, started).id
        known = repo.known_postings(session, source_id) if src.kind == "linkedin" else {}

    def needs_detail(card: RawPosting) -> bool:
        stored = known.get(card.external_id)
        return stored is None or not stored[3] or stored[:3] != (card.title, card.location, card.pay_text)

    from tracker.sources import SourceHooks

    host = urlsplit(src.base_url).netloc.lower() if src.base_url else ""
    before_requests = dict(client.stats.by_host)
    scopes_ok = 0
    scopes: list[str] = []
    try:
        source = build_configured_source(settings, src, SourceHooks(wants_detail=tracked_title, needs_detail=needs_detail))
        source.prepare(client)
        host = urlsplit(source.base_url).netloc.lower() if source.base_url else host
        scopes = source.scopes()
        if progress:
            progress(src.name, "start", {"scopes": len(scopes)})
        for scope in scopes:
            scope_started = now()
            batch: list[RawPosting] = []
            failures: list[str] = []
            try:
                async for raw in source.crawl(client, scope):
                    raw.scope = raw.scope or scope
                    batch.append(raw)
                    if len(batch) >= BATCH:
                        result.counts.add(store_batch(sessions, source_id, scope, batch, now(), failures))
                        batch = []
                        if progress:
                            progress(src.name, "batch", result.as_row())
                result.counts.add(store_batch(sessions, source_id, scope, batch, now(), failures))
                batch = []
                if failures:  # those postings were not marked seen: closing the scope would close them
                    raise NormalizationFailed(
                        f"{len(failures)} posting(s) could not be normalized (first: {failures[0]});"
                        " nothing closed"
                    )
                window = source.listing_window()
                # a day's margin: listing dates are whole days while the search window is in hours
                posted_after = None if window is None else scope_started - window + timedelta(days=1)
                with transaction(sessions) as session:
                    result.closed += repo.close_missing(
                        session, source_id, scope, before=scope_started, closed_at=now(), posted_after=posted_after
                    )
                    if result.counts.new >= repo.ANALYZE_EVERY:
                        repo.refresh_statistics(session)
                scopes_ok += 1
            except TrackerError as exc:
                result.errors.append(f"{scope}: {exc}")
                log.warning("source %s scope %s failed: %s", src.name, scope, exc)
            except Exception as exc:  # a bug in one source must not stop the others
                result.errors.append(f"{scope}: unexpected {type(exc).__name__}: {exc}")
                log.exception("source %s scope %s failed unexpectedly", src.name, scope)
            finally:
                if batch:  # keep what arrived before a failure; closes nothing
                    result.counts.add(store_batch(sessions, source_id, scope, batch, now()))
            if progress:
                progress(src.name, "scope", result.as_row())
    except TrackerError as exc:
        result.errors.append(str(exc))
    except Exception as exc:
        result.errors.append(f"unexpected {type(exc).__name__}: {exc}")
        log.exception("source %s failed unexpectedly", src.name)
    result.pages = client.stats.by_host.get(host, 0) - before_requests.get(host, 0) if host else 0
    if not result.errors:
        result.status = "ok"
    elif scopes_ok:
        result.status = "partial"
    else:
        result.status = "failed"
    with transaction(sessions) as session:
        repo.finish_run(
            session,
            run_id,
            status=result.status,
            finished_at=now(),
            pages=result.pages,
            result=result.counts,
            closed=result.closed,
            error="\n".join(result.errors)[:20000] or None,
        )
    if progress:
        progress(src.name, "done", result.as_row())
    return result


async def scrape_async(
    settings: Settings,
    sessions: Any,
    *,
    only: str | None = None,
    now: Clock = utc_now,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[SourceResult]:
    """Crawl the configured sources concurrently through one polite client."""
    chosen = select_sources(settings, only)
    for src in chosen:  # fail fast on bad options, before any request
        build_configured_source(settings, src)
    with transaction(sessions) as session:
        repo.fail_stale_runs(session, before=now() - STALE_RUN_AFTER, now=now())
    async with make_client(settings, transport) as client:
        tasks = [scrape_source(settings, sessions, client, src, now=now, progress=progress) for src in chosen]
        return list(await asyncio.gather(*tasks))


def scrape(
    settings: Settings,
    sessions: Any,
    *,
    only: str | None = None,
    now: Clock = utc_now,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[SourceResult]:
    """Crawl the configured sources (blocking)."""
    return asyncio.run(scrape_async(settings, sessions, only=only, now=now, progress=progress, transport=transport))


def import_postings(
    sessions: Any,
    raws: Iterable[tuple[RawPosting, datetime]],
    *,
    source_name: str,
    now: Clock = utc_now,
) -> SourceResult:
    """Store imported postings (each with the time it was seen) under a source of kind 'import'."""
    result = SourceResult(name=source_name, kind="import")
    started = now()
    with transaction(sessions) as session:
        source_id = repo.ensure_source(session, kind="import", name=source_name).id
        run_id = repo.start_run(session, source_id, started).id
    try:
        _import_batches(sessions, raws, source_id, started, result)
    except BaseException as exc:
        with transaction(sessions) as session:
            repo.finish_run(
                session,
                run_id,
                status="failed",
                finished_at=now(),
                result=result.counts,
                closed=result.counts.closed,
                error=f"import stopped: {exc}",
            )
        raise
    finally:
        result.closed = result.counts.closed  # closings the file gave (an import never closes by absence)
    with transaction(sessions) as session:
        repo.finish_run(session, run_id, status="ok", finished_at=now(), result=result.counts, closed=result.closed)
    return result


def _import_batches(
    sessions: Any,
    raws: Iterable[tuple[RawPosting, datetime]],
    source_id: int,
    started: datetime,
    result: SourceResult,
) -> None:
    """Store imported rows in batches, refreshing planner statistics during large loads."""
    batch: dict[str, tuple[RawPosting, datetime, datetime]] = {}
    since_analyze = 0
    for raw, seen_at in raws:
        # a file may list one job several times (snapshots)
        known = batch.get(raw.external_id)
        if known is None:
            batch[raw.external_id] = (raw, seen_at, seen_at)
        else:  # the most recent row's content, the earliest and latest sightings
            latest = raw if seen_at >= known[2] else known[0]
            batch[raw.external_id] = (latest, min(seen_at, known[1]), max(seen_at, known[2]))
        if len(batch) >= BATCH:
            counts = _store_imported(sessions, source_id, batch, started)
            result.counts.add(counts)
            batch = {}
            since_analyze += counts.new
            if since_analyze >= repo.ANALYZE_EVERY:
                with transaction(sessions) as session:
                    repo.refresh_statistics(session)
                since_analyze = 0
    if batch:
        result.counts.add(_store_imported(sessions, source_id, batch, started))


def _store_imported(
    sessions: Any, source_id: int, batch: dict[str, tuple[RawPosting, datetime, datetime]], default_seen: datetime
) -> repo.UpsertResult:
    postings = [normalize_posting(raw) for raw, _, _ in batch.values()]
    first_seen = {ext_id: first for ext_id, (_, first, _) in batch.items()}
    last_seen = {ext_id: last for ext_id, (_, _, last) in batch.items()}
    # the latest row of a job says whether it has closed
    closings = {ext_id: raw.closed_at for ext_id, (raw, _, _) in batch.items() if raw.closed_at is not None}
    with transaction(sessions) as session:
        counts = repo.upsert_postings(session, source_id, "", postings, default_seen, last_seen, first_seen)
        counts.closed += repo.close_postings(session, source_id, closings)
        return counts
