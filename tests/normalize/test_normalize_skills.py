"""Skill extraction: data file coverage, case and context rules, one-pass matching."""

from __future__ import annotations

import re

import pytest

from tracker.normalize import extract_skills
from tracker.normalize.skills import _matcher
from tracker.normalize.tables import load_table

TAXONOMY_SKILLS = frozenset(
    ["python", "r", "sql", "scala", "java", "go", "cpp", "spark", "hadoop", "airflow", "dbt", "kafka", "snowflake", "databricks", "bigquery", "pandas", "numpy", "scikit-learn", "pytorch", "tensorflow", "keras", "jax", "xgboost", "huggingface", "langchain", "llm", "nlp", "computer-vision", "deep-learning", "reinforcement-learning", "statistics", "ab-testing", "causal-inference", "time-series", "mlops", "mlflow", "kubeflow", "docker", "kubernetes", "aws", "gcp", "azure", "tableau", "power-bi", "excel", "git", "linux", "cuda", "rag", "vector-database"]
)


def test_skills_table_covers_every_taxonomy_id() -> None:
    ids = {entry["id"] for entry in load_table("skills.toml")["skill"]}
    assert ids >= TAXONOMY_SKILLS


def test_skills_table_entries_are_well_formed() -> None:
    seen = set()
    for entry in load_table("skills.toml")["skill"]:
        assert entry["id"] == entry["id"].lower() and entry["id"] not in seen
        seen.add(entry["id"])
        assert entry.get("category")
        assert entry.get("aliases") or entry.get("strict_aliases")


def test_all_aliases_compile_into_one_pattern() -> None:
    matcher = _matcher()
    assert isinstance(matcher.pattern, re.Pattern)
    assert len(matcher.by_alias) > len(TAXONOMY_SKILLS)


CASES = [
    ("Python or R", {"python", "r"}),
    ("R, SQL and Tableau", {"r", "sql", "tableau"}),
    ("proficiency in R.", {"r"}),
    ("R&D team", set()),
    ("Go, Golang", {"go"}),
    ("services written in Go and Java", {"go", "java"}),
    ("Let's go! Go-to-market", set()),
    ("JavaScript and TypeScript", set()),
    ("Java (not JavaScript)", {"java"}),
    ("C/C++ and CUDA", {"cpp", "cuda"}),
    ("sklearn, PySpark, k8s", {"scikit-learn", "spark", "kubernetes"}),
    ("scikit learn", {"scikit-learn"}),
    ("TF/PyTorch", {"tensorflow", "pytorch"}),
    ("TF is a team name", set()),
    ("Please send your CV", set()),
    ("CV and NLP models", {"computer-vision", "nlp"}),
    ("You will excel at this", set()),
    ("Advanced Excel", {"excel"}),
    ("spark curiosity", set()),
    ("PostgreSQL and MySQL", {"sql"}),
    ("Amazon SageMaker", {"aws"}),
    ("Vertex AI pipelines", {"gcp"}),
    ("Pinecone or Weaviate", {"vector-database"}),
    ("retrieval-augmented generation (RAG)", {"rag"}),
    ("a rag doll", set()),
    ("large language models", {"llm"}),
    ("LLMs", {"llm"}),
    ("Hugging Face transformers", {"huggingface"}),
    ("A/B testing and experimentation", {"ab-testing"}),
    ("demand forecasting", {"time-series"}),
    ("statistical modeling", {"statistics"}),
    ("ML Ops and MLflow", {"mlops", "mlflow"}),
    ("Power BI", {"power-bi"}),
    ("Amazon Web Services", {"aws"}),
    ("Google Cloud", {"gcp"}),
    ("reinforcement learning", {"reinforcement-learning"}),
    ("torch.nn for deep learning", {"pytorch", "deep-learning"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_case_and_context_rules(text: str, expected: set[str]) -> None:
    assert extract_skills(text) & TAXONOMY_SKILLS == expected
