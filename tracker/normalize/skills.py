"""Canonical skill ids mentioned in a text, from the table in data/skills.toml.

All aliases are compiled into one regular expression shaped as a trie (shared prefixes are written
once), run in a single pass over the lower-cased text. Ambiguous short aliases (`R`, `Go`, `C`, `TF`,
`CV`, ...) are "strict": they must match with their exact case and pass a context check.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, count
from operator import itemgetter
from typing import Any, Protocol, cast

from tracker.normalize.tables import load_table

MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """One alias target: the ids it yields and the rule that guards it."""

    id: str
    category: str
    ids: tuple[str, ...]
    strict: bool
    context: str | None
    cased: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Matcher:
    pattern: re.Pattern[str]
    pattern_ci: re.Pattern[str]
    by_alias: dict[str, tuple[SkillEntry, ...]]
    categories: dict[str, str]
    cross_after: re.Pattern[str]
    """a line break followed by the rest of a multi-word alias after one of its spaces ("\nlearning")"""
    cross_before: re.Pattern[str]
    """the start of a multi-word alias up to one of its spaces, at the end of the searched span ("machine")"""
    cross_reach: int
    """the longest such start"""
    cross_after_reach: int
    """the longest line break and rest of an alias `cross_after` can match"""


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    entries: tuple[SkillEntry, ...]


def _key(alias: str) -> str:
    return " ".join(alias.lower().replace("-", " ").split())


def _trie_pattern(words: Iterable[str]) -> str:
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        alts = [(r"[\s\-]" if ch == " " else re.escape(ch)) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        if "" in node:  # "(?:x|)" rather than "(?:x)?": same match, without the engine's slower repeat
            return "(?:" + "|".join(alts) + "|)"
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return build(trie)


_WORD_CHAR = re.compile(r"[a-z0-9_]")


@lru_cache(maxsize=1)
def _matcher() -> _Matcher:
    table = load_table("skills.toml")
    by_alias: dict[str, list[SkillEntry]] = {}
    categories: dict[str, str] = {}
    for raw in table.get("skill", []):
        sid = str(raw["id"])
        category = str(raw.get("category", ""))
        categories[sid] = category
        ids = (sid, *(str(i) for i in raw.get("implies", [])))
        context = raw.get("context")
        strict = [str(a) for a in raw.get("strict_aliases", [])]
        plain = SkillEntry(sid, category, ids, False, None, frozenset())
        guarded = SkillEntry(sid, category, ids, True, str(context) if context else None, frozenset(strict))
        for entry, aliases in ((plain, raw.get("aliases", [])), (guarded, strict)):
            for alias in aliases:
                bucket = by_alias.setdefault(_key(alias), [])
                if entry not in bucket:
                    bucket.append(entry)
    # longest aliases first is implicit in the trie; boundaries keep "java" out of "javascript". Every alias
    # starts with a word character, so the boundary before it is written as a consumed non-word character
    # (the text gets one in front): the engine then skips through words in C instead of trying each position.
    assert all(_WORD_CHAR.match(alias) for alias in by_alias), "aliases start with a word character"
    assert all(alias.isascii() for alias in by_alias), "aliases are ASCII (see _hits_by_line)"
    body = _trie_pattern(sorted(by_alias))
    source = r"[^a-z0-9_](" + body + r")(?![a-z0-9_+#])"
    # Where a match may run over a line break: an alias's space (matched by [\s\-]) written as "\n".
    heads = {alias[:i] for alias in by_alias for i, ch in enumerate(alias) if ch == " "}
    tails = {alias[i + 1 :] for alias in by_alias for i, ch in enumerate(alias) if ch == " "}
    return _Matcher(
        pattern=re.compile(source),
        pattern_ci=re.compile(source, re.IGNORECASE),
        by_alias={k: tuple(v) for k, v in by_alias.items()},
        categories=categories,
        cross_after=re.compile(r"\n" + _trie_pattern(sorted(tails))),
        cross_before=re.compile(_trie_pattern(sorted(heads)) + r"\Z"),
        cross_reach=max(map(len, heads), default=0),
        cross_after_reach=1 + max(map(len, tails), default=0),
    )


# --- context rules ------------------------------------------------------------------------------------

_LIST_GAP = re.compile(r"[\s,;/&()|+\-]*(?:(?:and|or|and/or|nor|plus|&|as well as|e\.g\.|i\.e\.|or even)[\s,;/&()|+\-]*)?", re.I)
_LANG_AFTER = re.compile(
    r"\s?(?:programming|language|languages|developer|developers|engineer|engineers|code|codebase|services|"
    r"microservices|backend|back-end|package|packages|libraries|library|scripts|scripting|shiny|studio|markdown|"
    r"ecosystem|modules|runtime|stack|projects?|experience|proficiency|skills|\(golang\))\b",
    re.I,
)
_LANG_BEFORE = re.compile(
    r"(?:\b(?:in|using|with|of|like|via|written\sin|coding\sin|knowledge\sof)\s"
    r"|\b(?:languages?|programming|skills|stack|tech\sstack|tools|technologies|requirements|tech):\s{1,2})\Z",
    re.I,
)
_CLAUSE_END = re.compile(
    r"\s?(?:[,.;:)!?\n]|\band\b|\bor\b|\Z"
    r"|\bis\s(?:a\splus|a\sbonus|preferred|required|desired|essential|helpful|nice\sto\shave|a\smust)\b)"
)
_RESUME = re.compile(r"r[eé]sum[eé]|cover\sletter|curriculum|\bapply\b|\bsubmit|\bupload|\battach|\bsend\b|\bupdated\b", re.I)
_ML_WORDS = re.compile(
    r"\b(?:machine\slearning|ml|ai|deep\slearning|models?|modeling|vision|images?|video|perception|detection|"
    r"segmentation|nlp|llms?|robotics|neural|pytorch|tensorflow|agents?|policy|policies|reward|training|inference|"
    r"gpu|research|algorithms?|recognition|generative|multimodal|autonomous)\b",
    re.I,
)
_VERB_BEFORE = re.compile(r"(?:\b(?:to|will|you|can|who|should|must|help|helps|and)\s|^|[.!?\n]\s?)\Z", re.I)
_VERB_AFTER = re.compile(r"\s(?:at|in|within|as|on|beyond|through)\b", re.I)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n•:]\s{0,3}|\s[-*]\s)\Z")
_LANGUAGE_CATEGORIES = frozenset({"language", "database"})
_ML_CATEGORIES = frozenset({"ml", "ml_framework", "mlops"})


def _listed_with(text: str, index: int, hits: _HitList, categories: frozenset[str]) -> bool:
    """Is hit `index` in a list beside another skill of the given categories ("Python or R", "C/C++")?"""
    hit = hits[index]
    own = hit.entries[0].id
    for j in (index - 1, index + 1):
        if j < 0 or j >= len(hits):
            continue
        other = hits[j]
        if not any(e.category in categories and e.id != own for e in other.entries):
            continue
        gap = text[other.end : hit.start] if j < index else text[hit.end : other.start]
        if len(gap) <= 16 and _LIST_GAP.fullmatch(gap):
            return True
    return False


def _accept(text: str, index: int, entry: SkillEntry, hits: _HitList) -> bool:
    hit = hits[index]
    if not entry.strict:
        return True
    written = text[hit.start : hit.end]
    if written not in entry.cased:
        return False
    context = entry.context
    after = text[hit.end : hit.end + 3]
    if context is None:
        return True
    if context == "language":
        if after[:1] in ("&", "-", "'", "’"):
            return False  # R&D, Go-to-market, C-suite
        if _listed_with(text, index, hits, _LANGUAGE_CATEGORIES):
            return True
        if after[:1] in (",", "/") and _listed_with(text, index, hits, _all_categories()):
            return True  # "Stack: Go, Kubernetes, Kafka": first in a list of technologies
        if _LANG_AFTER.match(text, hit.end):
            return not (written == "Go" and _SENTENCE_START.search(text, max(0, hit.start - 4), hit.start))
        before = _LANG_BEFORE.search(text, max(0, hit.start - 16), hit.start)
        return bool(before and _CLAUSE_END.match(text, hit.end))
    if context == "ml_framework":
        return _listed_with(text, index, hits, frozenset({"ml_framework"}))
    if context == "ml":
        lo, hi = max(0, hit.start - 60), min(len(text), hit.end + 60)
        if _RESUME.search(text, max(0, hit.start - 30), min(len(text), hit.end + 30)):
            return False
        if _listed_with(text, index, hits, _ML_CATEGORIES):
            return True
        window = text[lo : hit.start] + " " + text[hit.end : hi]
        return bool(_ML_WORDS.search(window))
    if context == "tool":
        if _VERB_AFTER.match(text, hit.end) and _VERB_BEFORE.search(text, max(0, hit.start - 8), hit.start):
            return False
        if _SENTENCE_START.search(text, max(0, hit.start - 4), hit.start):
            return _listed_with(text, index, hits, frozenset(_all_categories()))
        return True
    return True


@lru_cache(maxsize=1)
def _all_categories() -> frozenset[str]:
    return frozenset(_matcher().categories.values())


# --- line memo ---------------------------------------------------------------------------------------
# Descriptions repeat whole lines (a company's intro, benefits and EEO paragraphs, list items shared by its
# postings, the same posting crawled again). When no alias can run over a line break, the single pass over
# the text finds exactly the matches of separate passes over its lines (a line break and the space put in
# front of a line are both a boundary before an alias and allowed after one), so a line's matches are kept.

_LineHit = tuple[int, int, tuple[SkillEntry, ...]]
_LineScan = tuple[frozenset[str], tuple[_LineHit, ...], tuple[int, ...], bool]
"""(ids of the plain aliases, hits as (start, end, entries) within the line, indexes of the strict hits,
whether an alias may run on from the line's end into the next line)"""
_LINE_MEMO: dict[str, _LineScan] = {}
_LINE_MEMO_MAX = 10_000
_LINE_MEMO_MAX_CHARS = 1_000
_LINES_SEEN: set[int] = set()
"""hashes of lines met once: a line is scanned alone (and kept) only when it comes again"""
_LINES_SEEN_MAX = 50_000
_NOVEL_SHARE = 0.3
"""above this share of a text's characters in lines never met, the whole text is scanned in one pass"""


class _HitList(Protocol):
    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> _Hit: ...


class _LineHits:
    """The hits of a text's lines, numbered through the text; each `_Hit` is built when it is asked for."""

    __slots__ = ("scans", "firsts", "starts")

    def __init__(self, scans: list[_LineScan], firsts: list[int], starts: list[int]) -> None:
        self.scans = scans
        self.firsts = firsts  # number of each line's first hit, then the number of hits
        self.starts = starts  # characters before each line, but its line breaks

    def __len__(self) -> int:
        return self.firsts[-1]

    def __getitem__(self, index: int, /) -> _Hit:
        line = bisect_right(self.firsts, index) - 1  # the last line whose first hit is not after it
        start, end, entries = self.scans[line][1][index - self.firsts[line]]
        offset = self.starts[line] + line
        return _Hit(start + offset, end + offset, entries)


_IDS, _HITS, _STRICT, _RUNS_ON = (itemgetter(i) for i in range(4))
_NO_HITS = _LineHits([], [0], [0])


def _alias_hits(matcher: _Matcher, matches: Iterable[re.Match[str]]) -> Iterator[_LineHit]:
    """(start, end, entries) of each alias matched in " " + text, as positions in the text itself."""
    by_alias = matcher.by_alias
    for m in matches:
        written = m.group(1)
        entries = by_alias.get(written) or by_alias.get(_key(written))
        if entries:
            start, end = m.span(1)
            yield start - 1, end - 1, entries


def _scan_line(matcher: _Matcher, line: str) -> _LineScan:
    ids: set[str] = set()
    hits: list[_LineHit] = []
    strict: list[int] = []
    for hit in _alias_hits(matcher, matcher.pattern.finditer(" " + line)):
        entries = hit[2]
        if entries[0].strict:
            strict.append(len(hits))
        else:
            ids.update(entries[0].ids)
        hits.append(hit)
    # the start of a multi-word alias up to one of its spaces at the end of the line (or a line so short
    # that such a start could begin on the line before)
    reach = matcher.cross_reach
    runs_on = len(line) < reach or matcher.cross_before.search(line, len(line) - reach) is not None
    return frozenset(ids), tuple(hits), tuple(strict), runs_on


def _hits_by_line(matcher: _Matcher, text: str, lines: list[str]) -> tuple[set[str], _HitList, list[int]] | None:
    """(ids of the plain aliases, hits, indexes of the strict hits) from the memo of the text's lines.

    `lines` is `text.split("\n")`; each line is lower-cased only when it is scanned. None when much of the
    text is new (one pass over the whole text is then cheaper than one per line), when a line changes length
    when lower-cased, or when an alias might run over a line break (the lines' matches may then differ from
    the text's)."""
    memo = _LINE_MEMO
    scans = [memo.get(line) for line in lines]
    if None in scans:
        seen = _LINES_SEEN
        novel = [line for line, scan in zip(lines, scans, strict=True) if scan is None and hash(line) not in seen]
        if novel and sum(map(len, novel)) > _NOVEL_SHARE * len(text):
            if len(seen) >= _LINES_SEEN_MAX:
                seen.clear()
            seen.update([hash(line) for line in novel if len(line) <= _LINE_MEMO_MAX_CHARS])
            return None
        for index, scan in enumerate(scans):
            if scan is None:  # a line met before (or a short part of the text): scanned alone, then kept
                line = lines[index]
                lowered = line.lower()
                if len(lowered) != len(line):
                    return None  # positions in the lower-cased line would not be those in the text
                scans[index] = _scan_line(matcher, lowered)
                if len(line) <= _LINE_MEMO_MAX_CHARS:
                    if len(memo) >= _LINE_MEMO_MAX:
                        memo.clear()
                    memo[line] = scans[index]  # type: ignore[assignment]
    # the loops over lines below run in C (map, compress, accumulate): most lines hold nothing to do
    filled = cast(list[_LineScan], scans)  # no None is left
    starts = list(accumulate(map(len, lines), initial=0))
    cross_after, cross_before, reach = matcher.cross_after, matcher.cross_before, matcher.cross_reach
    after_reach = matcher.cross_after_reach
    for index in compress(count(), map(_RUNS_ON, filled)):
        # the text around the line break, lower-cased: every line keeps its length when lower-cased, and
        # aliases are ASCII, so this matches as the whole lower-cased text would there
        at = starts[index + 1] + index
        lo = max(0, at - reach)
        window = text[lo : at + after_reach].lower()
        if cross_after.match(window, at - lo) and cross_before.search(window, 0, at - lo):
            return None  # such a start before the line break, the rest of the alias after it
    found: set[str] = set().union(*map(_IDS, filled))
    strict_lines = list(compress(count(), map(_STRICT, filled)))
    if not strict_lines:
        return found, _NO_HITS, []  # hits are read only around strict ones
    firsts = list(accumulate(map(len, map(_HITS, filled)), initial=0))
    strict = [firsts[index] + i for index in strict_lines for i in filled[index][2]]
    return found, _LineHits(filled, firsts, starts), strict


def _hits_whole(matcher: _Matcher, text: str, lowered: str) -> tuple[set[str], _HitList, list[int]]:
    """(ids of the plain aliases, hits, indexes of the strict hits) from one pass over the whole text."""
    # positions in the matched string are one past those in `text` (a space is put in front)
    if len(lowered) == len(text):
        matches = matcher.pattern.finditer(" " + lowered)
    else:  # some characters change length when lower-cased; match the original instead
        matches = matcher.pattern_ci.finditer(" " + text)
    hits: list[_Hit] = []
    strict: list[int] = []
    found: set[str] = set()
    for start, end, entries in _alias_hits(matcher, matches):
        if entries[0].strict:
            strict.append(len(hits))
        elif entries[0].id not in found:
            found.update(entries[0].ids)
        hits.append(_Hit(start, end, entries))
    return found, hits, strict


def extract_skills(text: str) -> set[str]:
    """Canonical skill ids mentioned in a text (one pass over it with the compiled alias trie)."""
    if not isinstance(text, str) or not text:
        return set()
    text = text[:MAX_TEXT_CHARS]
    return _extract(text, text.split("\n"))


def extract_skills_split(text: str, lines: list[str]) -> set[str]:
    """`extract_skills(text)` for a caller that has split the text already: `lines` is `text.split("\n")`."""
    if not text:
        return set()
    if len(text) > MAX_TEXT_CHARS:
        return extract_skills(text)
    return _extract(text, lines)


def _extract(text: str, lines: list[str]) -> set[str]:
    matcher = _matcher()
    scanned = _hits_by_line(matcher, text, lines)
    found, hits, strict = scanned if scanned is not None else _hits_whole(matcher, text, text.lower())
    # strict aliases (R, Go, TF, CV, ...) need their neighbours, so they are judged after the pass
    for index in strict:
        for entry in hits[index].entries:
            if entry.id in found:
                break
            if _accept(text, index, entry, hits):
                found.update(entry.ids)
                break
    return found


def skill_category(skill_id: str) -> str | None:
    """The category of a canonical skill id (language, data, ml, ...), or None when unknown."""
    return _matcher().categories.get(skill_id)
