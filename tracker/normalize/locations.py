"""City, region, country (ISO 3166-1 alpha-2) and workplace from a free-text job location.

Tables: data/countries.toml (names and aliases), data/regions.toml (US states, Canadian provinces,
Australian states, a few more), data/cities.toml (major cities for bare names like "London").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tracker.normalize.tables import load_table

MAX_LOCATION_CHARS = 500


@dataclass(frozen=True, slots=True)
class Location:
    """A parsed location; any part may be unknown (None)."""

    city: str | None
    region: str | None
    country: str | None
    workplace: str | None


@dataclass(frozen=True, slots=True)
class _Geo:
    countries: dict[str, str]  # lowered name/alias/alpha-3 -> ISO-2
    iso2: frozenset[str]
    region_codes: dict[str, tuple[str, ...]]  # code as written -> countries, by priority
    region_names: dict[str, tuple[str, ...]]  # lowered name -> countries
    cities: dict[str, tuple[str, ...]]  # lowered city -> countries


_PUNCT = re.compile(r"[.\u200b]")
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub(" ", _PUNCT.sub(" ", text)).strip().lower()


@lru_cache(maxsize=1)
def _geo() -> _Geo:
    countries: dict[str, str] = {}
    ctable = load_table("countries.toml")["countries"]
    for code, names in ctable.items():
        for name in names:
            countries.setdefault(_norm(name), code)
    rtable = load_table("regions.toml")
    priority = [str(c) for c in rtable.get("code_priority", [])]
    regions = rtable.get("regions", {})
    order = priority + [c for c in regions if c not in priority]
    region_codes: dict[str, list[str]] = {}
    region_names: dict[str, list[str]] = {}
    for country in order:
        for code, name in regions.get(country, {}).items():
            region_codes.setdefault(code, []).append(country)
            region_names.setdefault(_norm(name), []).append(country)
    for alias, (country, _code) in rtable.get("region_aliases", {}).items():
        lst = region_names.setdefault(_norm(alias), [])
        if country not in lst:
            lst.append(country)
    cities: dict[str, list[str]] = {}
    for country, names in load_table("cities.toml")["cities"].items():
        for name in names:
            lst = cities.setdefault(_norm(name), [])
            if country not in lst:
                lst.append(country)
    return _Geo(
        countries=countries,
        iso2=frozenset(ctable),
        region_codes={k: tuple(v) for k, v in region_codes.items()},
        region_names={k: tuple(v) for k, v in region_names.items()},
        cities={k: tuple(v) for k, v in cities.items()},
    )


# --- workplace ---------------------------------------------------------------------------------------

_HYBRID = re.compile(r"\bhybrid|\bhybride\b|\bteilweise\sremote\b", re.I)
_REMOTE = re.compile(
    r"\b(?:remote(?:ly)?|anywhere|work\sfrom\shome|wfh|telecommut\w*|home[-\s]based|fully\sdistributed|distributed"
    r"|virtual|télétravail|teletrabajo|homeoffice|home\soffice|remoto|remote-first|work\sfrom\sanywhere)\b",
    re.I,
)
_ONSITE = re.compile(r"\b(?:on[-\s]?site|in[-\s]office|office[-\s]based|in[-\s]person|presencial|vor\sort|onsite)\b", re.I)


def workplace_of(text: str) -> str | None:
    """remote / hybrid / onsite from free text or a structured hint (TELECOMMUTE, OnSite, ...); None if unknown."""
    if not isinstance(text, str) or not text:
        return None
    text = text[:MAX_LOCATION_CHARS]
    if _HYBRID.search(text):
        return "hybrid"
    remote = _REMOTE.search(text)
    onsite = _ONSITE.search(text)
    if remote and onsite:
        return "remote" if remote.start() < onsite.start() else "onsite"
    if remote:
        return "remote"
    if onsite:
        return "onsite"
    return None


# --- parsing ----------------------------------------------------------------------------------------------

_MULTI_SPLIT = re.compile(r"\s*(?:;|\||\n|/|\s+or\s+|\s+&\s+|\s+and\s+|\s+oder\s+|\s+ou\s+|\s+o\s+)\s*", re.I)
_PART_SPLIT = re.compile(r"\s*(?:,|\s[-–—]\s|[–—]|\(|\)|\[|\]|:|/|\s-|-\s|\s·\s|•)\s*")
_WORKPLACE_WORDS = re.compile(
    r"\b(?:remote(?:ly)?|hybrid|on[-\s]?site|onsite|in[-\s]office|office|in[-\s]person|anywhere|work\sfrom\shome|wfh"
    r"|telecommute|telecommuting|virtual|fully|100%|based|friendly|home|location|locations|hq|headquarters"
    r"|flexible|preferred|optional|time\szones?|timezone|eligible|candidates|position|distributed|working)\b",
    re.I,
)
_FILLER_WORDS = re.compile(r"\b(?:[Oo]nly|[Ff]irst|[Ww]ithin|[Ii]n|[Ff]rom|[Tt]he|[Oo]f|[Aa]ny|[Tt]eam|[Cc]ountry|[Rr]egion)\b")
_NOISE = re.compile(
    r"^(?:(?:multiple|various|several|\d+|other)\s+(?:locations?|cities|offices|countries)|tbd|n/?a|global|worldwide"
    r"|anywhere|earth|international|europe|eu|european\sunion|emea|apac|apj|latam|latin\samerica|north\samerica"
    r"|south\samerica|americas|asia|asia\spacific|africa|middle\seast|mena|nordics|dach|benelux|scandinavia|oceania"
    r"|cet|est|pst|cst|gmt|utc|et|pt|ct|mt|us\stime\szones?|americas\stime\szones?"
    r"|(?:eastern|pacific|central|mountain|european|us)\s(?:standard\s)?time(?:\szones?)?)$",
    re.I,
)
_DC = re.compile(r"\bD\.\s?C\.?")
_TRAILING_CODE = re.compile(r"(?P<city>[^\s].{0,200}?)\s(?P<code>[A-Z]{2,3})")
_POSTCODE = re.compile(r"\s*\b(?:\d{4,6}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b\s*")
_GREATER = re.compile(r"^(?:greater|metro|metropolitan)\s+|\s+(?:metropolitan|metro|city)?\s*(?:area|region)$", re.I)


def _clean_part(geo: _Geo, part: str) -> str:
    if _NOISE.match(part.strip()):
        return ""
    part = _WS.sub(" ", _POSTCODE.sub(" ", part)).strip(" -–—,.()")
    stripped = _WS.sub(" ", _WORKPLACE_WORDS.sub(" ", part)).strip(" -–—,.()")
    if _lookup_country(geo, stripped) or _lookup_city(geo, stripped) or _lookup_region(geo, stripped):
        return stripped  # "United States of America", "Isle of Man": keep the small words
    words = stripped.split(" ")
    if stripped != part or (words and (_FILLER_WORDS.fullmatch(words[0]) or _FILLER_WORDS.fullmatch(words[-1]))):
        # "Remote in Canada", "US only": drop the filler words around the place
        stripped = _WS.sub(" ", _FILLER_WORDS.sub(" ", stripped)).strip(" -–—,.()")
    return stripped


def _lookup_country(geo: _Geo, part: str) -> str | None:
    key = _norm(part)
    code = geo.countries.get(key)
    if code:
        if len(part) <= 3 and part.isalpha() and not part.isupper() and key not in ("us", "usa", "uk", "uae", "ksa"):
            return None  # "can", "per", "ind" as words, not codes
        return code
    if len(part) == 2 and part.isupper() and part in geo.iso2:
        return part
    return None


def _lookup_city(geo: _Geo, part: str) -> tuple[str, ...]:
    key = _norm(part)
    found = geo.cities.get(key)
    if found:
        return found
    stripped = _GREATER.sub("", key).strip()
    return geo.cities.get(stripped, ())


def _lookup_region(geo: _Geo, part: str) -> tuple[str, ...]:
    if part.isupper() and 2 <= len(part) <= 3:
        found = geo.region_codes.get(part)
        if found:
            return found
    return geo.region_names.get(_norm(part), ())


@dataclass(slots=True)
class _Parsed:
    city: str | None = None
    region: str | None = None
    country: str | None = None
    strong: bool = False


def _parse_one(geo: _Geo, raw_parts: list[str]) -> _Parsed:
    parts: list[str] = []
    for cleaned in (_clean_part(geo, x) for x in raw_parts):
        if not cleaned or _NOISE.match(cleaned):
            continue
        m = _TRAILING_CODE.fullmatch(cleaned)
        if (
            m
            and m.group("city").lower() != m.group("city")
            and _lookup_region(geo, m.group("code"))
            and not _lookup_city(geo, cleaned)
        ):
            parts.extend((m.group("city"), m.group("code")))  # "Austin TX", "Sydney NSW"
        else:
            parts.append(cleaned)
    out = _Parsed()
    if not parts:
        return out
    # 1. an explicit country, searched from the right
    country_idx: int | None = None
    for i in range(len(parts) - 1, -1, -1):
        code = _lookup_country(geo, parts[i])
        if code is None:
            continue
        part = parts[i]
        region_too = _lookup_region(geo, part)
        if region_too and (i > 0 or (part.isupper() and len(part) == 2)):
            # "CA", "DE", "IN", "Georgia": a region code/name or a country? the city decides
            city_c = _lookup_city(geo, parts[0])
            if not (city_c and code in city_c):
                continue
        country_idx = i
        out.country = code
        out.strong = True
        break
    rest = [p for i, p in enumerate(parts) if i != country_idx]
    if not rest:
        return out
    # 2. a region among the parts after the first (the first is normally the city)
    region_idx: int | None = None
    region_countries: tuple[str, ...] = ()
    for i in range(1, len(rest)):
        found = _lookup_region(geo, rest[i])
        if found:
            region_idx, region_countries = i, found
            break
    first = rest[0]
    first_city = _lookup_city(geo, first)
    if region_idx is None:
        # a lone region or country: "Ontario, Canada", "Remote - Illinois", "California"
        found = _lookup_region(geo, first)
        if found and not first_city and (out.country is None or out.country in found):
            region_idx, region_countries = 0, found
        elif out.country is None and not first_city:
            code = _lookup_country(geo, first)
            if code:
                out.country, out.strong = code, True
                return out
    if region_idx is None and out.strong and len(rest) == 2 and country_idx == len(parts) - 1:
        region_idx = 1  # LinkedIn's "City, Region, Country": the middle part is the region
    if region_idx is not None:
        out.region = rest[region_idx]
    if region_idx != 0:
        out.city = first
    if out.country is None:
        if region_countries:
            if first_city and region_idx != 0:
                common = [c for c in region_countries if c in first_city]
                if common:
                    out.country, out.strong = common[0], True
                    return out
            out.country = region_countries[0]
            # "Remote, CA": California or Canada? a structured country hint may overrule a code like this
            code_like_country = bool(out.region and out.region.isupper() and out.region in geo.iso2)
            out.strong = len(region_countries) == 1 and not code_like_country
        elif first_city and len(first_city) == 1:
            out.country = first_city[0]
            out.strong = False
    return out


def _parse(text: str) -> _Parsed:
    geo = _geo()
    text = "\n".join(" ".join(line.split()) for line in text[:MAX_LOCATION_CHARS].splitlines())
    text = _DC.sub("DC", text)
    for loc in _MULTI_SPLIT.split(text):
        if not loc or not loc.strip():
            continue
        parsed = _parse_one(geo, _PART_SPLIT.split(loc))
        if parsed.city or parsed.region or parsed.country:
            return parsed
    return _Parsed()


def parse_location(text: str) -> Location:
    """Parse a job location ("San Francisco, CA", "Remote - US", "Hybrid - London") into a Location."""
    if not isinstance(text, str) or not text.strip():
        return Location(None, None, None, None)
    parsed = _parse(text)
    return Location(parsed.city, parsed.region, parsed.country, workplace_of(text))


def locate(text: str | None, country_hint: str | None = None) -> Location:
    """parse_location, with a structured country hint used where the text does not decide."""
    if (text is None or isinstance(text, str)) and (country_hint is None or isinstance(country_hint, str)):
        return _locate(text, country_hint)  # locations repeat a lot, and the result is immutable
    return _locate_uncached(text, country_hint)


def _locate_uncached(text: str | None, country_hint: str | None) -> Location:
    loc = parse_location(text or "")
    hint = country_code(country_hint)
    if hint is None:
        return loc
    parsed = _parse(text or "") if text else _Parsed()
    if loc.country is None or (not parsed.strong and loc.country != hint):
        return Location(loc.city, loc.region, hint, loc.workplace)
    return loc


_locate = lru_cache(maxsize=8192)(_locate_uncached)


def country_code(value: str | None) -> str | None:
    """ISO-2 code for a country hint given as a code ("gb", "US") or a name ("Netherlands"); None if unknown."""
    if not isinstance(value, str):
        return None
    value = value.strip()[:100]
    if not value:
        return None
    geo = _geo()
    if len(value) == 2 and value.upper() in geo.iso2:
        return value.upper()
    return geo.countries.get(_norm(value))
