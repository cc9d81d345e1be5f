"""Robustness: any string gives a value or None and never raises; no work at import time."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.normalize import (
    classify_title,
    extract_skills,
    find_pay,
    find_pay_all,
    normalize_posting,
    parse_location,
    parse_pay,
)
from tracker.normalize.structured import structured_pay

ADVERSARIAL_ALPHABET = "0123456789,.'-–—$€£₹¥k KmM/hryear()+<>&;\n\u00a0\u202fİß"
texts = st.one_of(st.text(max_size=400), st.text(alphabet=ADVERSARIAL_ALPHABET, max_size=400))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_text_functions_never_raise(text: str) -> None:
    info = classify_title(text)
    assert info.family and info.seniority
    band = parse_pay(text)
    assert band is None or band.min is not None or band.max is not None
    parse_pay(text, default_currency="EUR")
    find_pay(text)
    assert isinstance(find_pay_all(text), list)
    assert isinstance(extract_skills(text), set)
    loc = parse_location(text)
    assert loc.country is None or len(loc.country) == 2


@settings(max_examples=100, deadline=None)
@given(texts, texts, texts, texts)
def test_normalize_posting_never_raises(title: str, location: str, description: str, pay_text: str) -> None:
    raw = {"source_kind": "jsonld", "external_id": "x", "title": title, "location": location,
           "description": description, "pay_text": pay_text, "country": location[:2]}
    posting = normalize_posting(raw)
    assert posting.title_raw == " ".join(title[:500].split())


json_values: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["min", "max", "minValue", "maxValue", "value", "unitText", "currency", "interval",
                         "min_cents", "max_cents", "currency_type", "summaryComponents", "compensationType",
                         "compensationTiers", "components", "currencyCode", "@type", "minPrice"]),
        children, max_size=5),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["greenhouse", "lever", "ashby", "jsonld", "linkedin", ""]), json_values)
def test_structured_pay_never_raises(kind: str, obj: Any) -> None:
    band = structured_pay(kind, obj)
    assert band is None or band.min is None or band.min == band.min  # no NaN


def test_importing_the_package_reads_no_data_files() -> None:
    code = (
        "import tracker.normalize as n, tracker.normalize.tables as t, sys;"
        "sys.stdout.write(str(t.load_table.cache_info().currsize))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "0"


def test_overlong_inputs_are_capped() -> None:
    huge = "Python " * 100_000  # 700 KB
    assert extract_skills(huge) == {"python"}
    assert classify_title("Data Scientist " + "x" * 1_000_000).family == "data_scientist"
