"""Ashby posting API (public): one request per job board, with compensation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar
from urllib.parse import quote

from tracker.http import PoliteClient
from tracker.raw import RawPosting
from tracker.sources.base import BaseSource, Option, parse_iso, str_or_none


class AshbySource(BaseSource):
    """Ashby job boards via `GET {base_url}/posting-api/job-board/{board}?includeCompensation=true`.

    Options: `boards` (list of job board names, required, non-empty). Default base_url
    https://api.ashbyhq.com. Scopes are the board names.

    Jobs with `isListed: false` are dropped. `compensation` goes untouched in `structured_pay`
    (normalization keeps only `Salary` components); `publishedAt` is `posted_at`; `employmentType`,
    `workplaceType` (else "Remote" when `isRemote`) and `address.postalAddress.addressCountry` are
    passed as hints; without `location`, the postal address is the location. Ashby carries no company
    name: `company` is the board name.
    """

    kind = "ashby"
    default_base_url: ClassVar[str | None] = "https://api.ashbyhq.com"
    OPTIONS: ClassVar[dict[str, Option]] = {
        "boards": Option("str_list", required=True, doc="Ashby job board names (jobs.ashbyhq.com/{board})"),
    }

    def scopes(self) -> list[str]:
        """The job board names."""
        return list(self.options["boards"])

    async def crawl(self, client: PoliteClient, scope: str) -> AsyncIterator[RawPosting]:
        """Yield every listed job of board `scope`."""
        if scope not in self.options["boards"]:
            raise self.unknown_scope(scope)
        self.prepare(client)
        url = f"{self.base_url}/posting-api/job-board/{quote(scope, safe='')}"
        jobs = await self.get_jobs_list(client, url, {"includeCompensation": "true"}, scope)
        for job in jobs:
            posting = self._posting(job, scope)
            if posting is not None:
                yield posting

    def _posting(self, job: Any, scope: str) -> RawPosting | None:
        if not isinstance(job, dict) or job.get("isListed") is False:
            return None
        job_id = str_or_none(job.get("id"))
        title = str_or_none(job.get("title"))
        if job_id is None or title is None:
            return None
        address = job.get("address")
        postal = address.get("postalAddress") if isinstance(address, dict) else None
        country = postal.get("addressCountry") if isinstance(postal, dict) else None
        location = str_or_none(job.get("location"))
        if location is None and isinstance(postal, dict):
            parts = (str_or_none(postal.get(k)) for k in ("addressLocality", "addressRegion", "addressCountry"))
            location = ", ".join(p for p in parts if p) or None
        workplace = str_or_none(job.get("workplaceType"))
        if workplace is None and job.get("isRemote") is True:
            workplace = "Remote"
        description = job.get("descriptionHtml")
        if not isinstance(description, str) or not description.strip():
            description = job.get("descriptionPlain")
        return RawPosting(
            source_kind=self.kind,
            external_id=job_id,
            title=title,
            scope=scope,
            company=scope,
            location=location,
            url=str_or_none(job.get("jobUrl")),
            description=description if isinstance(description, str) and description.strip() else None,
            posted_at=parse_iso(job.get("publishedAt")),
            employment_type=str_or_none(job.get("employmentType")),
            workplace=workplace,
            country=str_or_none(country),
            structured_pay=job.get("compensation"),
            extra={
                "board": scope,
                "department": job.get("department"),
                "team": job.get("team"),
                "is_remote": job.get("isRemote"),
                "secondary_locations": job.get("secondaryLocations") or [],
                "postal_address": postal if isinstance(postal, dict) else None,
                "company_from_board": True,
            },
        )
