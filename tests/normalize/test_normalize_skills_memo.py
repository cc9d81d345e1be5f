"""The per-line memo of alias matches gives exactly what one pass over the whole text gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.normalize import skills
from tracker.normalize.skills import extract_skills

FRAGMENTS = [
    "machine", "learning", "Machine Learning", "deep", "computer", "vision", "hugging", "face", "weights", "&",
    "biases", "scikit", "learn", "a/b", "testing", "A/B testing", "R", "Go", "C", "C++", "TF", "CV", "RL", "Spark",
    "Java", "JavaScript", "Python", "SQL", "in", "with", "or", "and", ", ", "/", "-", " ", " ", "\n", "\n", "\n",
    ".", ":", "•", "(", ")", "résumé", "models", "İ", "k8s", "Kubernetes",
]


def _whole(text: str) -> set[str]:
    """extract_skills without the line memo."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(skills, "_hits_by_line", lambda *args: None)
        return extract_skills(text)


@pytest.mark.parametrize(
    "text",
    [
        "We use Machine\nLearning daily",
        "Weights\n&\nBiases and PyTorch",
        "A/B\ntesting in R\nor Python",
        "scikit-\nlearn, Go\n, Kafka",
        "Research\nSpark\nwith Python or\nR",
        "short\nmachine\nlearning",
    ],
)
def test_line_memo_matches_whole_text(text: str) -> None:
    assert extract_skills(text) == _whole(text)
    assert extract_skills(text) == _whole(text)  # from the memo this time


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=60).map("".join))
def test_line_memo_matches_whole_text_generated(text: str) -> None:
    assert extract_skills(text) == _whole(text)
