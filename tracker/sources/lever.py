"""Lever postings API (public): `mode=json` with skip/limit paging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar
from urllib.parse import quote

from tracker.errors import HTTPStatusFailure, SourceFormatError
from tracker.http import PoliteClient
from tracker.raw import RawPosting
from tracker.sources.base import BaseSource, Option, as_dict, from_epoch_ms, gone, str_or_none

MAX_PAGES = 1000
"""Safety stop: a site that never returns a short page is a format error, not an endless crawl."""


class LeverSource(BaseSource):
    """Lever sites via `GET {base_url}/v0/postings/{site}?mode=json&skip=N&limit=page_size`.

    Options: `sites` (list of site names, required, non-empty), `page_size` (int, default 100, >= 1).
    Default base_url https://api.lever.co (EU sites: https://api.eu.lever.co). Scopes are the sites.

    Pages are read until one is shorter than `page_size` (or brings no new id, for servers that
    ignore paging). `salaryRange` goes untouched in `structured_pay`, `salaryDescription` (else
    `salaryDescriptionPlain`) in `pay_text`; `createdAt` (epoch ms) is `posted_at`; location is
    `categories.location`; `country`, `workplaceType` and `categories.commitment` are passed as hints.
    The description is `description` followed by the `lists` and `additional` sections (pay is
    often stated there). Lever carries no company name: `company` is the site name.
    """

    kind = "lever"
    default_base_url: ClassVar[str | None] = "https://api.lever.co"
    OPTIONS: ClassVar[dict[str, Option]] = {
        "sites": Option("str_list", required=True, doc="Lever site names (jobs.lever.co/{site})"),
        "page_size": Option("int", 100, minimum=1, doc="postings per request (limit)"),
    }

    def scopes(self) -> list[str]:
        """The Lever site names."""
        return list(self.options["sites"])

    async def crawl(self, client: PoliteClient, scope: str) -> AsyncIterator[RawPosting]:
        """Yield every published posting of site `scope`."""
        if scope not in self.options["sites"]:
            raise self.unknown_scope(scope)
        self.prepare(client)
        url = f"{self.base_url}/v0/postings/{quote(scope, safe='')}"
        page_size: int = self.options["page_size"]
        seen: set[str] = set()
        skip = 0
        for _ in range(MAX_PAGES):
            try:
                page = await self.get_json(client, url, {"mode": "json", "skip": skip, "limit": page_size})
            except HTTPStatusFailure as exc:
                raise gone(exc, f"site {scope}") from exc
            if not isinstance(page, list):
                raise SourceFormatError("expected a JSON array of postings", url=url, source=self.name)
            fresh = 0
            for item in page:
                posting = self._posting(item, scope)
                if posting is None or posting.external_id in seen:
                    continue
                seen.add(posting.external_id)
                fresh += 1
                yield posting
            if len(page) < page_size or fresh == 0:
                return
            skip += len(page)
        raise SourceFormatError(f"more than {MAX_PAGES} pages", url=url, source=self.name)

    def _posting(self, item: Any, scope: str) -> RawPosting | None:
        if not isinstance(item, dict):
            return None
        posting_id = str_or_none(item.get("id"))
        title = str_or_none(item.get("text"))
        if posting_id is None or title is None:
            return None
        categories = as_dict(item.get("categories"))
        all_locations = categories.get("allLocations")
        location = str_or_none(categories.get("location"))
        if location is None and isinstance(all_locations, list):
            location = "; ".join(str(x) for x in all_locations if isinstance(x, str)) or None
        pay_text = str_or_none(item.get("salaryDescription")) or str_or_none(
            item.get("salaryDescriptionPlain")
        )
        return RawPosting(
            source_kind=self.kind,
            external_id=posting_id,
            title=title,
            scope=scope,
            company=scope,
            location=location,
            url=str_or_none(item.get("hostedUrl")),
            description=_description(item),
            posted_at=from_epoch_ms(item.get("createdAt")),
            employment_type=str_or_none(categories.get("commitment")),
            workplace=str_or_none(item.get("workplaceType")),
            country=str_or_none(item.get("country")),
            pay_text=pay_text,
            structured_pay=item.get("salaryRange"),
            extra={
                "site": scope,
                "team": categories.get("team"),
                "department": categories.get("department"),
                "all_locations": all_locations if isinstance(all_locations, list) else [],
                "company_from_board": True,
            },
        )


def _description(item: dict[str, Any]) -> str | None:
    parts: list[str] = []
    main = item.get("description")
    if not isinstance(main, str) or not main.strip():
        main = item.get("descriptionPlain")
    if isinstance(main, str) and main.strip():
        parts.append(main)
    lists = item.get("lists")
    if isinstance(lists, list):
        for section in lists:
            if isinstance(section, dict):
                heading = section.get("text")
                content = section.get("content")
                if isinstance(heading, str) and heading.strip():
                    parts.append(f"<h3>{heading}</h3>")
                if isinstance(content, str) and content.strip():
                    parts.append(f"<ul>{content}</ul>")
    additional = item.get("additional")
    if not isinstance(additional, str) or not additional.strip():
        additional = item.get("additionalPlain")
    if isinstance(additional, str) and additional.strip():
        parts.append(additional)
    return "\n".join(parts) or None
