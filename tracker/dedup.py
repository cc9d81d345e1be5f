"""Cross-source and repost de-duplication: cluster keys and MinHash description similarity (pure).

Two postings are candidates for the same real-world job when their normalized company, family,
normalized title and location agree. Among candidates, description similarity decides: the Jaccard
similarity of word 5-shingles, estimated by a 64-value MinHash signature, must reach
`SIMILARITY_THRESHOLD`. A posting or cluster with no description cannot be told apart and joins.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

NUM_PERM = 64
SHINGLE = 5
SIMILARITY_THRESHOLD = 0.5
MAX_TEXT = 20_000
_MERSENNE = np.uint64((1 << 61) - 1)
_WORD = re.compile(r"\w+", re.UNICODE)
_COMPANY_SUFFIXES = {
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "gmbh",
    "ag", "sa", "sas", "bv", "nv", "srl", "pty", "oy", "ab", "as", "kk", "the",
}  # fmt: skip
_TITLE_NOISE = re.compile(
    r"\((?:[^)]*)\)|\[(?:[^]]*)\]|\b(?:remote|hybrid|on-?site|onsite|urgent|hiring|new)\b", re.IGNORECASE
)


def _fold(text: str) -> str:
    if text.isascii():  # NFKD leaves ASCII as it is and it has no combining marks
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold()


@lru_cache(maxsize=65_536)  # the same companies, titles and places recur across postings
def company_key(company: str | None) -> str:
    """Company name folded for matching: case, accents, punctuation and legal suffixes removed."""
    if not company:
        return ""
    words = _WORD.findall(_fold(company))
    while words and words[-1] in _COMPANY_SUFFIXES:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return " ".join(words)[:200]


# Common abbreviations in titles, spelled out so that "Sr. ML Engineer" and "Senior Machine Learning
# Engineer" on two sources fall in the same cluster.
_TITLE_WORDS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "ml": "machine learning", "mgr": "manager",
    "eng": "engineer", "engr": "engineer", "swe": "software engineer", "mle": "machine learning engineer",
    "ds": "data scientist", "nlp": "natural language processing", "cv": "computer vision", "assoc": "associate",
    "dir": "director", "vp": "vice president", "i": "1", "ii": "2", "iii": "3", "iv": "4",
}  # fmt: skip


@lru_cache(maxsize=65_536)
def title_key(title: str | None) -> str:
    """Title folded for matching: parentheticals, workplace words, punctuation and abbreviations normalized."""
    if not title:
        return ""
    words = _WORD.findall(_TITLE_NOISE.sub(" ", _fold(title)))
    return " ".join(_TITLE_WORDS.get(word, word) for word in words)[:300]


@lru_cache(maxsize=65_536)
def location_key(city: str | None, region: str | None, country: str | None, workplace: str | None) -> str:
    """Location folded for matching: remote jobs by country, others by city and country."""
    if workplace == "remote" and not city:
        return f"remote|{(country or '').lower()}"
    parts = [_fold(p).strip() for p in (city, country) if p]
    if not parts and region:
        parts = [_fold(region).strip()]
    return "|".join(parts)[:200]


@lru_cache(maxsize=1)
def _permutations() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(1_234_567)
    a = rng.integers(1, int(_MERSENNE), size=NUM_PERM, dtype=np.uint64)
    b = rng.integers(0, int(_MERSENNE), size=NUM_PERM, dtype=np.uint64)
    # (a * x + b) mod p on 64-bit lanes: x < 2**32 and a < 2**61 would overflow, so fold a to 32 bits.
    return a & np.uint64(0xFFFFFFFF), b


def _shingle_hashes(text: str | None) -> list[int]:
    """CRC-32 of each distinct word 5-shingle of a description; empty when there is no text."""
    if not text:
        return []
    words = _WORD.findall(text[:MAX_TEXT].lower())
    if not words:
        return []
    if len(words) < SHINGLE:
        shingles = {" ".join(words)}
    else:
        # windows of SHINGLE consecutive words: zip stops at the shortest tail
        shingles = set(map(" ".join, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))
    return list(map(zlib.crc32, map(str.encode, shingles)))


def signatures(texts: Sequence[str | None]) -> list[str | None]:
    """The MinHash signature of each description's word shingles, as hex text; None for no text.

    The texts are hashed together, a few thousand shingles per numpy pass: numpy's cost per call,
    not per shingle, dominates a text at a time.
    """
    out: list[str | None] = [None] * len(texts)
    a, b = _permutations()
    rows: list[int] = []  # the shingle hashes of the texts gathered so far, text after text
    starts: list[int] = []  # where each gathered text's hashes start in `rows`
    owners: list[int] = []  # the index in `texts` of each gathered text
    for index, text in enumerate(texts):
        hashes = _shingle_hashes(text)
        if not hashes:
            continue
        starts.append(len(rows))
        owners.append(index)
        rows.extend(hashes)
        if len(rows) >= _ROWS_PER_PASS:
            _min_hashes(rows, starts, owners, a, b, out)
            rows, starts, owners = [], [], []
    if rows:
        _min_hashes(rows, starts, owners, a, b, out)
    return out


_ROWS_PER_PASS = 2048
"""Shingles hashed in one numpy pass: a (shingles x NUM_PERM) work array of 1 MiB stays in cache."""


def _min_hashes(
    rows: list[int],
    starts: list[int],
    owners: list[int],
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    out: list[str | None],
) -> None:
    work = np.array(rows, dtype=np.uint64)[:, None] * a[None, :]
    work += b
    # x mod (2**61 - 1) by folding the bits above 61 onto the low ones: several times faster than `%`,
    # which divides; the fold leaves a value below 2 * (2**61 - 1), so one subtraction finishes it.
    high = work >> np.uint64(61)
    work &= _MERSENNE
    work += high
    np.subtract(work, _MERSENNE, out=work, where=work >= _MERSENNE)
    mins = np.minimum.reduceat(work, starts, axis=0).astype(">u8")
    for owner, values in zip(owners, mins, strict=True):
        out[owner] = values.tobytes().hex()


def similarity(sig_a: str | None, sig_b: str | None) -> float | None:
    """Estimated Jaccard similarity of two signatures; None when either is missing."""
    if not sig_a or not sig_b or len(sig_a) != len(sig_b):
        return None
    a = np.frombuffer(bytes.fromhex(sig_a), dtype=">u8")
    b = np.frombuffer(bytes.fromhex(sig_b), dtype=">u8")
    return int(np.count_nonzero(a == b)) / a.size  # the share of equal values, without np.mean overhead


def same_job(sig_a: str | None, sig_b: str | None) -> bool:
    """Whether two candidates with equal keys are the same job (missing text cannot tell them apart)."""
    sim = similarity(sig_a, sig_b)
    return sim is None or sim >= SIMILARITY_THRESHOLD
