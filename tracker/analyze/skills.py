"""Skills: shares of postings naming a skill, skills distinctive of one family, and share movers.

Distinctive skills use the log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi &
Quinn (2008), "Fightin' Words", section 3.5.1: with y_w^i the postings of family i naming skill w,
n^i the skill mentions of family i and alpha_w the prior counts (a background distribution scaled to
`prior_strength` pseudo-mentions),

    delta_w = log((y_w^i + a_w) / (n^i + a_0 - y_w^i - a_w)) - log((y_w^j + a_w) / (n^j + a_0 - y_w^j - a_w))
    var_w  ~= 1 / (y_w^i + a_w) + 1 / (y_w^j + a_w),        z_w = delta_w / sqrt(var_w)

Positive z: more typical of family i (here ML engineers); negative: of family j (data scientists).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SkillShare:
    """Share of a family's postings naming a skill."""

    skill: str
    postings: int
    share: float


@dataclass(frozen=True)
class Distinctive:
    """A skill's prior-smoothed log-odds ratio between two families and its z-score."""

    skill: str
    log_odds: float
    z: float
    count_i: int
    count_j: int


@dataclass(frozen=True)
class Mover:
    """A skill whose share moved between a trailing period and this week."""

    skill: str
    share: float
    trailing_share: float
    change_pp: float


def top_skills(counts: Mapping[str, int], postings: int, k: int = 10) -> list[SkillShare]:
    """The k skills named by the largest share of `postings` (ties by name)."""
    if postings <= 0:
        return []
    ranked = sorted(((s, c) for s, c in counts.items() if c > 0), key=lambda sc: (-sc[1], sc[0]))
    return [SkillShare(s, int(c), c / postings) for s, c in ranked[:k]]


def log_odds_dirichlet(
    counts_i: Mapping[str, int],
    counts_j: Mapping[str, int],
    background: Mapping[str, int] | None = None,
    *,
    prior_strength: float = 500.0,
) -> list[Distinctive]:
    """Log-odds ratios (i vs j) with an informative Dirichlet prior, sorted by z descending."""
    vocab = sorted(set(counts_i) | set(counts_j))
    if not vocab:
        return []
    bg = dict(background) if background else {}
    for w in vocab:  # the prior must cover every skill compared
        bg[w] = bg.get(w, 0) + counts_i.get(w, 0) + counts_j.get(w, 0)
    bg_total = sum(bg[w] for w in vocab)
    if bg_total <= 0:
        return []
    # A tiny floor keeps every alpha_w positive so that no log or variance blows up.
    alpha = {w: max(prior_strength * bg[w] / bg_total, 1e-3) for w in vocab}
    a0 = sum(alpha.values())
    n_i = sum(counts_i.get(w, 0) for w in vocab)
    n_j = sum(counts_j.get(w, 0) for w in vocab)
    out: list[Distinctive] = []
    for w in vocab:
        yi, yj, a = counts_i.get(w, 0), counts_j.get(w, 0), alpha[w]
        odds_i = (yi + a) / (n_i + a0 - yi - a)
        odds_j = (yj + a) / (n_j + a0 - yj - a)
        delta = math.log(odds_i) - math.log(odds_j)
        var = 1.0 / (yi + a) + 1.0 / (yj + a)
        out.append(Distinctive(w, delta, delta / math.sqrt(var), int(yi), int(yj)))
    return sorted(out, key=lambda d: (-d.z, d.skill))


def share_movers(
    counts: Mapping[str, int],
    postings: int,
    trailing_counts: Mapping[str, int],
    trailing_postings: int,
    k: int = 5,
) -> list[Mover]:
    """The k skills whose share moved most (absolute percentage points) vs a trailing period."""
    if postings <= 0 or trailing_postings <= 0:
        return []
    movers = []
    for skill in sorted(set(counts) | set(trailing_counts)):
        now = counts.get(skill, 0) / postings
        before = trailing_counts.get(skill, 0) / trailing_postings
        movers.append(Mover(skill, now, before, (now - before) * 100.0))
    movers.sort(key=lambda m: (-abs(m.change_pp), m.skill))
    return [m for m in movers[:k] if m.change_pp != 0.0]
