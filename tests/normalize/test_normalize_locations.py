"""Locations: taxonomy readings one by one, then the labeled corpus."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tracker.normalize import Location, parse_location
from tracker.normalize.locations import country_code, locate

CORPUS = Path(__file__).parent / "corpus"

READINGS = [
    ("Remote - US", Location(None, None, "US", "remote")),
    ("San Francisco, CA", Location("San Francisco", "CA", "US", None)),
    ("London, England, United Kingdom", Location("London", "England", "GB", None)),
    ("Toronto, ON", Location("Toronto", "ON", "CA", None)),
    ("Remote - Illinois", Location(None, "Illinois", "US", "remote")),
    ("Hybrid - London", Location("London", None, "GB", "hybrid")),
    ("San Francisco, CA; New York, NY", Location("San Francisco", "CA", "US", None)),
]


@pytest.mark.parametrize(("text", "expected"), READINGS, ids=[t for t, _ in READINGS])
def test_taxonomy_reading(text: str, expected: Location) -> None:
    assert parse_location(text) == expected


def test_country_hint_decides_only_where_the_text_does_not() -> None:
    assert locate("London", "CA").country == "CA"  # a bare city is a weak guess
    assert locate("Remote", "gb").country == "GB"
    assert locate("Berlin, Germany", "US").country == "DE"  # the text is explicit


@pytest.mark.parametrize(("value", "code"), [("gb", "GB"), ("Netherlands", "NL"), ("USA", "US"), ("Narnia", None)])
def test_country_code_of_a_hint(value: str, code: str | None) -> None:
    assert country_code(value) == code


def _rows() -> list[dict[str, str]]:
    with (CORPUS / "locations.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_location_corpus_is_large_enough() -> None:
    assert len(_rows()) >= 100


@pytest.mark.parametrize(("field", "bar"), [("country", 0.97), ("workplace", 0.95), ("city", 0.9), ("region", 0.9)])
def test_location_corpus_accuracy(field: str, bar: float, report: dict[str, tuple[float, int]]) -> None:
    rows = _rows()
    misses = []
    for row in rows:
        got = (getattr(parse_location(row["text"]), field) or "").lower()
        want = row[field].lower()
        if got != want:
            misses.append(f"{row['text']!r}: want {want!r}, got {got!r}")
    accuracy = 1 - len(misses) / len(rows)
    report[f"location {field}"] = (accuracy, len(rows))
    assert accuracy >= bar, f"{field} accuracy {accuracy:.3f}:\n" + "\n".join(misses)
