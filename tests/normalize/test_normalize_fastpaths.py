"""The speed shortcuts give exactly what the plain regexes they stand in for give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.normalize import htmltext, pay, skills
from tracker.normalize.posting import _text_hash, description_hash

# letters that fold to ASCII under re.I (Kelvin sign, long s, dotted and dotless i) included on purpose
TAG_ALPHABET = "<>/ pPdDiIvVlLsSbBrRhH1tTaAeEuUoOcCkK\u212a\u017f\u0130\u0131=\"'_-x\n"
PAY_ALPHABET = "$£€₹¥￥＄USDCANZHKRsPpFrhusdeurgbpimnoYEJy.  \t\u00a0\u2003(1,-:ſKİı"
SPACE_ALPHABET = "a1 \t\u00a0\u2003\u2009\u205f\u200b-—"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=TAG_ALPHABET, max_size=60))
def test_block_tag_trie_matches_case_insensitive_alternation(text: str) -> None:
    alternation = "|".join(sorted(htmltext._BLOCK_TAGS, key=len, reverse=True))
    reference = re.compile(rf"</?(?=[A-Za-z])(?:{alternation})\b[^<>]{{0,2000}}>[ \t\r\n]*", re.I)
    assert htmltext._BLOCK_TAG.sub("\n", text) == reference.sub("\n", text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=PAY_ALPHABET, max_size=14))
def test_prefix_shortcut_matches_regex(before: str) -> None:
    text = before + "5"
    start = len(before)
    expected = pay._PREFIX.search(text, max(0, start - 8), start)
    got = pay._prefix_before(text, start)
    assert (got and (got.span(), got.groupdict())) == (expected and (expected.span(), expected.groupdict()))


def _case_variants(word: str) -> set[str]:
    """The word lower-case, upper-case and titled, and with its first letter written as a re.I case fold."""
    folds = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}
    out = {word, word.lower(), word.upper(), word.title()}
    out |= {fold + word[1:] for fold in folds.get(word[:1].lower(), "")}
    return out


def test_prefix_shortcut_finds_every_currency_code() -> None:
    codes = {*pay.CURRENCY_CODES, *pay._CODE_ALIASES, *pay._WORD_CURRENCIES, "Rs", "Rp", "SFr", "Php", "in", "of"}
    for code in codes:
        for written in _case_variants(code):
            for before in ("", "x", " ", "1", "("):
                for sep in ("", " ", ".", ". ", "  ", "$", " $", ".¥"):
                    text = before + written + sep + "5"
                    start = len(text) - 1
                    expected = pay._PREFIX.search(text, max(0, start - 8), start)
                    got = pay._prefix_before(text, start)
                    assert (got and got.span()) == (expected and expected.span()), text
    for symbol in pay._PREFIX_SYMBOLS:
        for before in ("", "x", "1", "(", " ", ".", "US", "C", "RMB ", "CN", "A.", "$", "-"):
            for sep in ("", " ", "  "):
                text = before + symbol + sep + "5"
                start = len(text) - 1
                expected = pay._PREFIX.search(text, max(0, start - 8), start)
                got = pay._prefix_before(text, start)
                assert (got and (got.span(), got.groupdict())) == (expected and (expected.span(), expected.groupdict()))


def test_period_shortcut_finds_every_period_word() -> None:
    connectors = ["per", "a", "an", "each", "every", "pro", "par", "por", "al", "im", "le"]
    units = [*pay._PERIOD_WORDS, "p.a.", "p. a.", "p.h.", "annum", "anum"]
    texts = [c + " " + u for c in connectors for u in ("hour", "year", "month", "jahr", "mes")]
    texts += [*units, *("/" + u for u in units), *("/ " + u for u in units)]
    for text in {v for t in texts for v in _case_variants(t)}:
        for lead in ("", " ", "   "):
            written = lead + text
            expected: tuple[str | None, int] = (None, 0)
            for regex in (pay._PERIOD_SLASH, pay._PERIOD_PER, pay._PERIOD_WORD):
                m = regex.match(written)
                if m:
                    word = m.group("w").lower().replace(" ", "").rstrip(".").replace(".", "")
                    if word in pay._PERIOD_WORDS:
                        expected = (pay._PERIOD_WORDS[word], m.end())
                        break
            assert pay._period_at(written, 0) == expected, written


PERIOD_TOKENS = st.sampled_from([
    " ", "  ", "\n", "/", "per", "an", "a", "each", "im", "le", "al", "pro", "hour", "hr", "year", "yearly", "annual",
    "annually", "p.a.", "pa", "ph", "pcm", "lpa", "jährlich", "monatlich", "Jahr", "Stunde", "mois", "month", "m",
    "wk", "day", "d", "h", "y", "PER", "Per", "AN", "İm", "ım", "Hourly", "x", "1", "(", "-", "İ", "ı", "K", "ſ",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(PERIOD_TOKENS, max_size=8).map("".join))
def test_period_shortcut_matches_trying_every_pattern(text: str) -> None:
    def reference(pos: int) -> tuple[str | None, int]:
        for regex in (pay._PERIOD_SLASH, pay._PERIOD_PER, pay._PERIOD_WORD):
            m = regex.match(text, pos)
            if m:
                word = m.group("w").lower().replace(" ", "").rstrip(".").replace(".", "")
                if word in pay._PERIOD_WORDS:
                    return pay._PERIOD_WORDS[word], m.end()
        return None, pos

    for pos in range(len(text) + 1):
        assert pay._period_at(text, pos) == reference(pos)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=SPACE_ALPHABET, max_size=40))
def test_space_collapse_matches_general_pattern(text: str) -> None:
    reference = text.replace("—", "-")
    if any(ch in reference for ch in pay._ODD_SPACES) or "  " in reference:
        reference = pay._SPACE_RUN.sub(" ", reference)  # what _clean did before the shortcut
    assert pay._clean(text) == reference


def test_html_text_hash_is_description_hash() -> None:
    text = htmltext.html_to_text("<p>Hello  <b>world</b></p><ul><li> a\u00a0b </li><li></li></ul>\n tail")
    assert text == "Hello world\na b\ntail"
    assert _text_hash(text) == description_hash(text)
    assert _text_hash("") is None


def test_skill_matches_at_start_and_end_of_text() -> None:
    assert skills.extract_skills("Python") == {"python"}
    assert "sql" in skills.extract_skills("SQL, Python and R")
    assert skills.extract_skills("JavaScript") & {"java"} == set()


def _max_width(pattern: re.Pattern[str]) -> int:
    return int(re._parser.parse(pattern.pattern, pattern.flags).getwidth()[1])  # type: ignore[attr-defined]


def test_pair_reach_covers_what_an_amount_reads_after_its_number() -> None:
    after = (
        _max_width(pay._MULT) + _max_width(pay._SUFFIX) + _max_width(pay._OPEN_END)
        + max(_max_width(p) for p in (pay._PERIOD_SLASH, pay._PERIOD_PER, pay._PERIOD_WORD))
    )
    # then a gap of at most 12 characters and a currency prefix found within 8 characters of the next number
    assert after + 12 + 8 < pay._PAIR_REACH


PAY_TOKENS = st.sampled_from([
    "120,000", "150k", "95", "2019", "4,000", "$", "USD", "€", " ", "  ", "-", " - ", " to ", "\n", "salary ",
    "customers", "per year", "/hr", "+", "bonus", "base pay", "x" * 30, "lorem ipsum dolor sit amet " * 2,
])


@settings(max_examples=400, deadline=None)
@given(st.lists(PAY_TOKENS, max_size=40).map("".join))
def test_figures_left_out_of_free_text_change_no_band(text: str) -> None:
    from unittest import mock

    every = pay._amounts(text, free_text=False)
    with mock.patch.object(pay, "_amounts", lambda t, free_text=False: list(every)):
        reference = pay._scan(text, free_text=True)
    assert pay._scan(text, free_text=True) == reference


def test_odd_spaces_are_every_white_space_but_space_and_line_break() -> None:
    every = {ch for ch in map(chr, range(0x110000)) if ch.isspace()} - {" ", "\n"}
    assert set(htmltext._ODD_SPACES) == every


LINE_ALPHABET = "ab \n\t\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2003\u2028\u2029\u202f\u205f\u3000\u200b"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=LINE_ALPHABET, max_size=40))
def test_tidy_lines_matches_per_line_collapse(text: str) -> None:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    assert htmltext._tidy_lines(text) == [line for line in lines if line]


HTML_PAY_TOKENS = st.sampled_from([
    "<p>", "</p>", "<br>", "<li>", " ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u200b", "&nbsp;", "$", "£", "€", "—",
    "120,000", "150k", "45", "401(k)", "403b", "457", " - ", " to ", "per year", "an hour", "salary", "Base pay:",
    "bonus", "USD", "up to", "İ",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(HTML_PAY_TOKENS, max_size=40).map("".join))
def test_pay_in_html_text_skips_only_what_html_to_text_did(html: str) -> None:
    text = htmltext.html_to_text(html)
    assert htmltext.html_lines(html) == (text.split("\n") if text else [])
    assert pay._clean(text, tidy=True) == pay._clean(text)
    expected = pay.find_pay(text)
    got = pay.find_pay_in_text(text)
    assert (got and (got.min, got.max, got.currency, got.period, got.text)) == (
        expected and (expected.min, expected.max, expected.currency, expected.period, expected.text)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(HTML_PAY_TOKENS | st.sampled_from(["Python", "R", "Go", "machine", "learning", "Σ", "k8s"]),
                max_size=40).map("".join))
def test_posting_skills_are_those_of_title_and_text(html: str) -> None:
    from tracker.normalize import normalize_posting

    posting = normalize_posting({"title": "Data Scientist (R)", "description": html})
    assert posting.skills == frozenset(skills.extract_skills("Data Scientist (R)\n" + (posting.description_text or "")))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789,.' ’%-$kK€₹\ud800\U0001f600a \n", max_size=60))
def test_number_shape_finds_the_numbers_the_plain_pattern_finds(text: str) -> None:
    def spans(matches: object) -> list[tuple[tuple[int, int], ...]]:
        return [(m.span(), m.span("int"), m.span("sep"), m.span("dec")) for m in matches]  # type: ignore[attr-defined]

    shape = pay._digit_shape(text)
    assert len(shape) == len(text)
    assert spans(pay._NUMBER_SHAPE.finditer(shape)) == spans(pay._NUMBER.finditer(text))


def test_tail_patterns_start_with_the_characters_listed() -> None:
    words = [
        *pay.CURRENCY_CODES, *pay._CODE_ALIASES, *pay._LOWER_CODES, "gross", "brutto", "bruto", "brut", "netto", "net",
        "before tax", "before taxes", "pre-tax", "base", "base salary", "base pay", "salary", "basic", "fixed", "cash",
        "b2b", "uop", "fte", "ote", ")", "(a", "Base", "OTE", "eUr", "Usd",
    ]
    for word in {v for w in words for v in _case_variants(w)}:
        for lead in ("", " ", "   ", "(", " (", "( ", "  ( "):
            text = lead + word + " x"
            first = pay._next_char(text, 0)
            if pay._TAIL_CODE.match(text):
                assert first in pay._TAIL_CODE_FIRST, text
            if pay._TAIL_FILLER.match(text):
                assert first in pay._TAIL_FILLER_FIRST, text


def _direct_reading(text: str, start: int) -> tuple[str | None, bool, int] | None:
    pm = pay._PREFIX.search(text, max(0, start - 8), start)
    return None if pm is None else (*pay._currency_from_prefix(pm), start - pm.start())


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=PAY_ALPHABET, min_size=9, max_size=9),
    st.text(alphabet=PAY_ALPHABET, max_size=6),
    st.text(alphabet=PAY_ALPHABET, max_size=6),
)
def test_prefix_reading_depends_only_on_the_nine_characters_before(key: str, head1: str, head2: str) -> None:
    text1, text2 = head1 + key + "5", head2 + key + "5"
    assert _direct_reading(text1, len(text1) - 1) == _direct_reading(text2, len(text2) - 1)
    assert pay._prefix_reading(text1, len(text1) - 1) == _direct_reading(text1, len(text1) - 1)
    assert pay._prefix_reading(text2, len(text2) - 1) == _direct_reading(text2, len(text2) - 1)  # from the memo
    short = key[: len(head1)]  # a text shorter than the key: no character before it
    assert pay._prefix_reading(short + "5", len(short)) == _direct_reading(short + "5", len(short))


def test_prefix_reading_sees_the_character_before_an_eight_character_prefix() -> None:
    plain, glued = " USD. $  5", "aUSD. $  5"  # a letter glued to the code: no currency code there
    assert _direct_reading(plain, 9) != _direct_reading(glued, 9)
    for text in (plain, glued, plain, glued):
        assert pay._prefix_reading(text, 9) == _direct_reading(text, 9)
