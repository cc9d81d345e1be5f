"""`normalize_posting`: one `tracker.raw.RawPosting` (or a mapping with the same fields) -> `Posting`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tracker.normalize.htmltext import html_lines, normalize_whitespace
from tracker.normalize.locations import locate, workplace_of
from tracker.normalize.pay import PayBand, find_pay_in_text, parse_pay
from tracker.normalize.skills import extract_skills_split
from tracker.normalize.structured import structured_pay
from tracker.normalize.titles import classify_title
from tracker.raw import RawPosting

MAX_FIELD_CHARS = 2_000


@dataclass(frozen=True, slots=True)
class Posting:
    """A normalized posting: taxonomy values plus the raw text they came from."""

    source_kind: str
    scope: str
    external_id: str
    url: str | None
    company: str | None
    title_raw: str
    family: str
    seniority: str
    location_raw: str | None
    city: str | None
    region: str | None
    country: str | None
    workplace: str | None
    employment_type: str | None
    pay_text: str | None
    pay_min: float | None
    pay_max: float | None
    pay_currency: str | None
    pay_period: str | None
    annual_min: float | None
    annual_max: float | None
    pay_source: str | None
    """employer (structured or dedicated pay field), description (found in the text), estimated (the source's guess)."""
    description_text: str | None
    """Readable text of the description; None when the source gave none (the store then keeps what it has)."""
    description_hash: str | None
    """sha256 hex of the whitespace-collapsed description text; None when there is no description."""
    posted_at: datetime | None
    skills: frozenset[str]


_EMPLOYMENT: dict[str, str] = {
    "fulltime": "full_time", "full": "full_time", "permanent": "full_time", "regular": "full_time",
    "fulltimepermanent": "full_time", "permanentfulltime": "full_time", "fte": "full_time", "salaried": "full_time",
    "vollzeit": "full_time", "cdi": "full_time", "festanstellung": "full_time",
    "parttime": "part_time", "part": "part_time", "teilzeit": "part_time", "parttimepermanent": "part_time",
    "contract": "contract", "contractor": "contract", "contracttohire": "contract", "freelance": "contract",
    "freelancer": "contract", "consultant": "contract", "b2b": "contract", "selfemployed": "contract",
    "independentcontractor": "contract", "contractfixedterm": "temporary",
    "temporary": "temporary", "temp": "temporary", "fixedterm": "temporary", "seasonal": "temporary",
    "shortterm": "temporary", "perdiem": "temporary", "cdd": "temporary", "befristet": "temporary",
    "intern": "intern", "internship": "intern", "coop": "intern", "apprenticeship": "intern", "trainee": "intern",
    "werkstudent": "intern", "praktikum": "intern", "studentjob": "intern",
}


def employment_type_of(value: Any) -> str | None:
    """full_time / part_time / contract / temporary / intern from a raw value (FULL_TIME, "Full-time", list)."""
    if isinstance(value, list | tuple):
        for item in value[:10]:
            found = employment_type_of(item)
            if found:
                return found
        return None
    if not isinstance(value, str):
        return None
    key = "".join(ch for ch in value.lower()[:60] if ch.isalnum())
    if key in _EMPLOYMENT:
        return _EMPLOYMENT[key]
    for word, norm in (("intern", "intern"), ("parttime", "part_time"), ("fulltime", "full_time"),
                       ("contract", "contract"), ("temporary", "temporary"), ("permanent", "full_time"),
                       ("freelance", "contract"), ("fixedterm", "temporary")):
        if word in key:
            return norm
    return None


def _field(raw: Any, name: str, default: Any = None) -> Any:
    if type(raw) is RawPosting:  # the usual case, told apart without the slower ABC check
        return getattr(raw, name, default)
    if isinstance(raw, Mapping):
        return raw.get(name, default)
    return getattr(raw, name, default)


def _text(value: Any, limit: int = MAX_FIELD_CHARS) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = normalize_whitespace(value[:limit])
    return value or None


def _posted_at(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value  # epoch milliseconds (Lever) or seconds
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        text = value.strip()[:40].replace(" UTC", "+00:00").replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def description_hash(text: str) -> str | None:
    """sha256 hex of the whitespace-collapsed text (None for an empty text)."""
    norm = normalize_whitespace(text)
    if not norm:
        return None
    return hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()


def _text_hash(text: str) -> str | None:
    """description_hash of html_to_text output, whose lines are already collapsed: only the breaks change."""
    if not text:
        return None
    return hashlib.sha256(text.replace("\n", " ").encode("utf-8", "surrogatepass")).hexdigest()


def _pay(raw: Any, description_text: str) -> tuple[PayBand | None, str | None, str | None]:
    """(band, source, display text) from structured pay, then the pay text, then the description."""
    extra = _field(raw, "extra") or {}
    currency_hint = extra.get("salaryCurrency") if isinstance(extra, Mapping) else None
    pay_text = _text(_field(raw, "pay_text"), 1_000)
    band: PayBand | None = None
    source: str | None = None
    structured = _field(raw, "structured_pay")
    if structured is not None:
        band = structured_pay(str(_field(raw, "source_kind") or ""), structured, currency_hint)
        if band is not None:
            source = "employer"
    if band is None and pay_text:
        band = parse_pay(pay_text, default_currency=currency_hint if isinstance(currency_hint, str) else None)
        if band is not None:
            source = "employer"
    if band is None and description_text:
        band = find_pay_in_text(description_text)
        if band is not None:
            source = "description"
    if band is not None and _field(raw, "pay_is_estimate"):
        source = "estimated"
    display = pay_text or (band.text if band is not None and band.text else None)
    return band, source, display


def normalize_posting(raw: RawPosting | Mapping[str, Any]) -> Posting:
    """Normalize one raw posting: title family/seniority, location, pay (structured first), skills, text."""
    title = _text(_field(raw, "title"), 500) or ""
    info = classify_title(title)
    location_raw = _text(_field(raw, "location"), 500)
    loc = locate(location_raw, _field(raw, "country") if isinstance(_field(raw, "country"), str) else None)
    workplace = workplace_of(str(_field(raw, "workplace") or "")) or loc.workplace
    description_raw = _field(raw, "description")
    lines = html_lines(description_raw) if isinstance(description_raw, str) else []
    description_text = "\n".join(lines)
    band, pay_source, pay_display = _pay(raw, description_text)
    # the title has no line break (white space is collapsed), so these are the lines of the text searched
    skills = extract_skills_split(title + "\n" + description_text, [title, *lines] if lines else [title, ""])
    return Posting(
        source_kind=str(_field(raw, "source_kind") or ""),
        scope=str(_field(raw, "scope") or ""),
        external_id=str(_field(raw, "external_id") or ""),
        url=_text(_field(raw, "url")),
        company=_text(_field(raw, "company"), 300),
        title_raw=title,
        family=info.family,
        seniority=info.seniority,
        location_raw=location_raw,
        city=loc.city,
        region=loc.region,
        country=loc.country,
        workplace=workplace,
        employment_type=employment_type_of(_field(raw, "employment_type")),
        pay_text=pay_display,
        pay_min=band.min if band else None,
        pay_max=band.max if band else None,
        pay_currency=band.currency if band else None,
        pay_period=band.period if band else None,
        annual_min=band.annual_min if band else None,
        annual_max=band.annual_max if band else None,
        pay_source=pay_source if band else None,
        description_text=description_text or None,
        description_hash=_text_hash(description_text),
        posted_at=_posted_at(_field(raw, "posted_at")),
        skills=frozenset(skills),
    )
