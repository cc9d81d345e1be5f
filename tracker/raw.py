"""The raw posting record: what a source yields and what normalization consumes.

Sources turn responses into `RawPosting` values and nothing else; they do not interpret pay,
titles or locations. Normalization (`tracker.normalize.normalize_posting`) turns a `RawPosting`
into a normalized `Posting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class RawPosting:
    """One listing as a source saw it, before any normalization."""

    source_kind: str
    """Kind of source: greenhouse, lever, ashby, linkedin, jsonld, import."""
    external_id: str
    """The listing's id at the source; unique within one configured source."""
    title: str
    scope: str = ""
    """The crawl unit this listing came from (board token, Lever site, LinkedIn query key, page URL).
    A crawl that completes successfully closes the listings of its scope that it did not see."""
    company: str | None = None
    location: str | None = None
    """Free-text location as the source shows it."""
    url: str | None = None
    description: str | None = None
    """Description, HTML or plain text (HTML entities already unescaped once where the source escapes them)."""
    posted_at: datetime | None = None
    """When the employer published the listing (timezone-aware, UTC), if the source says."""
    employment_type: str | None = None
    """Raw employment type (FullTime, FULL_TIME, Full-time, ...)."""
    workplace: str | None = None
    """Raw workplace hint from a structured field (remote, on-site, Hybrid, TELECOMMUTE, ...)."""
    country: str | None = None
    """Country hint from a structured field (ISO 3166-1 alpha-2 or a country name)."""
    pay_text: str | None = None
    """Pay as display text from a dedicated field (LinkedIn salary span, Lever salaryDescription)."""
    structured_pay: Any = None
    """The source's own structured pay object, untouched: Greenhouse `pay_input_ranges` (list, cents),
    Lever `salaryRange` (dict), Ashby `compensation` (dict), JSON-LD `baseSalary` (any shape)."""
    pay_is_estimate: bool = False
    """True when the source says the pay is its own estimate rather than the employer's."""
    closed_at: datetime | None = None
    """When the listing closed, where the source says so (an import's closed_at); crawls close by absence."""
    extra: dict[str, Any] = field(default_factory=dict)
