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
# Characters that match an ASCII letter case-insensitively in `re` (the Kelvin sign, long s, dotted and dotless i).
_CASE_FOLDS = {"i": "iI\u0130\u0131", "k": "kK\u212a", "s": "sS\u017f"}


def _name_trie(names: frozenset[str]) -> str:
    """A case-insensitive alternation of tag names, written as a trie of character classes (faster than re.I)."""
    trie: dict[str, dict] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [
            ("[" + _CASE_FOLDS.get(ch, ch + ch.upper()) + "]" if ch.isalpha() else re.escape(ch)) + build(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return build(trie)


# Tags are bounded ({0,2000}) so an unterminated "<" cannot make the scan quadratic. A block tag (and the
# white space after it) becomes a line break; that white space would only have been stripped from the next line.
_BLOCK_TAG = re.compile(rf"</?{_name_trie(_BLOCK_TAGS)}\b[^<>]{{0,2000}}>[ \t\r\n]*")
_INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,15}\b[^<>]{0,2000}>|<![^<>]{0,500}>")
_LOOKS_ESCAPED = re.compile(r"&lt;/?(?:p|div|br|li|ul|span|strong|b|h[1-6]|em|a)\b", re.I)
_HAS_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]{0,15}\b[^<>]{0,2000}>)")
# Whether a text holds a few-character string: a regex search with a literal prefix takes about half the time of
# `in` here (the substring search of `in` stops at every space or "s", which are frequent).
_S_TAG = re.compile("<[sS]")
_COMMENT = re.compile("<!--")
_COMMENT_END = re.compile("-->")


def _ascii_ci(literal: str) -> re.Pattern[str]:
    """`literal` in any ASCII case (as HTML reads tag names; re.I would also take the Kelvin sign for a k)."""
    return re.compile("".join(f"[{ch}{ch.upper()}]" if ch.isalpha() else re.escape(ch) for ch in literal))


_SCRIPT, _SCRIPT_END = _ascii_ci("<script"), _ascii_ci("</script>")
_STYLE, _STYLE_END = _ascii_ci("<style"), _ascii_ci("</style>")


def _drop_between(text: str, opener: re.Pattern[str], closer: re.Pattern[str]) -> str:
    """Remove every `opener ... closer` span (an unclosed one to the end of the text): linear time."""
    m = opener.search(text)
    if m is None:
        return text
    out: list[str] = []
    pos = 0
    while m is not None:
        out.append(text[pos : m.start()])
        close = closer.search(text, m.end())
        if close is None:
            pos = len(text)
            break
        pos = close.end()
        m = opener.search(text, pos)
    out.append(text[pos:])
    return " ".join(out)


def html_to_text(raw: str) -> str:
    """Strip tags and entities from an HTML (or plain) description; keeps paragraph breaks."""
    return "\n".join(html_lines(raw))


def html_lines(raw: str) -> list[str]:
    """The lines of `html_to_text(raw)`: each one trimmed, white space collapsed, none empty."""
    if not raw:
        return []
    text = raw[:MAX_DESCRIPTION_CHARS]
    if not _HAS_TAG.search(text) and _LOOKS_ESCAPED.search(text):
        text = html.unescape(text)  # escaped one time too many (seen in JSON-LD)
    if "<" in text:
        # without "<s"/"<S" there is no <script> or <style> to drop
        if _S_TAG.search(text):
            text = _drop_between(text, _SCRIPT, _SCRIPT_END)
            text = _drop_between(text, _STYLE, _STYLE_END)
        text = _drop_between(text, _COMMENT, _COMMENT_END)
        text = _BLOCK_TAG.sub("\n", text)
        text = _INLINE_TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _tidy_lines(text)


# Every character str.split() takes for white space, but the space and the line break (a test checks the list).
_ODD_SPACES = tuple(
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ASCII_ODD_SPACES = tuple(ch for ch in _ODD_SPACES if ch.isascii())
_SPACES = re.compile(r"  +")
_TWO_SPACES = re.compile("  ")  # found faster than with `in`, and faster than `_SPACES` finds its first run
_SPACE_BREAK = re.compile(" \n")
_BREAK_SPACE = re.compile("\n ")


def _tidy_lines(text: str) -> list[str]:
    """Collapse white space in each line, trim the lines and drop the empty ones.

    What `[" ".join(line.split()) for line in text.split("\n")]` without the empty lines gives, with
    whole-text string operations instead of work per line."""
    for ch in _ASCII_ODD_SPACES if text.isascii() else _ODD_SPACES:
        if ch in text:
            text = text.replace(ch, " ")
    if _TWO_SPACES.search(text):
        text = _SPACES.sub(" ", text)
    # no run of spaces is left, so one pass each removes every space next to a line break
    if _SPACE_BREAK.search(text):
        text = text.replace(" \n", "\n")
    if _BREAK_SPACE.search(text):
        text = text.replace("\n ", "\n")
    return list(filter(None, text.strip(" ").split("\n")))


def normalize_whitespace(text: str) -> str:
    """Collapse every run of white space to one space and trim."""
    return " ".join(text.split())
