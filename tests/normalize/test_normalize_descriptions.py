"""Labeled descriptions: skills micro-F1 and description pay, measured on the corpus."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tracker.normalize import extract_skills, find_pay
from tracker.normalize.htmltext import html_to_text

CORPUS = Path(__file__).parent / "corpus"

TAXONOMY_SKILLS = frozenset(
    ["python", "r", "sql", "scala", "java", "go", "cpp", "spark", "hadoop", "airflow", "dbt", "kafka", "snowflake", "databricks", "bigquery", "pandas", "numpy", "scikit-learn", "pytorch", "tensorflow", "keras", "jax", "xgboost", "huggingface", "langchain", "llm", "nlp", "computer-vision", "deep-learning", "reinforcement-learning", "statistics", "ab-testing", "causal-inference", "time-series", "mlops", "mlflow", "kubeflow", "docker", "kubernetes", "aws", "gcp", "azure", "tableau", "power-bi", "excel", "git", "linux", "cuda", "rag", "vector-database"]
)


def _descriptions() -> list[dict[str, Any]]:
    with (CORPUS / "descriptions.toml").open("rb") as fh:
        return list(tomllib.load(fh)["description"])


def test_description_corpus_is_large_enough() -> None:
    assert len(_descriptions()) >= 60


def test_description_labels_use_taxonomy_ids() -> None:
    for item in _descriptions():
        assert set(item["skills"]) <= TAXONOMY_SKILLS, item["id"]


def test_skills_micro_f1(report: dict[str, tuple[float, int]]) -> None:
    tp = fp = fn = 0
    misses = []
    items = _descriptions()
    for item in items:
        got = extract_skills(html_to_text(item["text"])) & TAXONOMY_SKILLS
        want = set(item["skills"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        if got != want:
            misses.append(f"{item['id']}: extra {sorted(got - want)}, missing {sorted(want - got)}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    report["skills micro-F1"] = (f1, len(items))
    report["skills precision"] = (precision, len(items))
    report["skills recall"] = (recall, len(items))
    assert f1 >= 0.95, f"F1 {f1:.3f}:\n" + "\n".join(misses)


def _expected_pay(item: dict[str, Any]) -> tuple[float | None, float | None, str | None, str | None] | None:
    pay = item.get("pay")
    if pay is None:
        return None
    lo, hi = pay.get("min"), pay.get("max")
    return (
        float(lo) if lo is not None else None,
        float(hi) if hi is not None else None,
        pay.get("currency"),
        pay.get("period"),
    )


def test_description_pay_accuracy(report: dict[str, tuple[float, int]]) -> None:
    items = _descriptions()
    misses = []
    for item in items:
        band = find_pay(html_to_text(item["text"]))
        got = None if band is None else (band.min, band.max, band.currency, band.period)
        want = _expected_pay(item)
        if got != want:
            misses.append(f"{item['id']}: want {want}, got {got}")
    accuracy = 1 - len(misses) / len(items)
    report["description pay exact"] = (accuracy, len(items))
    assert accuracy >= 0.95, f"description pay accuracy {accuracy:.3f}:\n" + "\n".join(misses)


def test_find_pay_reads_raw_html_too() -> None:
    html = "<p>Pay range:</p><div><span>$150,000</span><span>&mdash;</span><span>$175,000 USD</span></div>"
    band = find_pay(html_to_text(html))
    assert band is not None and (band.min, band.max, band.currency) == (150000.0, 175000.0, "USD")


def test_scripts_styles_and_comments_are_dropped_where_they_are() -> None:
    # "İ" lower-cases to two characters: positions found in a lower-cased copy would cut the text elsewhere
    html = "<p>İstanbul, İzmir, İİİ</p><script>var x = 1;</script><p>Hello world</p><STYLE>p {}</Style><!-- n -->End"
    assert html_to_text(html) == "İstanbul, İzmir, İİİ\nHello world\nEnd"
    assert html_to_text("<p>a</p><script>never closed <p>b</p>") == "a"


@pytest.mark.parametrize("item", _descriptions(), ids=lambda item: item["id"])
def test_description_extraction_never_fails(item: dict[str, Any]) -> None:
    text = html_to_text(item["text"])
    assert isinstance(extract_skills(text), set)
