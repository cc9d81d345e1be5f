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
_BLOCK_ALT = "|".join(sorted(_BLOCK_TAGS, key=len, reverse=True))
# Tags are bounded ({0,2000}) so an unterminated "<" cannot make the scan quadratic.
_BLOCK_TAG = re.compile(rf"</?(?=[A-Za-z])(?:{_BLOCK_ALT})\b[^<>]{{0,2000}}>", re.I)
_INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,15}\b[^<>]{0,2000}>|<![^<>]{0,500}>")
_LOOKS_ESCAPED = re.compile(r"&lt;/?(?:p|div|br|li|ul|span|strong|b|h[1-6]|em|a)\b", re.I)
_HAS_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]{0,15}\b[^<>]{0,2000}>)")


def _drop_between(text: str, opener: str, closer: str) -> str:
    """Remove every `opener ... closer` span (case-insensitive) with plain string search: linear time."""
    lower = text.lower()
    if opener not in lower:
        return text
    out: list[str] = []
    pos = 0
    while True:
        start = lower.find(opener, pos)
        if start < 0:
            break
        end = lower.find(closer, start + len(opener))
        out.append(text[pos:start])
        if end < 0:
            pos = len(text)
            break
        pos = end + len(closer)
    out.append(text[pos:])
    return " ".join(out)


def html_to_text(raw: str) -> str:
    """Strip tags and entities from an HTML (or plain) description; keeps paragraph breaks."""
    if not raw:
        return ""
    text = raw[:MAX_DESCRIPTION_CHARS]
    if not _HAS_TAG.search(text) and _LOOKS_ESCAPED.search(text):
        text = html.unescape(text)  # escaped one time too many (seen in JSON-LD)
    if "<" in text:
        text = _drop_between(text, "<script", "</script>")
        text = _drop_between(text, "<style", "</style>")
        text = _drop_between(text, "<!--", "-->")
        text = _BLOCK_TAG.sub("\n", text)
        text = _INLINE_TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    # str.split() collapses every kind of white space in C; line breaks survive as a sentinel word
    if "\x00" in text:
        text = text.replace("\x00", "")
    flat = " ".join(text.replace("\n", " \x00 ").split())
    return "\n".join(line for line in (part.strip() for part in flat.split("\x00")) if line)


def normalize_whitespace(text: str) -> str:
    """Collapse every run of white space to one space and trim."""
    return " ".join(text.split())
