"""Employer framing: masculine- and feminine-coded words per 1,000 words of posting text.

The word lists are those of Gaucher, Friesen & Kay (2011), as listed in the MIT-licensed
gender-decoder project (Kat Matfield), kept in `data/gendered_wording.json`. A word counts when it
starts with a stem, as in gender-decoder. This measures the language employers use in their
postings; it says nothing about who applies for or holds these jobs, and must not be presented as if
it did.

Tech filter: stems that collide with ordinary vocabulary of data and ML postings are not counted,
because there they name the work rather than frame it. Masculine-coded: `active` (active learning),
`analy` (analysis, analytics), `assert` (test assertions), `autonom` (autonomous driving), `confident`
(confidential), `decision` (decision trees, decision science), `determin` (deterministic), `driven`
(data-driven), `greedy` (greedy decoding), `hierarch` (hierarchical models), `individual` (individual
contributor), `lead` (the Lead seniority level), `logic` (business logic), `objective` (objective
functions), `persist` (persistence), `principle` (design principles). Feminine-coded: `commit` (git),
`connect` (connectors), `depend` (dependencies), `respon` ("Responsibilities" headings), `sensitiv`
(sensitivity analysis), `support` (support vector machines), `share` / `sharin` (SharePoint, data
sharing), `yield` (generators). The filter lives in the data file under "excluded", with a reason each.

Tokenization: text is lowercased; a word is a run of ASCII letters (a hyphenated word is several
words, except that a stem may itself contain a hyphen, as in `self-confiden`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

_WORD_RE = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class WordLists:
    """The coded stems in use (after the tech filter) and the stems filtered out."""

    masculine: tuple[str, ...]
    feminine: tuple[str, ...]
    excluded: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FramingCounts:
    """Coded-word counts over a set of texts."""

    texts: int
    words: int
    masculine: int
    feminine: int
    masculine_stems: dict[str, int] = field(default_factory=dict)
    feminine_stems: dict[str, int] = field(default_factory=dict)

    @property
    def masculine_per_1k(self) -> float | None:
        """Masculine-coded words per 1,000 words (None without words)."""
        return self.masculine * 1000.0 / self.words if self.words else None

    @property
    def feminine_per_1k(self) -> float | None:
        """Feminine-coded words per 1,000 words (None without words)."""
        return self.feminine * 1000.0 / self.words if self.words else None


@lru_cache(maxsize=1)
def word_lists() -> WordLists:
    """The Gaucher et al. stems from the package data, tech-colliding stems removed."""
    raw = json.loads(resources.files("tracker.analyze").joinpath("data/gendered_wording.json").read_text("utf-8"))
    excluded = {str(k): str(v) for k, v in raw["excluded"].items()}
    masc = tuple(s for s in raw["masculine"] if s not in excluded)
    fem = tuple(s for s in raw["feminine"] if s not in excluded)
    return WordLists(masc, fem, excluded)


def _pattern(stems: Iterable[str]) -> re.Pattern[str]:
    # Longest stems first so that `self-confiden` wins over a shorter alternative at the same place.
    alternation = "|".join(re.escape(s) for s in sorted(set(stems), key=lambda s: (-len(s), s)))
    return re.compile(rf"(?<![a-z])({alternation})[a-z]*")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    lists = word_lists()
    return _pattern(lists.masculine), _pattern(lists.feminine)


def count_coded_words(texts: Iterable[str | None]) -> FramingCounts:
    """Count words and masculine-/feminine-coded words over texts."""
    masc_re, fem_re = _patterns()
    n_texts = words = 0
    masc: dict[str, int] = {}
    fem: dict[str, int] = {}
    for text in texts:
        if not text:
            continue
        low = text.lower()
        n_texts += 1
        words += len(_WORD_RE.findall(low))
        for stem in masc_re.findall(low):
            masc[stem] = masc.get(stem, 0) + 1
        for stem in fem_re.findall(low):
            fem[stem] = fem.get(stem, 0) + 1
    return FramingCounts(
        texts=n_texts,
        words=words,
        masculine=sum(masc.values()),
        feminine=sum(fem.values()),
        masculine_stems=dict(sorted(masc.items())),
        feminine_stems=dict(sorted(fem.items())),
    )
