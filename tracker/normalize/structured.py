"""Pay from the sources' own structured objects: Greenhouse, Lever, Ashby, JSON-LD baseSalary, and similar.

Each reader returns a PayBand or None and never raises on malformed input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tracker.normalize.pay import CURRENCY_CODES, PayBand, parse_pay

_LEVER_INTERVALS: dict[str, tuple[str, float]] = {
    "per-year-salary": ("year", 1.0),
    "per-month-salary": ("month", 1.0),
    "per-hour-wage": ("hour", 1.0),
    "per-week-salary": ("week", 1.0),
    "per-day-wage": ("day", 1.0),
    "semi-month-salary": ("year", 24.0),  # paid twice a month: expressed per year
    "bi-week-salary": ("year", 26.0),  # paid every two weeks: expressed per year
}
_UNIT_WORDS: dict[str, str] = {
    "hour": "hour", "hours": "hour", "hourly": "hour", "hr": "hour", "h": "hour", "hur": "hour", "per hour": "hour",
    "day": "day", "days": "day", "daily": "day", "d": "day", "dai": "day", "per day": "day",
    "week": "week", "weeks": "week", "weekly": "week", "wk": "week", "wee": "week", "per week": "week",
    "month": "month", "months": "month", "monthly": "month", "mon": "month", "mo": "month", "per month": "month",
    "year": "year", "years": "year", "yearly": "year", "annual": "year", "annually": "year", "annum": "year",
    "per annum": "year", "yr": "year", "ann": "year", "a": "year", "y": "year", "per year": "year", "p.a.": "year",
}
_MULTI_UNITS: dict[str, tuple[str, float]] = {
    "1 year": ("year", 1.0), "1 month": ("month", 1.0), "1 hour": ("hour", 1.0), "1 week": ("week", 1.0),
    "1 day": ("day", 1.0), "2 week": ("year", 26.0), "2 weeks": ("year", 26.0), "6 month": ("year", 2.0),
    "3 month": ("year", 4.0), "0.5 month": ("year", 24.0),
}


def _num(value: Any) -> float | None:
    """A finite positive number from an int, float or numeric string ("$100,000", "100k"); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        f = float(value)
        return f if math.isfinite(f) and f > 0 else None
    if isinstance(value, str):
        band = parse_pay(value[:200], default_currency=None)
        if band is not None and band.min is not None and band.max is not None:
            return band.min if band.min == band.max else None  # a range is not one number
        if len(re.findall(r"\d[\d,.]*", value[:200])) != 1:
            return None  # several figures ("100,000 - 120,000"): never glue their digits together
        cleaned = re.sub(r"[^0-9.]", "", value.replace(",", ""))[:30]
        try:
            f = float(cleaned) if cleaned and cleaned.count(".") <= 1 else float("nan")
        except ValueError:
            return None
        return f if math.isfinite(f) and f > 0 else None
    return None


def _currency(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().upper()[:10]
    return code if code in CURRENCY_CODES else None


def _unit(value: Any) -> tuple[str | None, float]:
    if not isinstance(value, str):
        return None, 1.0
    key = " ".join(value.strip().lower().replace("_", " ").split())[:40]
    if key in _MULTI_UNITS:
        return _MULTI_UNITS[key]
    key = key.removeprefix("per ").strip()
    if key in _UNIT_WORDS:
        return _UNIT_WORDS[key], 1.0
    return None, 1.0


def _band(low: float | None, high: float | None, currency: str | None, period: str | None, factor: float = 1.0,
          text: str = "") -> PayBand | None:
    if low is None and high is None:
        return None
    if low is not None and high is not None and high < low:
        low, high = high, low
    lo = round(low * factor, 2) if low is not None else None
    hi = round(high * factor, 2) if high is not None else None
    return PayBand(min=lo, max=hi, currency=currency, period=period, text=text)


def _infer_period(low: float | None, high: float | None, hints: str = "") -> str | None:
    hint = hints.lower()
    if re.search(r"\bhour(?:ly)?\b|/\s?h(?:r|our)?\b|per hour", hint):
        return "hour"
    if re.search(r"\b(?:annual|annually|yearly|per year|per annum|salary range|/\s?yr|/\s?year)\b", hint):
        values = [v for v in (low, high) if v is not None]
        if values and max(values) < 1000:
            return "hour"
        return "year"
    if re.search(r"\bmonth(?:ly)?\b", hint):
        return "month"
    if re.search(r"\b(?:daily|day rate|per day)\b", hint):
        return "day"
    values = [v for v in (low, high) if v is not None]
    if not values:
        return None
    if max(values) <= 500:
        return "hour"
    if min(values) >= 15_000:
        return "year"
    return None


def _envelope(bands: list[PayBand]) -> PayBand | None:
    if not bands:
        return None
    first = bands[0]
    same = [b for b in bands if b.currency == first.currency and b.period == first.period]
    mins = [b.min for b in same if b.min is not None]
    maxs = [b.max for b in same if b.max is not None]
    return PayBand(
        min=min(mins) if mins else None, max=max(maxs) if maxs else None, currency=first.currency,
        period=first.period, text=first.text,
    )


# --- per source ------------------------------------------------------------------------------------------


def greenhouse_pay(ranges: Any) -> PayBand | None:
    """Greenhouse `pay_input_ranges`: amounts in cents, no interval (inferred from title/blurb/magnitude)."""
    if not isinstance(ranges, Sequence) or isinstance(ranges, str):
        return None
    bands: list[PayBand] = []
    for item in ranges:
        if not isinstance(item, Mapping):
            continue
        low, high = _num(item.get("min_cents")), _num(item.get("max_cents"))
        low = low / 100 if low is not None else None
        high = high / 100 if high is not None else None
        hints = " ".join(str(item.get(k) or "")[:500] for k in ("title", "blurb"))
        band = _band(low, high, _currency(item.get("currency_type")), _infer_period(low, high, hints))
        if band is not None:
            bands.append(band)
    return _envelope(bands)


def lever_pay(salary_range: Any) -> PayBand | None:
    """Lever `salaryRange` {currency, interval, min, max}; 0/0 and one-time amounts are no pay."""
    if not isinstance(salary_range, Mapping):
        return None
    interval = str(salary_range.get("interval") or "").strip().lower()
    low, high = _num(salary_range.get("min")), _num(salary_range.get("max"))
    period: str | None
    if interval in _LEVER_INTERVALS:
        period, factor = _LEVER_INTERVALS[interval]
    elif interval in ("one-time", "one time", "onetime"):
        return None
    else:
        period, factor = _unit(interval)
        if period is None:
            period = _infer_period(low, high)
    return _band(low, high, _currency(salary_range.get("currency")), period, factor)


def ashby_pay(compensation: Any) -> PayBand | None:
    """Ashby `compensation`: only Salary components (summaryComponents, else every tier's components)."""
    if not isinstance(compensation, Mapping):
        return None
    components: list[Any] = []
    summary = compensation.get("summaryComponents")
    if isinstance(summary, Sequence) and not isinstance(summary, str):
        components.extend(summary)
    if not any(isinstance(c, Mapping) and c.get("compensationType") == "Salary" for c in components):
        tiers = compensation.get("compensationTiers")
        if isinstance(tiers, Sequence) and not isinstance(tiers, str):
            for tier in tiers:
                if isinstance(tier, Mapping) and isinstance(tier.get("components"), Sequence):
                    components.extend(tier["components"])
    bands: list[PayBand] = []
    for comp in components:
        if not isinstance(comp, Mapping) or comp.get("compensationType") != "Salary":
            continue
        low, high = _num(comp.get("minValue")), _num(comp.get("maxValue"))
        period, factor = _unit(comp.get("interval"))
        if period is None:
            period = _infer_period(low, high)
        band = _band(low, high, _currency(comp.get("currencyCode")), period, factor)
        if band is not None:
            bands.append(band)
    if bands:
        return _envelope(bands)
    summary_text = compensation.get("scrapeableCompensationSalarySummary") or compensation.get("compensationTierSummary")
    if isinstance(summary_text, str):
        return parse_pay(summary_text)
    return None


def jsonld_pay(base_salary: Any, currency_hint: str | None = None) -> PayBand | None:
    """schema.org `baseSalary` in any of its wild shapes (MonetaryAmount, PriceSpecification, number, text)."""
    hint = _currency(currency_hint)
    if isinstance(base_salary, Sequence) and not isinstance(base_salary, str):
        bands = [b for b in (jsonld_pay(x, hint) for x in list(base_salary)[:20]) if b is not None]
        return _envelope(bands)
    if isinstance(base_salary, bool):
        return None
    if isinstance(base_salary, int | float):
        value = _num(base_salary)
        return _band(value, value, hint, _infer_period(value, value)) if value else None
    if isinstance(base_salary, str):
        return parse_pay(base_salary, default_currency=hint)
    if not isinstance(base_salary, Mapping):
        return None
    currency = (
        _currency(base_salary.get("currency"))
        or _currency(base_salary.get("priceCurrency"))
        or _currency(base_salary.get("salaryCurrency"))
        or hint
    )
    value = base_salary.get("value")
    unit_text = base_salary.get("unitText") or base_salary.get("unitCode")
    low: float | None = None
    high: float | None = None
    text_value: str | None = None
    if isinstance(value, Mapping):
        unit_text = value.get("unitText") or value.get("unitCode") or unit_text
        currency = _currency(value.get("currency")) or currency
        low, high = _num(value.get("minValue")), _num(value.get("maxValue"))
        if low is None and high is None:
            inner = value.get("value")
            if isinstance(inner, str) and not _num(inner):
                text_value = inner
            low = high = _num(inner)
    elif isinstance(value, str) and re.search(r"[-–—]|\bto\b", value):
        text_value = value
    elif value is not None:
        low = high = _num(value)
        if low is None and isinstance(value, str):
            text_value = value
    if low is None and high is None and text_value is None:
        low = _num(base_salary.get("minValue") or base_salary.get("minPrice"))
        high = _num(base_salary.get("maxValue") or base_salary.get("maxPrice"))
        if low is None and high is None:
            low = high = _num(base_salary.get("price"))
    period, factor = _unit(unit_text)
    if text_value is not None:
        parsed = parse_pay(text_value, default_currency=currency)
        if parsed is None:
            return None
        if period and parsed.period is None:
            return PayBand(parsed.min, parsed.max, parsed.currency, period, parsed.text)
        return parsed
    if currency is None:
        for raw in (value, base_salary.get("minValue"), base_salary.get("maxValue")):
            candidate = raw.get("minValue") or raw.get("value") if isinstance(raw, Mapping) else raw
            if isinstance(candidate, str):
                parsed = parse_pay(candidate)
                if parsed is not None and parsed.currency:
                    currency = parsed.currency
                    break
    if period is None:
        period = _infer_unambiguous(low, high, currency)
    return _band(low, high, currency, period, factor)


def _infer_unambiguous(low: float | None, high: float | None, currency: str | None) -> str | None:
    """A missing unit is unknown, except where the magnitude leaves no doubt (taxonomy rule)."""
    values = [v for v in (low, high) if v is not None]
    if not values:
        return None
    band = parse_pay(" - ".join(f"{v:.2f}" for v in values), default_currency=currency or "USD")
    return band.period if band is not None else None


def generic_pay(obj: Any, currency_hint: str | None = None) -> PayBand | None:
    """Recruitee-style {min, max, period, currency} or RemoteOK-style {salary_min, salary_max}."""
    if not isinstance(obj, Mapping):
        return None
    low = _num(obj.get("min") if "min" in obj else obj.get("salary_min"))
    high = _num(obj.get("max") if "max" in obj else obj.get("salary_max"))
    period, factor = _unit(obj.get("period") or obj.get("interval") or obj.get("unit"))
    if period is None:
        period = _infer_unambiguous(low, high, _currency(obj.get("currency")))
    return _band(low, high, _currency(obj.get("currency")) or _currency(currency_hint), period, factor)


def structured_pay(source_kind: str, obj: Any, currency_hint: str | None = None) -> PayBand | None:
    """Interpret a source's structured pay object (dispatch on its shape, then on the source kind)."""
    try:
        if obj is None:
            return None
        if isinstance(obj, Sequence) and not isinstance(obj, str) and any(
            isinstance(x, Mapping) and ("min_cents" in x or "max_cents" in x) for x in obj
        ):
            return greenhouse_pay(obj)
        if isinstance(obj, Mapping):
            if "summaryComponents" in obj or "compensationTiers" in obj or "compensationTierSummary" in obj:
                return ashby_pay(obj)
            if "interval" in obj and ("min" in obj or "max" in obj):
                return lever_pay(obj)
            if "salary_min" in obj or ("min" in obj and "max" in obj and "@type" not in obj):
                return generic_pay(obj, currency_hint)
        kind = (source_kind or "").lower()
        if kind == "greenhouse":
            return greenhouse_pay(obj)
        if kind == "lever":
            return lever_pay(obj)
        if kind == "ashby":
            return ashby_pay(obj)
        return jsonld_pay(obj, currency_hint)
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError, RecursionError):
        return None
