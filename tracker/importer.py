"""Reading postings from JSON Lines or CSV files, for backfills and datasets (`tracker import`).

Columns: external_id, title, company, location, pay_text (or pay_min, pay_max, pay_currency, pay_period),
description, url, posted_at, seen_at, closed_at. external_id and title are required. A bad row is reported
with its line number and skipped; good rows are kept.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError
from tracker.raw import RawPosting

COLUMNS = (
    "external_id", "title", "company", "location", "pay_text", "pay_min", "pay_max", "pay_currency",
    "pay_period", "description", "url", "posted_at", "seen_at", "closed_at",
)  # fmt: skip
PERIODS = {"hour", "day", "week", "month", "year"}
PERIOD_SYNONYMS = {
    "hourly": "hour", "hr": "hour", "h": "hour", "per hour": "hour", "an hour": "hour",
    "daily": "day", "per day": "day", "a day": "day",
    "weekly": "week", "wk": "week", "per week": "week", "a week": "week",
    "monthly": "month", "mo": "month", "per month": "month", "a month": "month",
    "yearly": "year", "annual": "year", "annually": "year", "annum": "year", "per annum": "year", "yr": "year",
    "per year": "year", "a year": "year", "salary": "year",
}  # fmt: skip
_AMOUNT = re.compile(r"^\s*(?:[A-Za-z]{3}\s*)?[^\d\s]{0,3}\s*(\d[\d,]*(?:\.\d+)?)\s*([kKmM]?)\s*(?:[A-Za-z]{3})?\s*$")
MAX_FIELD = 200_000


@dataclass
class ImportErrors:
    """Rows that were skipped, with their line numbers."""

    rows: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        """Remember one bad row."""
        self.rows.append((line, message))


def _parse_time(value: Any, column: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column}: not an ISO 8601 date or time: {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _number(value: Any, column: str) -> float | None:
    """An amount: a number, or text like "150000", "150,000", "$150,000", "150k", "USD 150000"."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{column}: not a number: {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = _AMOUNT.match(str(value)[:100])
        if match is None:
            raise ValueError(f"{column}: not a number: {value!r}")
        number = float(match.group(1).replace(",", "")) * {"": 1, "k": 1e3, "m": 1e6}[match.group(2).lower()]
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{column}: not a positive amount: {value!r}")
    return number


def _fmt(amount: float) -> str:
    return format(amount, ".2f").rstrip("0").rstrip(".")


def _text(row: dict[str, Any], column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        else:
            raise ValueError(f"{column}: expected text, got {type(value).__name__}")
    value = value.strip()
    return value[:MAX_FIELD] or None


def row_to_raw(row: dict[str, Any], *, now: datetime) -> tuple[RawPosting, datetime]:
    """One import row as a raw posting and the time it was seen; ValueError names the bad column."""
    external_id = _text(row, "external_id")
    title = _text(row, "title")
    if not external_id:
        raise ValueError("external_id: missing")
    if not title:
        raise ValueError("title: missing")
    posted_at = _parse_time(row.get("posted_at"), "posted_at")
    seen_at = _parse_time(row.get("seen_at"), "seen_at") or posted_at or now
    closed_at = _parse_time(row.get("closed_at"), "closed_at")
    if closed_at is not None:
        if closed_at > now:
            raise ValueError(f"closed_at: in the future ({closed_at.isoformat()})")
        if closed_at < seen_at:
            raise ValueError(
                f"closed_at: earlier than the time the job was seen ({seen_at.isoformat()}: seen_at, else "
                "posted_at, else now)"
            )
    pay_text = _text(row, "pay_text")
    pay_min, pay_max = _number(row.get("pay_min"), "pay_min"), _number(row.get("pay_max"), "pay_max")
    if pay_text is None and (pay_min is not None or pay_max is not None):
        currency = (_text(row, "pay_currency") or "").upper()
        period = " ".join((_text(row, "pay_period") or "").lower().replace("_", " ").replace("-", " ").split())
        period = PERIOD_SYNONYMS.get(period, period)
        if len(currency) != 3 or not currency.isalpha():
            raise ValueError(f"pay_currency: expected an ISO 4217 code with pay_min/pay_max, got {currency or 'nothing'}")
        if period not in PERIODS:
            raise ValueError(f"pay_period: expected one of {', '.join(sorted(PERIODS))}, got {period or 'nothing'}")
        if pay_min is not None and pay_max is not None and pay_min > pay_max:
            raise ValueError("pay_min: greater than pay_max")
        if pay_min is not None and pay_max is not None:
            pay_text = f"{currency} {_fmt(pay_min)} - {_fmt(pay_max)} per {period}"
        elif pay_min is not None:
            pay_text = f"from {currency} {_fmt(pay_min)} per {period}"
        else:
            pay_text = f"up to {currency} {_fmt(pay_max or 0)} per {period}"
    raw = RawPosting(
        source_kind="import",
        external_id=external_id[:300],
        title=title,
        company=_text(row, "company"),
        location=_text(row, "location"),
        url=_text(row, "url"),
        description=_text(row, "description"),
        posted_at=posted_at,
        pay_text=pay_text,
        closed_at=closed_at,
    )
    return raw, seen_at


NOT_UTF8 = "not valid UTF-8 text"


def _undecodable(text: str) -> bool:
    """Whether text read with errors="surrogateescape" held bytes that are not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) for each record of a CSV or JSON Lines file; a string row is a parse error.

    Bytes that are not UTF-8 make their row a parse error (reported with its line number); the
    rows around it are read as usual.
    """
    suffix = path.suffix.lower()
    try:
        handle = path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        if suffix in {".jsonl", ".ndjson", ".json"}:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                if _undecodable(line):
                    yield number, NOT_UTF8
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, f"not valid JSON: {exc.msg}"
                    continue
                yield number, record if isinstance(record, dict) else "expected a JSON object"
        elif suffix in {".csv", ".tsv"}:
            reader = csv.DictReader(handle, delimiter="\t" if suffix == ".tsv" else ",")
            if not reader.fieldnames or not {"external_id", "title"} <= set(reader.fieldnames):
                raise ConfigError(f"{path}: the header must name at least external_id and title")
            unknown = [c for c in reader.fieldnames if c not in COLUMNS]
            if unknown:
                raise ConfigError(f"{path}: unknown column {unknown[0]!r} (known: {', '.join(COLUMNS)})")
            try:
                for record in reader:
                    if None in record:
                        yield reader.line_num, "more fields than the header"
                        continue
                    if any(isinstance(v, str) and _undecodable(v) for v in record.values()):
                        yield reader.line_num, NOT_UTF8
                        continue
                    yield reader.line_num, dict(record)
            except csv.Error as exc:
                yield reader.line_num, f"not valid CSV: {exc}"
        else:
            raise ConfigError(f"{path}: expected a .jsonl or .csv file")


def read_file(path: Path, *, now: datetime, errors: ImportErrors) -> Iterator[tuple[RawPosting, datetime]]:
    """Good rows of an import file; bad rows are added to `errors` and skipped."""
    for line, row in read_rows(path):
        if isinstance(row, str):
            errors.add(line, row)
            continue
        try:
            yield row_to_raw(row, now=now)
        except ValueError as exc:
            errors.add(line, str(exc))
