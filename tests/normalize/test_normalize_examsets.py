"""Independent examiners' labeled sets, scored against the acceptance bars for unseen data.

- corpus/heldout_*: labeled from the taxonomy, not from the rules.
- corpus/exam2_*: a second examiner's set, written from taxonomy.md alone before reading the others.

Blank title labels mean the taxonomy leaves that item unscored; in locations a blank is None and `?`
is unscored. Run `python tests/normalize/test_normalize_examsets.py [heldout|exam2]` to print every miss.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tracker.normalize import classify_title, extract_skills, find_pay, parse_location, parse_pay
from tracker.normalize.htmltext import html_to_text

CORPUS = Path(__file__).parent / "corpus"

TAXONOMY_SKILLS = frozenset(
    ["python", "r", "sql", "scala", "java", "go", "cpp", "spark", "hadoop", "airflow", "dbt", "kafka", "snowflake", "databricks", "bigquery", "pandas", "numpy", "scikit-learn", "pytorch", "tensorflow", "keras", "jax", "xgboost", "huggingface", "langchain", "llm", "nlp", "computer-vision", "deep-learning", "reinforcement-learning", "statistics", "ab-testing", "causal-inference", "time-series", "mlops", "mlflow", "kubeflow", "docker", "kubernetes", "aws", "gcp", "azure", "tableau", "power-bi", "excel", "git", "linux", "cuda", "rag", "vector-database"]
)

Band = tuple[float | None, float | None, str | None, str | None] | None


# set name -> minimum sizes (titles, pay strings, descriptions, locations)
SETS = {"heldout": (250, 150, 40, 100), "exam2": (200, 120, 30, 80)}


def _csv(name: str) -> list[dict[str, str]]:
    with (CORPUS / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _descriptions(exam: str) -> list[dict[str, Any]]:
    with (CORPUS / f"{exam}_descriptions.toml").open("rb") as fh:
        return list(tomllib.load(fh)["description"])


def _num(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def _pay_row(row: dict[str, str]) -> Band:
    if not any(row[k] for k in ("min", "max", "currency", "period")):
        return None
    return (_num(row["min"]), _num(row["max"]), row["currency"] or None, row["period"] or None)


def _accuracy(pairs: list[tuple[str, object, object]]) -> tuple[float, list[str]]:
    misses = [f"{key!r}: want {want}, got {got}" for key, want, got in pairs if want != got]
    return 1 - len(misses) / len(pairs), misses


def scores(exam: str) -> dict[str, tuple[float, int, list[str]]]:
    """Every field's accuracy (or F1) on one examiner's set, its n and its misses."""
    out: dict[str, tuple[float, int, list[str]]] = {}
    titles = _csv(f"{exam}_titles.csv")
    for field in ("family", "seniority"):
        pairs: list[tuple[str, object, object]] = [
            (r["title"], r[field], getattr(classify_title(r["title"]), field)) for r in titles if r[field]
        ]
        acc, misses = _accuracy(pairs)
        out[f"title {field}"] = (acc, len(pairs), misses)

    pay_pairs: list[tuple[str, object, object]] = []
    for r in _csv(f"{exam}_pay.csv"):
        band = parse_pay(r["text"])
        got: Band = None if band is None else (band.min, band.max, band.currency, band.period)
        pay_pairs.append((r["text"], _pay_row(r), got))
    acc, misses = _accuracy(pay_pairs)
    out["pay exact"] = (acc, len(pay_pairs), misses)

    items = _descriptions(exam)
    tp = fp = fn = 0
    skill_misses: list[str] = []
    desc_pairs: list[tuple[str, object, object]] = []
    for item in items:
        text = html_to_text(item["text"])
        found = extract_skills(text) & TAXONOMY_SKILLS
        want = set(item["skills"])
        tp, fp, fn = tp + len(found & want), fp + len(found - want), fn + len(want - found)
        if found != want:
            skill_misses.append(f"{item['id']}: extra {sorted(found - want)}, missing {sorted(want - found)}")
        pay = item.get("pay")
        expected: Band = (
            None if pay is None else (_num(pay.get("min")), _num(pay.get("max")), pay.get("currency"), pay.get("period"))
        )
        b = find_pay(text)
        desc_pairs.append((item["id"], expected, None if b is None else (b.min, b.max, b.currency, b.period)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out["skills micro-F1"] = (f1, len(items), skill_misses)
    acc, misses = _accuracy(desc_pairs)
    out["description pay exact"] = (acc, len(desc_pairs), misses)

    locations = _csv(f"{exam}_locations.csv")
    for field in ("country", "city", "region", "workplace"):
        loc_pairs: list[tuple[str, object, object]] = []
        for r in locations:
            if r[field] == "?":
                continue  # the taxonomy does not settle this reading
            loc = parse_location(r["text"])
            value = getattr(loc, field)
            loc_pairs.append((r["text"], (r[field] or None) and r[field].casefold(), value and value.casefold()))
        acc, misses = _accuracy(loc_pairs)
        out[f"location {field}"] = (acc, len(loc_pairs), misses)
    return out


BARS = {
    "title family": 0.98,
    "title seniority": 0.97,
    "pay exact": 0.97,
    "description pay exact": 0.95,
    "skills micro-F1": 0.95,
    "location country": 0.97,
    "location city": 0.95,
    "location region": 0.95,
    "location workplace": 0.95,
}

_SCORES: dict[str, dict[str, tuple[float, int, list[str]]]] = {}


def _scores(exam: str) -> dict[str, tuple[float, int, list[str]]]:
    if exam not in _SCORES:
        _SCORES[exam] = scores(exam)
    return _SCORES[exam]


@pytest.mark.parametrize("exam", sorted(SETS))
def test_examiner_set_is_large_enough(exam: str) -> None:
    titles, pay, descriptions, locations = SETS[exam]
    assert len(_csv(f"{exam}_titles.csv")) >= titles
    assert len(_csv(f"{exam}_pay.csv")) >= pay
    assert len(_descriptions(exam)) >= descriptions
    assert len(_csv(f"{exam}_locations.csv")) >= locations
    for item in _descriptions(exam):
        assert set(item["skills"]) <= TAXONOMY_SKILLS, item["id"]


@pytest.mark.parametrize("field", sorted(BARS))
@pytest.mark.parametrize("exam", sorted(SETS))
def test_examiner_set_accuracy(exam: str, field: str, report: dict[str, tuple[float, int]]) -> None:
    value, n, misses = _scores(exam)[field]
    report[f"{exam} {field}"] = (value, n)
    assert value >= BARS[field], f"{exam} {field} {value:.3f}:\n" + "\n".join(misses)


if __name__ == "__main__":
    import sys

    for exam in sys.argv[1:] or sorted(SETS):
        for name, (value, n, misses) in scores(exam).items():
            print(f"{exam} {name:24s} {value:7.3f}  (n={n})")
            for miss in misses:
                print("    ", miss)
