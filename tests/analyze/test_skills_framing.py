"""Skills (shares, Monroe et al. log-odds, movers) and employer framing word counts."""

from __future__ import annotations

import pytest

from tracker.analyze import framing
from tracker.analyze.framing import count_coded_words, word_lists
from tracker.analyze.skills import log_odds_dirichlet, share_movers, top_skills


def test_top_skills_are_shares_of_postings_ranked_then_named() -> None:
    top = top_skills({"python": 8, "sql": 5, "aws": 5, "r": 0}, postings=10, k=2)
    assert [(s.skill, s.share) for s in top] == [("python", 0.8), ("aws", 0.5)]
    assert top_skills({"python": 1}, postings=0) == []


def test_log_odds_favours_the_family_that_names_a_skill_more() -> None:
    mle = {"pytorch": 80, "kubernetes": 40, "python": 90, "sql": 30}
    ds = {"pytorch": 20, "kubernetes": 5, "python": 90, "sql": 80, "statistics": 60}
    scored = {d.skill: d for d in log_odds_dirichlet(mle, ds)}
    assert scored["pytorch"].z > 1.96
    assert scored["kubernetes"].z > 1.96
    assert scored["sql"].z < -1.96
    assert scored["statistics"].z < -1.96
    assert abs(scored["python"].z) < abs(scored["pytorch"].z)
    ordered = [d.z for d in log_odds_dirichlet(mle, ds)]
    assert ordered == sorted(ordered, reverse=True)


def test_log_odds_is_antisymmetric() -> None:
    a, b = {"x": 10, "y": 3}, {"x": 4, "y": 9}
    ab = {d.skill: d.z for d in log_odds_dirichlet(a, b)}
    ba = {d.skill: d.z for d in log_odds_dirichlet(b, a)}
    assert ab["x"] == pytest.approx(-ba["x"])


def test_movers_rank_by_absolute_change_in_points() -> None:
    movers = share_movers({"llm": 30, "sql": 40}, 100, {"llm": 10, "sql": 45, "r": 20}, 100, k=2)
    assert [(m.skill, round(m.change_pp, 6)) for m in movers] == [("llm", 20.0), ("r", -20.0)]


def test_framing_counts_stems_per_1000_words() -> None:
    text = "We are an ambitious, collaborative team; self-confident engineers who feel trusted. " * 10
    counts = count_coded_words([text, None, ""])
    assert counts.texts == 1
    assert counts.words == 120  # "self-confident" is two words
    assert counts.masculine_stems == {"ambitio": 10, "self-confiden": 10}
    assert counts.feminine_stems == {"collab": 10, "feel": 10, "trust": 10}
    assert counts.masculine_per_1k == pytest.approx(20 * 1000 / 120)


def test_tech_vocabulary_is_not_counted_as_coded_language() -> None:
    text = (
        "Lead data-driven analysis of dependencies; support vector machines; commit to git; "
        "decision trees and hierarchical models; responsibilities: share objective functions, active learning."
    )
    counts = count_coded_words([text])
    assert counts.masculine == 0
    assert counts.feminine == 0


def test_every_filtered_stem_is_documented_in_the_module_docstring() -> None:
    lists = word_lists()
    assert {"analy", "lead", "individual", "respon", "depend", "support", "share", "commit", "connect"} <= set(lists.excluded)
    doc = framing.__doc__ or ""
    for stem in lists.excluded:
        assert f"`{stem}`" in doc, stem
        assert stem not in lists.masculine and stem not in lists.feminine
