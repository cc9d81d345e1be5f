"""LinkedIn guest job search (public pages, no login): search cards, then a detail fragment per new card.

HTML is parsed with selectolax's lexbor backend. `parse_search_page` and `parse_detail` are pure
functions over one page of HTML (the benchmark and the tests call them directly).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import quote

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tracker.errors import HTTPStatusFailure, ListingTruncated, SourceFormatError
from tracker.http import PoliteClient
from tracker.raw import RawPosting
from tracker.sources.base import GONE_STATUSES, BaseSource, Option, collapse_ws, parse_iso

SEARCH_PATH = "/jobs-guest/jobs/api/seeMoreJobPostings/search"
DETAIL_PATH = "/jobs-guest/jobs/api/jobPosting/{id}"
FULL_PAGE_PATH = "/jobs/view/{id}"
MAX_START = 1000
"""LinkedIn serves no results past start=1000."""
WORKPLACE_CODES = {"on-site": "1", "remote": "2", "hybrid": "3"}
"""Values of the `f_WT` search filter."""

CARD_ROOTS = "div.base-card, a.base-card"
_URN_ID = re.compile(r"urn:li:jobPosting:(\d+)")
_LINK_ID = re.compile(r"/jobs/view/(?:[^/?#]*?-)?(\d+)(?:[/?#]|$)")
_CURRENT_ID = re.compile(r"[?&]currentJobId=(\d+)")


@dataclass(slots=True)
class Card:
    """The fields of one search card, as shown."""

    job_id: str
    title: str
    company: str | None = None
    location: str | None = None
    salary: str | None = None
    """Salary span text, white space collapsed."""
    posted: str | None = None
    """The `datetime` attribute of the card's `time` (YYYY-MM-DD)."""
    link: str | None = None
    benefits: str | None = None


@dataclass(slots=True)
class SearchPage:
    """One parsed search page."""

    cards: list[Card]
    roots: int
    """Card roots found, parsed or not: the amount to step `start` by."""
    blank: bool
    """No cards and no content at all: the end of the results."""
    skipped: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Detail:
    """The fields read from a detail page (never its salary: a similar-jobs block carries others')."""

    title: str | None = None
    company: str | None = None
    location: str | None = None
    description: str | None = None
    criteria: dict[str, str] = field(default_factory=dict)


def _text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    return " ".join(node.text(deep=True).split()) or None


def _strip_query(href: str) -> str:
    return href.split("#", 1)[0].split("?", 1)[0]


# One selector for the card roots and every field node: lexbor returns matches in document order, so a
# single pass assigns each field to the card root that precedes it (far faster than a query per field).
_CARD_PASS = ", ".join(
    [
        CARD_ROOTS,
        "a.base-card__full-link",
        ".sr-only",
        ".base-search-card__title",
        ".base-search-card__subtitle",
        ".job-search-card__location",
        ".job-search-card__salary-info",
        ".job-posting-benefits__text",
        "time",
    ]
)
_FIELD_CLASSES = {
    "base-search-card__title": "title",
    "base-search-card__subtitle": "company",
    "job-search-card__location": "location",
    "job-search-card__salary-info": "salary",
    "job-posting-benefits__text": "benefits",
    "job-search-card__listdate": "time",
    "job-search-card__listdate--new": "time",
}


class _Draft:
    __slots__ = ("fields", "links", "root", "sr_title", "time_any", "urn")

    def __init__(self, root: LexborNode) -> None:
        self.root = root
        self.fields: dict[str, LexborNode] = {}
        self.links: list[str] = []
        self.sr_title: LexborNode | None = None
        self.time_any: str | None = None
        self.urn: str | None = None

    def card(self) -> Card | None:
        job_id = None
        if self.urn is None:  # rare: the urn sits on a descendant or on the enclosing <li>
            holder = self.root.css_first("[data-entity-urn]") or self.root.parent
            self.urn = holder.attributes.get("data-entity-urn") if holder is not None else None
        if self.urn:
            match = _URN_ID.search(self.urn)
            job_id = match.group(1) if match else None
        if job_id is None:
            for href in self.links:
                match = _LINK_ID.search(href) or _CURRENT_ID.search(href)
                if match:
                    job_id = match.group(1)
                    break
        title = _text(self.fields.get("title")) or _text(self.sr_title)
        if job_id is None or title is None:
            return None
        time_node = self.fields.get("time")
        posted = (time_node.attributes.get("datetime") or None) if time_node is not None else self.time_any
        return Card(
            job_id=job_id,
            title=title,
            company=_text(self.fields.get("company")),
            location=_text(self.fields.get("location")),
            salary=_text(self.fields.get("salary")),
            posted=posted,
            link=_strip_query(self.links[0]) if self.links else None,
            benefits=_text(self.fields.get("benefits")),
        )


def parse_search_page(html: str) -> SearchPage:
    """Parse a guest search response (bare `<li>` fragments): both card roots, every card field."""
    tree = LexborHTMLParser(html)
    drafts: list[_Draft] = []
    current: _Draft | None = None
    for node in tree.css(_CARD_PASS):
        attrs = node.attributes
        classes = (attrs.get("class") or "").split()
        tag = node.tag
        if "base-card" in classes and tag in ("div", "a"):
            current = _Draft(node)
            drafts.append(current)
            if tag == "a" and attrs.get("href"):
                current.links.append(attrs["href"] or "")
            if attrs.get("data-entity-urn"):
                current.urn = attrs["data-entity-urn"]
            continue
        if current is None:
            continue
        if tag == "a" and "base-card__full-link" in classes:
            if attrs.get("href"):
                current.links.append(attrs["href"] or "")
            continue
        if tag == "time" and current.time_any is None:
            current.time_any = attrs.get("datetime") or None
        for cls in classes:
            field_name = _FIELD_CLASSES.get(cls)
            if field_name is not None:
                current.fields.setdefault(field_name, node)
                break
        else:
            if "sr-only" in classes and current.sr_title is None:
                current.sr_title = node
    cards: list[Card] = []
    skipped: list[str] = []
    for draft in drafts:
        card = draft.card()
        if card is None:
            skipped.append("card without id or title")
        else:
            cards.append(card)
    blank = False
    if not drafts:
        body = tree.body
        text = collapse_ws(body.text(deep=True)) if body is not None else None
        blank = text is None and tree.css_first("li") is None
    return SearchPage(cards, len(drafts), blank, skipped)


def parse_detail(html: str) -> Detail:
    """Parse a detail page or fragment; read title by class (h1 or h2), never any salary."""
    tree = LexborHTMLParser(html)
    markup = tree.css_first("div.show-more-less-html__markup")
    description = markup.inner_html.strip() if markup is not None and markup.inner_html else None
    criteria: dict[str, str] = {}
    for item in tree.css("li.description__job-criteria-item"):
        label = _text(item.css_first(".description__job-criteria-subheader"))
        value = _text(item.css_first(".description__job-criteria-text"))
        if label and value:
            criteria[label] = value
    return Detail(
        title=_text(tree.css_first(".top-card-layout__title")),
        company=_text(tree.css_first("a.topcard__org-name-link")),
        location=_text(tree.css_first("span.topcard__flavor--bullet")),
        description=description or None,
        criteria=criteria,
    )


class LinkedInSource(BaseSource):
    """LinkedIn guest search: `GET {base_url}/jobs-guest/jobs/api/seeMoreJobPostings/search`.

    Options: `queries` (list of keywords, required), `locations` (list of location names, required),
    `recency_hours` (int, default 168: `f_TPR=r{recency_hours*3600}`), `geo_ids` (table location ->
    LinkedIn geoId, default empty), `workplace` (list of on-site|remote|hybrid for `f_WT`, default
    empty = any). Default base_url https://www.linkedin.com. Scopes are "{query} @ {location}" for
    every query and location. robots.txt of www.linkedin.com disallows generic crawlers: with the
    default `respect_robots = true` every crawl raises RobotsDisallowed (the run says why).

    `start` steps by the cards received; the crawl stops on a blank page, or at start >= 1000 where it
    raises ListingTruncated after yielding every card read (a cut-short search closes nothing). A page
    with content but no cards (a block page, a changed format) raises SourceFormatError, a redirect to
    a login wall BlockedByAuthwall: neither is read as "no more results". Cards repeated across pages
    are yielded once. The salary span goes in `pay_text` (white space collapsed); `posted_at` is the
    card's `time[datetime]`. The detail fragment `{base_url}/jobs-guest/jobs/api/jobPosting/{id}` (or,
    when that answers 404/410, the full page `{base_url}/jobs/view/{id}`) is fetched only when
    `hooks.needs_detail(posting)`; it supplies the description, `employment_type`
    (criterion "Employment type") and `extra["seniority"]`; `extra["detail_fetched"]` tells whether it did.
    """

    kind = "linkedin"
    default_base_url: ClassVar[str | None] = "https://www.linkedin.com"
    OPTIONS: ClassVar[dict[str, Option]] = {
        "queries": Option(
            "str_list", required=True, doc="search keywords, one search per query and location"
        ),
        "locations": Option("str_list", required=True, doc="location names as typed in LinkedIn's search"),
        "recency_hours": Option("int", 168, minimum=1, doc="only postings from the last N hours (f_TPR)"),
        "geo_ids": Option("str_map", {}, doc="optional LinkedIn geoId per location name"),
        "workplace": Option(
            "str_list", [], choices=tuple(WORKPLACE_CODES), doc="workplace filter (f_WT); empty means any"
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scopes: dict[str, tuple[str, str]] = {}
        for query in self.options["queries"]:
            for location in self.options["locations"]:
                self._scopes[f"{query} @ {location}"] = (query, location)

    def listing_window(self) -> timedelta:
        """Searches list only postings of the last `recency_hours`."""
        return timedelta(hours=self.options["recency_hours"])

    def scopes(self) -> list[str]:
        """One scope per query and location: "{query} @ {location}"."""
        return list(self._scopes)

    def search_params(self, scope: str, start: int) -> dict[str, str | int]:
        """Query parameters of one search page."""
        query, location = self._scopes[scope]
        params: dict[str, str | int] = {
            "keywords": query,
            "location": location,
            "f_TPR": f"r{self.options['recency_hours'] * 3600}",
        }
        geo_id = self.options["geo_ids"].get(location)
        if geo_id:
            params["geoId"] = geo_id
        if self.options["workplace"]:
            params["f_WT"] = ",".join(WORKPLACE_CODES[w] for w in self.options["workplace"])
        params["start"] = start
        return params

    async def crawl(self, client: PoliteClient, scope: str) -> AsyncIterator[RawPosting]:
        """Yield the cards of search `scope`, with detail where the hooks ask for it."""
        if scope not in self._scopes:
            raise self.unknown_scope(scope)
        self.prepare(client)
        url = self.base_url + SEARCH_PATH
        seen: set[str] = set()
        start = 0
        while start < MAX_START:
            html = await self.get_text(client, url, self.search_params(scope, start))
            page = parse_search_page(html)
            if page.roots == 0:
                if page.blank:
                    return
                raise SourceFormatError(
                    f"search page at start={start} has content but no job cards (blocked or format changed)",
                    url=url,
                    source=self.name,
                )
            if not page.cards:
                raise SourceFormatError(
                    f"no readable card among {page.roots} at start={start}", url=url, source=self.name
                )
            for card in page.cards:
                if card.job_id in seen:
                    continue
                seen.add(card.job_id)
                posting = self._posting(card, scope)
                if self.hooks.needs_detail(posting):
                    await self._add_detail(client, posting)
                yield posting
            start += page.roots
        # the site serves no page past MAX_START: the search was cut short, so it must not count as complete
        raise ListingTruncated(
            f"search stopped at {MAX_START} results: postings beyond were not seen;"
            " nothing closed (narrow the query)",
            url=url,
            source=self.name,
        )

    def _posting(self, card: Card, scope: str) -> RawPosting:
        return RawPosting(
            source_kind=self.kind,
            external_id=card.job_id,
            title=card.title,
            scope=scope,
            company=card.company,
            location=card.location,
            url=card.link or f"{self.base_url}/jobs/view/{card.job_id}",
            posted_at=parse_iso(card.posted),
            pay_text=card.salary,
            extra={"detail_fetched": False, **({"benefits": card.benefits} if card.benefits else {})},
        )

    async def _add_detail(self, client: PoliteClient, posting: RawPosting) -> None:
        job_id = quote(posting.external_id, safe="")
        html: str | None = None
        url = ""
        # the guest fragment first; the full page (same fields, selected by class) when a mirror lacks it
        for path in (DETAIL_PATH, FULL_PAGE_PATH):
            url = self.base_url + path.format(id=job_id)
            try:
                html = await self.get_text(client, url)
                break
            except HTTPStatusFailure as exc:
                if exc.status not in GONE_STATUSES:
                    raise
                posting.extra["detail_error"] = f"HTTP {exc.status}"
        if html is None:
            return
        posting.extra.pop("detail_error", None)
        detail = parse_detail(html)
        if detail.title is None and detail.description is None:
            raise SourceFormatError(
                "detail page has neither title nor description (blocked or format changed)",
                url=url,
                source=self.name,
            )
        posting.description = detail.description
        posting.company = posting.company or detail.company
        posting.location = posting.location or detail.location
        posting.employment_type = detail.criteria.get("Employment type")
        if "Seniority level" in detail.criteria:
            posting.extra["seniority"] = detail.criteria["Seniority level"]
        if "Job function" in detail.criteria:
            posting.extra["job_function"] = detail.criteria["Job function"]
        if "Industries" in detail.criteria:
            posting.extra["industries"] = detail.criteria["Industries"]
        posting.extra["detail_fetched"] = True
