"""Title classification: taxonomy settled readings one by one, then the labeled corpus."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tracker.normalize import TitleInfo, classify_title

CORPUS = Path(__file__).parent / "corpus"


def read_csv(name: str) -> list[dict[str, str]]:
    with (CORPUS / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))

SETTLED = [
    ("Data Scientist, Machine Learning", "data_scientist", "mid"),
    ("Software Engineer, Machine Learning", "ml_engineer", "mid"),
    ("Machine Learning Data Engineer", "data_engineer", "mid"),
    ("Product Manager, Machine Learning", "other", "mid"),
    ("Recruiter - Data Science", "other", "mid"),
    ("Head of AI", "ai_engineer", "director"),
    ("Senior Staff ML Engineer", "ml_engineer", "staff"),
    ("Senior Manager, Data Science", "data_scientist", "manager"),
    ("Senior Product Manager, ML", "other", "senior"),
    ("DATA SCIENTIST II - Pricing", "data_scientist", "mid"),
    ("Sr. ML Engineer (Remote)", "ml_engineer", "senior"),
    ("Staff Software Engineer, ML Infrastructure", "ml_engineer", "staff"),
    ("Head of Data Science", "data_scientist", "director"),
    ("Data Science Manager", "data_scientist", "manager"),
    ("Director, Machine Learning", "ml_engineer", "director"),
    ("ML Engineering Manager", "ml_engineer", "manager"),
    ("Engineering Manager, Machine Learning", "ml_engineer", "manager"),
    ("Software Engineer, Applied AI", "ai_engineer", "mid"),
    ("Software Engineer - GenAI", "ai_engineer", "mid"),
    ("Sr. Data Scientist II", "data_scientist", "senior"),
    ("Lead Data Scientist - Pricing", "data_scientist", "staff"),
    ("Data Scientist I", "data_scientist", "junior"),
    ("Data Scientist 1", "data_scientist", "junior"),
    ("Data Scientist III", "data_scientist", "senior"),
    ("Data Scientist IV", "data_scientist", "staff"),
    ("AI/ML Engineer", "ml_engineer", "mid"),
    ("Applied AI Engineer", "ai_engineer", "mid"),
    ("Research Scientist, Machine Learning", "applied_scientist", "mid"),
    ("Analytics Engineer", "data_engineer", "mid"),
    ("Business Intelligence Analyst", "data_analyst", "mid"),
    ("Sales Engineer", "other", "mid"),
    ("Machine Learning Engineer Intern", "ml_engineer", "intern"),
]


@pytest.mark.parametrize(("title", "family", "seniority"), SETTLED, ids=[t for t, _, _ in SETTLED])
def test_settled_reading(title: str, family: str, seniority: str) -> None:
    assert classify_title(title) == TitleInfo(family, seniority)


def test_numeric_level_beyond_four_keeps_the_family() -> None:
    assert classify_title("Machine Learning Engineer 5").family == "ml_engineer"


@pytest.mark.parametrize("title", ["", "   ", "!!!", "(Remote)", "12345"])
def test_titles_without_a_role_are_other_mid(title: str) -> None:
    assert classify_title(title) == TitleInfo("other", "mid")


def _corpus_accuracy(field: str) -> tuple[float, list[str], int]:
    rows = read_csv("titles.csv")
    misses = []
    for row in rows:
        got = getattr(classify_title(row["title"]), field)
        if got != row[field]:
            misses.append(f"{row['title']!r}: want {row[field]}, got {got}")
    return 1 - len(misses) / len(rows), misses, len(rows)


def test_title_corpus_is_large_enough() -> None:
    assert len(read_csv("titles.csv")) >= 300


@pytest.mark.parametrize(("field", "bar"), [("family", 0.98), ("seniority", 0.97)])
def test_title_corpus_accuracy(field: str, bar: float, report: dict[str, tuple[float, int]]) -> None:
    accuracy, misses, n = _corpus_accuracy(field)
    report[f"title {field}"] = (accuracy, n)
    assert accuracy >= bar, f"{field} accuracy {accuracy:.3f} < {bar}:\n" + "\n".join(misses)
