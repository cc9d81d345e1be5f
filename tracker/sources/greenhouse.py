"""Greenhouse job board API (public): one list request per board, pay from the job detail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar
from urllib.parse import quote

from tracker.errors import HTTPStatusFailure, SourceFormatError
from tracker.http import PoliteClient
from tracker.raw import RawPosting
from tracker.sources.base import (
    GONE_STATUSES,
    BaseSource,
    Option,
    as_list,
    parse_iso,
    str_or_none,
    unescape_once,
)


class GreenhouseSource(BaseSource):
    """Greenhouse boards via `GET {base_url}/v1/boards/{token}/jobs?content=true`.

    Options: `boards` (list of board tokens, required, non-empty). Default base_url
    https://boards-api.greenhouse.io. Scopes are the board tokens.

    The list carries no pay: `pay_input_ranges` comes from `GET .../jobs/{id}?pay_transparency=true`,
    fetched only when `hooks.wants_detail(title)` is True, and is passed untouched in `structured_pay`
    (None when the detail was not fetched or lacks the key). `content` is HTML-unescaped once.
    `posted_at` is `first_published` (None when absent: `updated_at` changes on every edit, so it is
    kept in `extra["updated_at"]` rather than used as a posting date). `company` is `company_name`, or
    the board token when the response has none. A 404 board raises `BoardGone`; a 404 on one job's
    detail (removed between list and detail) yields the job without pay and `extra["detail_error"]`.
    """

    kind = "greenhouse"
    default_base_url: ClassVar[str | None] = "https://boards-api.greenhouse.io"
    OPTIONS: ClassVar[dict[str, Option]] = {
        "boards": Option("str_list", required=True, doc="board tokens (boards.greenhouse.io/{token})"),
    }

    def scopes(self) -> list[str]:
        """The board tokens."""
        return list(self.options["boards"])

    async def crawl(self, client: PoliteClient, scope: str) -> AsyncIterator[RawPosting]:
        """Yield every job on board `scope`."""
        if scope not in self.options["boards"]:
            raise self.unknown_scope(scope)
        self.prepare(client)
        board_url = f"{self.base_url}/v1/boards/{quote(scope, safe='')}/jobs"
        jobs = await self.get_jobs_list(client, board_url, {"content": "true"}, scope)
        for job in jobs:
            posting = self._posting(job, scope)
            if posting is None:
                continue
            if self.hooks.wants_detail(posting.title):
                await self._add_pay(client, board_url, posting)
            yield posting

    def _posting(self, job: Any, scope: str) -> RawPosting | None:
        if not isinstance(job, dict):
            return None
        job_id = str_or_none(job.get("id"))
        title = str_or_none(job.get("title"))
        if job_id is None or title is None:
            return None
        location = job.get("location")
        offices = as_list(job.get("offices"))
        departments = as_list(job.get("departments"))
        return RawPosting(
            source_kind=self.kind,
            external_id=job_id,
            title=title,
            scope=scope,
            company=str_or_none(job.get("company_name")) or scope,
            location=str_or_none(location.get("name")) if isinstance(location, dict) else None,
            url=str_or_none(job.get("absolute_url")),
            description=unescape_once(job.get("content")),
            posted_at=parse_iso(job.get("first_published")),
            extra={
                "board": scope,
                "updated_at": job.get("updated_at"),
                "requisition_id": job.get("requisition_id"),
                "internal_job_id": job.get("internal_job_id"),
                "departments": [d.get("name") for d in departments if isinstance(d, dict)],
                "offices": [o.get("location") or o.get("name") for o in offices if isinstance(o, dict)],
                "company_from_board": job.get("company_name") is None,
            },
        )

    async def _add_pay(self, client: PoliteClient, board_url: str, posting: RawPosting) -> None:
        detail_url = f"{board_url}/{quote(posting.external_id, safe='')}"
        try:
            detail = await self.get_json(client, detail_url, {"pay_transparency": "true"})
        except HTTPStatusFailure as exc:
            if exc.status not in GONE_STATUSES:
                raise
            posting.extra["detail_error"] = f"HTTP {exc.status}"
            return
        if not isinstance(detail, dict):
            raise SourceFormatError("job detail is not an object", url=detail_url, source=self.name)
        posting.structured_pay = detail.get("pay_input_ranges")
        posting.extra["detail_fetched"] = True
