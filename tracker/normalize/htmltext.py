"""HTML descriptions to readable plain text, without a DOM: linear-time tag stripping."""

from __future__ import annotations

import html
import re

from tracker.normalize.tables import word_set

MAX_DESCRIPTION_CHARS = 200_000

_BLOCK_TAGS = word_set(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table thead tbody section article header footer "
    "blockquote pre hr dd dt dl td th nav aside main figure figcaption form details summary"
)
# A tag: name plus attributes, bounded so an unterminated "<" cannot make the scan quadratic.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})\b[^<>]{0,2000}>|<!--.{0,20000}?-->|<![^<>]{0,500}>", re.S)
_LOOKS_ESCAPED = re.compile(r"&lt;/?(?:p|div|br|li|ul|span|strong|b|h[1-6]|em|a)\b", re.I)
_HAS_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]{0,15}\b[^<>]{0,2000}>)")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def _drop_raw_blocks(text: str) -> str:
    """Remove <script> and <style> elements (content included) with plain string search."""
    lower = text.lower()
    if "<script" not in lower and "<style" not in lower:
        return text
    out: list[str] = []
    pos = 0
    while True:
        starts = [i for i in (lower.find("<script", pos), lower.find("<style", pos)) if i >= 0]
        if not starts:
            break
        start = min(starts)
        closing = "</script>" if lower.startswith("<script", start) else "</style>"
        end = lower.find(closing, start)
        out.append(text[pos:start])
        if end < 0:
            pos = len(text)
            break
        pos = end + len(closing)
    out.append(text[pos:])
    return " ".join(out)


def _tag_replacement(match: re.Match[str]) -> str:
    name = match.group(2)
    if name and name.lower() in _BLOCK_TAGS:
        return "\n"
    return "" if name else " "


def html_to_text(raw: str) -> str:
    """Strip tags and entities from an HTML (or plain) description; keeps paragraph breaks."""
    if not raw:
        return ""
    text = raw[:MAX_DESCRIPTION_CHARS]
    if not _HAS_TAG.search(text) and _LOOKS_ESCAPED.search(text):
        text = html.unescape(text)  # escaped one time too many (seen in JSON-LD)
    if "<" in text:
        text = _drop_raw_blocks(text)
        text = _TAG.sub(_tag_replacement, text)
    if "&" in text:
        text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip()


def normalize_whitespace(text: str) -> str:
    """Collapse every run of white space to one space and trim."""
    return " ".join(text.split())
