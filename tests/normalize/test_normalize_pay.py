"""Pay strings: the issue's formats one by one, the labeled corpus, annualization, adversarial input."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from tracker.normalize import PayBand, find_pay, find_pay_all, parse_pay

CORPUS = Path(__file__).parent / "corpus"

Expected = tuple[float | None, float | None, str | None, str | None] | None


def _expected(row: dict[str, str]) -> Expected:
    if not any(row[k] for k in ("min", "max", "currency", "period")):
        return None
    return (
        float(row["min"]) if row["min"] else None,
        float(row["max"]) if row["max"] else None,
        row["currency"] or None,
        row["period"] or None,
    )


def _got(band: PayBand | None) -> Expected:
    return None if band is None else (band.min, band.max, band.currency, band.period)


def _rows() -> list[dict[str, str]]:
    with (CORPUS / "pay.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ISSUE_FORMATS: list[tuple[str, Expected]] = [
    ("$116,002.00 - $137,000.00", (116002.0, 137000.0, "USD", "year")),
    ("A$160,000.00 - A$200,000.00", (160000.0, 200000.0, "AUD", "year")),
    ("A$160,000.00\n            -\n            A$200,000.00", (160000.0, 200000.0, "AUD", "year")),
    ("$50.00/hr - $60.00/hr", (50.0, 60.0, "USD", "hour")),
    ("$120K/yr - $150K/yr", (120000.0, 150000.0, "USD", "year")),
    ("$120,000 - $150,000 a year", (120000.0, 150000.0, "USD", "year")),
    ("From $100,000 a year", (100000.0, None, "USD", "year")),
    ("Up to $90,000 a year", (None, 90000.0, "USD", "year")),
    ("$60 - $75 an hour", (60.0, 75.0, "USD", "hour")),
    ("£50,000 - £60,000 per annum", (50000.0, 60000.0, "GBP", "year")),
    ("£450 per day", (450.0, 450.0, "GBP", "day")),
    ("€70k-€85k", (70000.0, 85000.0, "EUR", "year")),
    ("70.000 € - 85.000 € brutto/Jahr", (70000.0, 85000.0, "EUR", "year")),
    ("₹12,00,000 - ₹18,00,000", (1200000.0, 1800000.0, "INR", "year")),
    ("USD 150,000-200,000", (150000.0, 200000.0, "USD", "year")),
    ("$150,000 – $200,000", (150000.0, 200000.0, "USD", "year")),
    ("$150,000 — $200,000", (150000.0, 200000.0, "USD", "year")),
    ("$150,000 to $200,000", (150000.0, 200000.0, "USD", "year")),
    ("$150,000 CAD", (150000.0, 150000.0, "CAD", "year")),
    ("$55", (55.0, 55.0, "USD", "hour")),
    ("$120,000", (120000.0, 120000.0, "USD", "year")),
    ("CA$120,000", (120000.0, 120000.0, "CAD", "year")),
    ("NZ$120,000", (120000.0, 120000.0, "NZD", "year")),
    ("S$9,000 per month", (9000.0, 9000.0, "SGD", "month")),
    ("CN¥400,000", (400000.0, 400000.0, "CNY", "year")),
    ("Competitive", None),
    ("DOE", None),
    ("401(k) match", None),
    ("We raised $50M", None),
    ("$10,000 relocation bonus", None),
    ("$5M seed round", None),
]


@pytest.mark.parametrize(("text", "expected"), ISSUE_FORMATS, ids=[t for t, _ in ISSUE_FORMATS])
def test_issue_format(text: str, expected: Expected) -> None:
    assert _got(parse_pay(text)) == expected


def test_hourly_pay_is_annualized_at_2080_hours() -> None:
    band = parse_pay("$50/hr")
    assert band is not None and band.annual_min == 104000 and band.annual_max == 104000


@pytest.mark.parametrize(
    ("text", "annual"),
    [("£450 per day", 117000.0), ("$1,000 per week", 52000.0), ("€5,000 per month", 60000.0), ("$90,000", 90000.0)],
)
def test_annualization_factors(text: str, annual: float) -> None:
    band = parse_pay(text)
    assert band is not None and band.annual_min == annual


def test_unknown_period_has_no_annual_figures() -> None:
    band = parse_pay("$5,000")
    assert band is not None and band.period is None and band.annual_min is None and band.annual_max is None


def test_default_currency_applies_to_bare_numbers_only() -> None:
    assert _got(parse_pay("80,000 - 95,000", default_currency="GBP")) == (80000.0, 95000.0, "GBP", "year")
    assert _got(parse_pay("$80,000", default_currency="GBP")) == (80000.0, 80000.0, "USD", "year")
    assert _got(parse_pay("80,000 - 95,000")) == (80000.0, 95000.0, None, "year")


def test_pay_corpus_is_large_enough() -> None:
    assert len(_rows()) >= 200


def test_pay_corpus_accuracy(report: dict[str, tuple[float, int]]) -> None:
    rows = _rows()
    misses = []
    for row in rows:
        text = row["text"].replace("\\n", "\n")
        got, want = _got(parse_pay(text)), _expected(row)
        if got != want:
            misses.append(f"{text!r}: want {want}, got {got}")
    accuracy = 1 - len(misses) / len(rows)
    report["pay string exact"] = (accuracy, len(rows))
    assert accuracy >= 0.97, f"pay accuracy {accuracy:.3f}:\n" + "\n".join(misses)


# --- descriptions ------------------------------------------------------------------------------------


def test_find_pay_takes_the_envelope_of_zone_ranges() -> None:
    text = "Zone A: $180,000 - $220,000\nZone B: $160,000 - $200,000\nZone C: $150,000 - $190,000"
    assert _got(find_pay(text)) == (150000.0, 220000.0, "USD", "year")
    assert len(find_pay_all(text)) == 3


def test_find_pay_envelope_keeps_the_first_currency_and_period() -> None:
    text = "US: $150,000 - $180,000. UK: £100,000 - £120,000. Hourly equivalent $72 - $86/hr."
    assert _got(find_pay(text)) == (150000.0, 180000.0, "USD", "year")


@pytest.mark.parametrize(
    "text",
    [
        "We raised $50M from great investors and have $10M ARR.",
        "Perks: $10,000 relocation bonus, $2,000 learning budget, $500/month wellness stipend.",
        "401(k) match up to $6,000. Life insurance up to $50,000.",
        "Sign-on bonus of $15,000 and up to $5,250 in tuition reimbursement.",
        "Competitive salary and equity. 3-5 years of experience. Founded in 2019.",
    ],
)
def test_find_pay_ignores_money_that_is_not_base_pay(text: str) -> None:
    assert find_pay(text) is None


def test_find_pay_prefers_base_over_total_compensation() -> None:
    text = "Total target compensation: $200,000 - $260,000. The base salary range is $160,000 - $200,000."
    assert _got(find_pay(text)) == (160000.0, 200000.0, "USD", "year")


def test_find_pay_reads_salary_beside_a_bonus() -> None:
    text = "Base salary: $120,000 - $140,000 plus a $10,000 signing bonus and equity."
    assert _got(find_pay(text)) == (120000.0, 140000.0, "USD", "year")


# --- adversarial input -----------------------------------------------------------------------------------


def _adversarial(n: int = 100_000) -> str:
    pattern = "1,000,000-$2,000.00-€3.000,5-£4 000-₹5,00,000-"
    return (pattern * (n // len(pattern) + 1))[:n]


@pytest.mark.parametrize("func", [parse_pay, find_pay, find_pay_all])
def test_100kb_of_digits_and_currency_signs_parses_fast(func: object) -> None:
    text = _adversarial()
    start = time.perf_counter()
    func(text)  # type: ignore[operator]
    # The benchmark records the real figure (well under 50 ms); this is a generous backstop.
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    "text", ["1" * 100_000, "," * 100_000, "$" * 100_000, "-" * 100_000, "1," * 50_000, "$1" * 50_000, "<" * 100_000]
)
def test_degenerate_strings_parse_fast(text: str) -> None:
    start = time.perf_counter()
    parse_pay(text)
    find_pay(text)
    assert time.perf_counter() - start < 1.0
