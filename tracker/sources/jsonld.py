"""schema.org JobPosting in JSON-LD: career pages listed by URL or found through a sitemap."""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from tracker.errors import ConfigError, HTTPStatusFailure, SourceFormatError
from tracker.http import PoliteClient
from tracker.raw import RawPosting
from tracker.sources.base import GONE_STATUSES, BaseSource, CrawlNotes, Option, gone, parse_iso, str_or_none

MAX_SITEMAP_URLS = 50_000
"""The sitemaps.org limit per file."""
MAX_UNESCAPE_ROUNDS = 4
_ESCAPED_TAG = re.compile(r"&lt;/?[a-zA-Z][^&]{0,200}?&gt;")
_RAW_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_DOUBLE_ENTITY = re.compile(r"&amp;(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});")
_JSON_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")


class JsonLdSource(BaseSource):
    """Career pages carrying schema.org `JobPosting` JSON-LD.

    Options: `urls` (list of page URLs, default empty), `sitemap` (a sitemap URL, optional); at least
    one of them must be given. No default base_url: URLs are absolute; when `base_url` is given,
    relative URLs resolve against it. Scopes are each URL, plus the sitemap URL (one scope for all
    pages listed there; `<sitemapindex>` files are followed one level; listed URLs on another host
    than the sitemap's are skipped, so every request stays on the configured site).

    Every `<script type="application/ld+json">` block is read; invalid blocks are skipped, but a page
    whose blocks are all invalid JSON raises SourceFormatError (never read as "no postings"); `@graph`,
    arrays and nested objects are walked; only objects whose `@type` is (or lists) `JobPosting` count.
    `baseSalary` goes untouched in `structured_pay` (else `estimatedSalary`, with `pay_is_estimate`),
    top-level `salaryCurrency` in `extra["salaryCurrency"]`. A description escaped twice or more is
    unescaped until it is HTML escaped at most once. `external_id` is `identifier.value` (or a plain
    `identifier`), else the posting's `url`, else a stable hash of the page URL (and position when a
    page holds several). `jobLocation` (Place or list) becomes "locality, region, country" joined by
    "; ", `addressCountry` (string or {name}) the country hint; `jobLocationType: TELECOMMUTE` gives
    workplace "remote". A page URL answering 404/410 raises BoardGone; a page from a sitemap that does
    is skipped (the sitemap scope still completes).
    """

    kind = "jsonld"
    default_base_url: ClassVar[str | None] = None
    OPTIONS: ClassVar[dict[str, Option]] = {
        "urls": Option("str_list", [], doc="career page URLs holding JobPosting JSON-LD"),
        "sitemap": Option("optional_str", None, doc="sitemap URL listing such pages"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.options["urls"] and not self.options["sitemap"]:
            raise ConfigError(f"sources.{self.name}.urls: give at least one URL or a sitemap")
        self._scopes: dict[str, str] = {}
        for raw in [*self.options["urls"], *([self.options["sitemap"]] if self.options["sitemap"] else [])]:
            absolute = self._absolute(raw)
            if absolute is None:
                key = "sitemap" if raw == self.options["sitemap"] else "urls"
                raise ConfigError(
                    f"sources.{self.name}.{key}: {raw!r} is not an absolute http(s) URL and no base_url is set"
                )
            self._scopes[raw] = absolute

    def _absolute(self, raw: str) -> str | None:
        url = urljoin(self.base_url + "/", raw) if self.base_url else raw
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return url

    def scopes(self) -> list[str]:
        """Each configured URL, then the sitemap."""
        return list(self._scopes)

    async def crawl(self, client: PoliteClient, scope: str) -> AsyncIterator[RawPosting]:
        """Yield the JobPostings of page `scope`, or of every page of the sitemap `scope`."""
        if scope not in self._scopes:
            raise self.unknown_scope(scope)
        self.prepare(client)
        url = self._scopes[scope]
        if scope == self.options["sitemap"]:
            async for posting in self._crawl_sitemap(client, url, scope):
                yield posting
            return
        try:
            page = await self.get_text(client, url)
        except HTTPStatusFailure as exc:
            raise gone(exc, f"page {url}") from exc
        for posting in postings_from_html(page, url, self.kind, scope, source=self.name):
            yield posting

    async def _crawl_sitemap(
        self, client: PoliteClient, sitemap_url: str, scope: str
    ) -> AsyncIterator[RawPosting]:
        notes = CrawlNotes()
        pages = await self._sitemap_pages(client, sitemap_url, notes)
        seen: set[str] = set()
        for page_url in pages:
            try:
                page = await self.get_text(client, page_url)
            except HTTPStatusFailure as exc:
                if exc.status not in GONE_STATUSES:
                    raise
                notes.skip(self.name, f"{page_url}: HTTP {exc.status}")
                continue
            for posting in postings_from_html(page, page_url, self.kind, scope, source=self.name):
                if posting.external_id not in seen:
                    seen.add(posting.external_id)
                    yield posting

    async def _sitemap_pages(self, client: PoliteClient, sitemap_url: str, notes: CrawlNotes) -> list[str]:
        try:
            text = await self.get_text(client, sitemap_url)
        except HTTPStatusFailure as exc:
            raise gone(exc, f"sitemap {sitemap_url}") from exc
        kind, locs = parse_sitemap(text, sitemap_url, self.name)
        if kind == "sitemapindex":
            nested: list[str] = []
            for child in self._same_site(sitemap_url, locs, notes):
                child_kind, child_locs = parse_sitemap(await self.get_text(client, child), child, self.name)
                if child_kind == "urlset":
                    nested.extend(child_locs)
            locs = nested
        return list(dict.fromkeys(self._same_site(sitemap_url, locs, notes)))[:MAX_SITEMAP_URLS]

    def _same_site(self, sitemap_url: str, locs: list[str], notes: CrawlNotes) -> Iterator[str]:
        origin = urlsplit(self.base_url or sitemap_url)
        for loc in locs:
            parts = urlsplit(loc)
            if (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc):
                yield loc
            else:
                notes.skip(self.name, f"{loc}: not on {origin.scheme}://{origin.netloc}")


def parse_sitemap(text: str, url: str, source: str) -> tuple[str, list[str]]:
    """The root kind (urlset or sitemapindex) and the `<loc>` URLs of a sitemap."""
    try:
        root = ET.fromstring(text.strip().encode())
    except ET.ParseError as exc:
        raise SourceFormatError(f"sitemap is not XML: {exc}", url=url, source=source) from exc
    kind = root.tag.rsplit("}", 1)[-1]
    if kind not in ("urlset", "sitemapindex"):
        raise SourceFormatError(f"sitemap root is <{kind}>", url=url, source=source)
    locs = [
        el.text.strip()
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "loc" and el.text and el.text.strip()
    ]
    return kind, [urljoin(url, loc) for loc in locs]


def ld_json_texts(page: str) -> list[str]:
    """The text of every non-empty `application/ld+json` script, comment/CDATA wrappers removed."""
    tree = LexborHTMLParser(page)
    texts: list[str] = []
    for script in tree.css("script"):
        kind = (script.attributes.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        text = _JSON_WRAPPERS.sub("", script.text(deep=True) or "").strip()
        if text:
            texts.append(text)
    return texts


def _parse_blocks(texts: list[str]) -> list[Any]:
    blocks: list[Any] = []
    for text in texts:
        try:
            blocks.append(json.loads(text, strict=False))
        except ValueError:
            continue
    return blocks


def json_blocks(page: str) -> Iterator[Any]:
    """The parsed JSON of every `application/ld+json` script; invalid blocks are skipped."""
    yield from _parse_blocks(ld_json_texts(page))


def _is_job_posting(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting" for k in kinds)


def find_job_postings(value: Any) -> Iterator[dict[str, Any]]:
    """Every JobPosting object in a JSON-LD value: `@graph`, arrays and nested objects walked."""
    if isinstance(value, list):
        for item in value:
            yield from find_job_postings(item)
    elif isinstance(value, dict):
        if _is_job_posting(value):
            yield value
            return
        for child in value.values():
            if isinstance(child, dict | list):
                yield from find_job_postings(child)


def postings_from_html(
    page: str, page_url: str, kind: str, scope: str, *, source: str | None = None
) -> list[RawPosting]:
    """Raw postings from every JobPosting on one page.

    Raises SourceFormatError when the page has ld+json blocks and none of them is valid JSON (a
    truncated or mangled body): that is not "no postings here", so the scope must not complete.
    """
    texts = ld_json_texts(page)
    blocks = _parse_blocks(texts)
    if texts and not blocks:
        raise SourceFormatError(
            f"{len(texts)} ld+json block(s) on the page and none is valid JSON (truncated or changed format)",
            url=page_url,
            source=source,
        )
    found = [obj for block in blocks for obj in find_job_postings(block)]
    postings: list[RawPosting] = []
    for index, obj in enumerate(found):
        posting = posting_from_jsonld(obj, page_url, kind, scope, index if len(found) > 1 else None)
        if posting is not None:
            postings.append(posting)
    return postings


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        return str_or_none(value.get("name"))
    if isinstance(value, list):
        for item in value:
            name = _name(item)
            if name:
                return name
        return None
    return str_or_none(value)


def _place(value: Any) -> tuple[str | None, str | None]:
    """A Place (or address, or text) as (location text, country hint)."""
    if isinstance(value, str):
        return str_or_none(value), None
    if not isinstance(value, dict):
        return None, None
    address = value.get("address", value)
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, str):
        return str_or_none(address), None
    if not isinstance(address, dict):
        return _name(value), None
    country = _name(address.get("addressCountry"))
    parts = [str_or_none(address.get("addressLocality")), str_or_none(address.get("addressRegion")), country]
    text = ", ".join(p for p in parts if p) or _name(value)
    return text, country


def _identifier(value: Any) -> str | None:
    if isinstance(value, list):
        for item in value:
            found = _identifier(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return str_or_none(value.get("value")) or str_or_none(value.get("@id"))
    return str_or_none(value)


def unescape_description(text: str) -> str:
    """Undo extra rounds of HTML escaping until the text is HTML escaped at most once."""
    for _ in range(MAX_UNESCAPE_ROUNDS):
        escaped_markup = _ESCAPED_TAG.search(text) is not None and _RAW_TAG.search(text) is None
        if not (escaped_markup or _DOUBLE_ENTITY.search(text)):
            break
        text = htmllib.unescape(text)
    return text


def _join_strings(value: Any) -> str | None:
    if isinstance(value, list):
        items = [s for s in (str_or_none(v) for v in value) if s]
        return ", ".join(items) or None
    return str_or_none(value)


def posting_from_jsonld(
    obj: dict[str, Any], page_url: str, kind: str, scope: str, index: int | None = None
) -> RawPosting | None:
    """One JobPosting object as a RawPosting; None when it has no title."""
    title = str_or_none(obj.get("title")) or str_or_none(obj.get("name"))
    if title is None:
        return None
    title = htmllib.unescape(title)
    url = str_or_none(obj.get("url"))
    url = urljoin(page_url, url) if url else page_url
    external_id = _identifier(obj.get("identifier"))
    if external_id and "://" not in external_id:
        # identifier values are unique within one employer's site only: qualify them with the page's
        # host and the employer, so two sites (or two employers on one host) never share an id
        org = _name(obj.get("hiringOrganization")) or ""
        external_id = f"{urlsplit(page_url).netloc}:{org}:{external_id}" if org else f"{urlsplit(page_url).netloc}:{external_id}"
    external_id = external_id or str_or_none(obj.get("url"))
    if external_id is None:
        key = page_url if index is None else f"{page_url}#{index}"
        external_id = "urlsha1:" + hashlib.sha1(key.encode()).hexdigest()[:20]
    places = obj.get("jobLocation")
    places = places if isinstance(places, list) else [places] if places is not None else []
    texts: list[str] = []
    country: str | None = None
    for place in places:
        text, hint = _place(place)
        if text and text not in texts:
            texts.append(text)
        country = country or hint
    requirements = obj.get("applicantLocationRequirements")
    if not texts and requirements is not None:
        reqs = requirements if isinstance(requirements, list) else [requirements]
        names = [n for n in (_name(r) for r in reqs) if n]
        texts = names
        country = country or (names[0] if len(names) == 1 else None)
    location_type = obj.get("jobLocationType")
    location_types = location_type if isinstance(location_type, list) else [location_type]
    remote = any(isinstance(t, str) and t.strip().upper() == "TELECOMMUTE" for t in location_types)
    description = obj.get("description")
    structured_pay = obj.get("baseSalary")
    estimate = False
    if structured_pay is None and obj.get("estimatedSalary") is not None:
        structured_pay, estimate = obj.get("estimatedSalary"), True
    extra: dict[str, Any] = {"page_url": page_url}
    for key in ("salaryCurrency", "validThrough", "applicantLocationRequirements", "directApply"):
        if obj.get(key) is not None:
            extra[key] = obj[key]
    return RawPosting(
        source_kind=kind,
        external_id=external_id,
        title=title,
        scope=scope,
        company=_name(obj.get("hiringOrganization")),
        location="; ".join(texts) or None,
        url=url,
        description=unescape_description(description) if isinstance(description, str) else None,
        posted_at=parse_iso(obj.get("datePosted")),
        employment_type=_join_strings(obj.get("employmentType")),
        workplace="remote" if remote else None,
        country=country,
        structured_pay=structured_pay,
        pay_is_estimate=estimate,
        extra=extra,
    )
