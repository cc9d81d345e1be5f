"""normalize_posting: structured pay per source, fallbacks, pay_source, text and hashing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tracker.normalize import Posting, normalize_posting
from tracker.normalize.posting import employment_type_of
from tracker.normalize.structured import structured_pay
from tracker.raw import RawPosting


def _raw(**kw: Any) -> RawPosting:
    base: dict[str, Any] = {"source_kind": "greenhouse", "external_id": "1", "title": "Senior Data Scientist"}
    base.update(kw)
    return RawPosting(**base)


def _pay(p: Posting) -> tuple[Any, ...]:
    return (p.pay_min, p.pay_max, p.pay_currency, p.pay_period, p.pay_source)


def test_greenhouse_cents_are_read_as_units() -> None:
    ranges = [{"min_cents": 5000000, "max_cents": 7500000, "currency_type": "USD", "title": "NYC Salary Range",
               "blurb": "In order to provide transparency..."}]
    assert _pay(normalize_posting(_raw(structured_pay=ranges))) == (50000.0, 75000.0, "USD", "year", "employer")


def test_greenhouse_several_ranges_give_the_envelope_in_one_currency() -> None:
    ranges = [
        {"min_cents": 15000000, "max_cents": 18000000, "currency_type": "USD", "title": "Zone 1"},
        {"min_cents": 13000000, "max_cents": 16000000, "currency_type": "USD", "title": "Zone 2"},
        {"min_cents": 9000000, "max_cents": 11000000, "currency_type": "GBP", "title": "London"},
    ]
    assert _pay(normalize_posting(_raw(structured_pay=ranges))) == (130000.0, 180000.0, "USD", "year", "employer")


def test_greenhouse_hourly_range_is_inferred_from_title_or_magnitude() -> None:
    hourly = [{"min_cents": 4500, "max_cents": 6000, "currency_type": "USD", "title": "Hourly Rate", "blurb": ""}]
    assert _pay(normalize_posting(_raw(structured_pay=hourly)))[:4] == (45.0, 60.0, "USD", "hour")


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        ("per-year-salary", (120000.0, 150000.0, "year")),
        ("per-month-salary", (120000.0, 150000.0, "month")),
        ("per-hour-wage", (120000.0, 150000.0, "hour")),
        ("per-week-salary", (120000.0, 150000.0, "week")),
        ("per-day-wage", (120000.0, 150000.0, "day")),
        ("semi-month-salary", (2880000.0, 3600000.0, "year")),
        ("bi-week-salary", (3120000.0, 3900000.0, "year")),
    ],
)
def test_lever_salary_range_intervals(interval: str, expected: tuple[float, float, str]) -> None:
    band = structured_pay("lever", {"currency": "EUR", "interval": interval, "min": 120000, "max": 150000})
    assert band is not None and (band.min, band.max, band.period) == expected and band.currency == "EUR"


def test_lever_zero_range_and_one_time_are_no_pay() -> None:
    assert structured_pay("lever", {"currency": "USD", "interval": "per-year-salary", "min": 0, "max": 0}) is None
    assert structured_pay("lever", {"currency": "USD", "interval": "one-time", "min": 5000, "max": 5000}) is None


def test_lever_falls_back_to_salary_description_then_description() -> None:
    raw = _raw(source_kind="lever", structured_pay={"currency": "USD", "interval": "per-year-salary", "min": 0, "max": 0},
               pay_text="$140,000 - $160,000 a year")
    assert _pay(normalize_posting(raw)) == (140000.0, 160000.0, "USD", "year", "employer")
    raw = _raw(source_kind="lever", description="<p>The salary range is £60,000 - £70,000 per annum.</p>")
    assert _pay(normalize_posting(raw)) == (60000.0, 70000.0, "GBP", "year", "description")


ASHBY = {
    "compensationTierSummary": "$150K – $200K • Offers Equity",
    "scrapeableCompensationSalarySummary": "$150K - $200K",
    "compensationTiers": [
        {"id": "t1", "tierSummary": "$150K – $200K", "components": [
            {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD", "minValue": 150000,
             "maxValue": 200000},
            {"compensationType": "EquityPercentage", "interval": "NONE", "currencyCode": None, "minValue": 0.1,
             "maxValue": 0.5},
        ]},
    ],
    "summaryComponents": [
        {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD", "minValue": 150000,
         "maxValue": 200000},
        {"compensationType": "Bonus", "interval": "1 YEAR", "currencyCode": "USD", "minValue": 20000, "maxValue": 40000},
    ],
}


def test_ashby_uses_only_salary_components() -> None:
    raw = _raw(source_kind="ashby", structured_pay=ASHBY)
    assert _pay(normalize_posting(raw)) == (150000.0, 200000.0, "USD", "year", "employer")


def test_ashby_empty_compensation_falls_back_to_description() -> None:
    empty: dict[str, Any] = {"compensationTierSummary": None, "scrapeableCompensationSalarySummary": None,
             "compensationTiers": [], "summaryComponents": []}
    raw = _raw(source_kind="ashby", structured_pay=empty, description="Salary: $120,000 - $140,000")
    assert _pay(normalize_posting(raw)) == (120000.0, 140000.0, "USD", "year", "description")


JSONLD_CASES: list[tuple[Any, str | None, tuple[Any, ...] | None]] = [
    ({"@type": "MonetaryAmount", "currency": "USD",
      "value": {"@type": "QuantitativeValue", "minValue": 100000, "maxValue": 120000, "unitText": "YEAR"}}, None,
     (100000.0, 120000.0, "USD", "year")),
    ({"@type": "MonetaryAmount", "currency": "USD",
      "value": {"@type": "QuantitativeValue", "value": 45, "unitText": "HOUR"}}, None, (45.0, 45.0, "USD", "hour")),
    ({"@type": "MonetaryAmount", "currency": "USD",
      "value": {"minValue": "$100,000", "maxValue": "$130,000", "unitText": "yearly"}}, None,
     (100000.0, 130000.0, "USD", "year")),
    ({"@type": "MonetaryAmount", "value": {"minValue": "$100,000", "maxValue": "$130,000"}}, None,
     (100000.0, 130000.0, "USD", "year")),
    ({"@type": "MonetaryAmount", "currency": "EUR", "value": {"minValue": 4000, "maxValue": 5000}}, None,
     (4000.0, 5000.0, "EUR", None)),
    ({"@type": "MonetaryAmount", "currency": "GBP", "value": {"value": 500, "unitText": "DAY"}}, None,
     (500.0, 500.0, "GBP", "day")),
    ({"@type": "MonetaryAmount", "value": {"minValue": 60000, "maxValue": 70000, "unitText": "YEAR"}}, "GBP",
     (60000.0, 70000.0, "GBP", "year")),
    ({"@type": "PriceSpecification", "priceCurrency": "USD", "minPrice": 90000, "maxPrice": 110000}, None,
     (90000.0, 110000.0, "USD", "year")),
    (85000, "USD", (85000.0, 85000.0, "USD", "year")),
    ("$50 - $60 per hour", None, (50.0, 60.0, "USD", "hour")),
    ({"@type": "MonetaryAmount", "currency": "USD", "value": "Competitive"}, None, None),
    ({"@type": "MonetaryAmount", "currency": "USD", "value": {"value": "Depends on experience"}}, None, None),
    ({"@type": "MonetaryAmount", "currency": "USD", "value": {"minValue": 110000, "maxValue": 130000,
                                                             "unitText": "MONTH"}}, None,
     (110000.0, 130000.0, "USD", "month")),
]


@pytest.mark.parametrize(("obj", "currency", "expected"), JSONLD_CASES)
def test_jsonld_base_salary_shapes(obj: Any, currency: str | None, expected: tuple[Any, ...] | None) -> None:
    raw = _raw(source_kind="jsonld", structured_pay=obj, extra={"salaryCurrency": currency} if currency else {})
    p = normalize_posting(raw)
    got = None if p.pay_min is None and p.pay_max is None else (p.pay_min, p.pay_max, p.pay_currency, p.pay_period)
    assert got == expected


def test_linkedin_pay_text_is_employer_pay() -> None:
    raw = _raw(source_kind="linkedin", pay_text="A$160,000.00\n            -\n            A$200,000.00")
    assert _pay(normalize_posting(raw)) == (160000.0, 200000.0, "AUD", "year", "employer")


def test_source_estimates_are_marked_estimated() -> None:
    raw = _raw(source_kind="import", pay_text="$110K - $130K a year", pay_is_estimate=True)
    assert normalize_posting(raw).pay_source == "estimated"


def test_no_pay_anywhere_leaves_pay_empty() -> None:
    p = normalize_posting(_raw(description="Competitive salary and a 401(k) match."))
    assert _pay(p) == (None, None, None, None, None) and p.annual_min is None and p.pay_text is None


def test_mapping_input_and_derived_fields() -> None:
    raw = {
        "source_kind": "lever", "external_id": "abc", "title": "Sr. ML Engineer (Remote)", "location": "London",
        "country": "GB", "workplace": "hybrid", "employment_type": "Permanent", "company": "Spotify",
        "description": "<p>We use <b>Python</b> and <b>PyTorch</b>.</p><p>Salary £90,000 - £110,000 per annum</p>",
        "posted_at": 1782214185805, "url": "https://jobs.lever.co/spotify/abc",
    }
    p = normalize_posting(raw)
    assert (p.family, p.seniority) == ("ml_engineer", "senior")
    assert (p.city, p.country, p.workplace, p.employment_type) == ("London", "GB", "hybrid", "full_time")
    assert p.skills >= {"python", "pytorch"}
    assert p.description_text == "We use Python and PyTorch.\nSalary £90,000 - £110,000 per annum"
    assert p.posted_at == datetime.fromtimestamp(1782214185.805, tz=UTC)
    assert (p.annual_min, p.annual_max, p.pay_source) == (90000.0, 110000.0, "description")


def test_description_hash_ignores_whitespace_and_markup_layout() -> None:
    a = normalize_posting(_raw(description="<p>Hello   world</p>"))
    b = normalize_posting(_raw(description="<div>Hello world</div>"))
    assert a.description_hash == b.description_hash and a.description_hash is not None
    assert len(a.description_hash) == 64
    assert normalize_posting(_raw(description=None)).description_hash is None


def test_country_hint_fills_what_the_location_leaves_open() -> None:
    p = normalize_posting(_raw(location="Remote", country="Canada", workplace="TELECOMMUTE"))
    assert (p.country, p.workplace) == ("CA", "remote")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("FullTime", "full_time"), ("FULL_TIME", "full_time"), ("Full-time", "full_time"), ("PART_TIME", "part_time"),
     ("CONTRACTOR", "contract"), ("Contract", "contract"), ("TEMPORARY", "temporary"), ("Short Term", "temporary"),
     ("INTERN", "intern"), ("Internship", "intern"), ("fulltime_permanent", "full_time"), (["OTHER", "PART_TIME"],
     "part_time"), ("VOLUNTEER", None), (None, None)],
)
def test_employment_type_normalization(value: Any, expected: str | None) -> None:
    assert employment_type_of(value) == expected


def test_jsonld_value_holding_a_range_as_text_is_a_range_not_glued_digits() -> None:
    from tracker.normalize import normalize_posting
    from tracker.raw import RawPosting

    salary = {"@type": "MonetaryAmount", "currency": "USD", "value": {"value": "$100,000 - $120,000", "unitText": "YEAR"}}
    posting = normalize_posting(RawPosting("jsonld", "1", "Data Scientist", structured_pay=salary))
    assert (posting.pay_min, posting.pay_max, posting.pay_currency, posting.pay_period) == (100000.0, 120000.0, "USD", "year")
