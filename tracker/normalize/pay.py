"""Pay bands from display strings (`parse_pay`) and from free-text descriptions (`find_pay`).

The scan is linear: one bounded regex finds numbers, everything around a number (currency,
multiplier, period, context words) is read with anchored, bounded regexes at known offsets.
No pattern has nested unbounded repetition, so adversarial strings cannot make it backtrack.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from tracker.normalize.tables import word_set

MAX_PAY_TEXT_CHARS = 2_000
MAX_DESCRIPTION_CHARS = 200_000
MAX_AMOUNTS = 600

PERIODS = ("hour", "day", "week", "month", "year")
ANNUAL_FACTOR: dict[str, float] = {"hour": 2080.0, "day": 260.0, "week": 52.0, "month": 12.0, "year": 1.0}


def annualize(value: float | None, period: str | None) -> float | None:
    """Annual figure for a value paid per `period` (None when either is unknown)."""
    if value is None or period not in ANNUAL_FACTOR:
        return None
    return round(value * ANNUAL_FACTOR[period], 2)


@dataclass(frozen=True, slots=True)
class PayBand:
    """A pay range: min/max per period in one currency (either bound may be absent)."""

    min: float | None
    max: float | None
    currency: str | None
    period: str | None
    text: str = field(default="", compare=False)
    """The source text the band was read from (for display and debugging)."""

    @property
    def annual_min(self) -> float | None:
        """`min` annualized (hour x2080, day x260, week x52, month x12)."""
        return annualize(self.min, self.period)

    @property
    def annual_max(self) -> float | None:
        """`max` annualized (hour x2080, day x260, week x52, month x12)."""
        return annualize(self.max, self.period)


# --- currencies -------------------------------------------------------------------------------

CURRENCY_CODES = word_set(
    "USD EUR GBP CAD AUD NZD SGD HKD INR JPY CNY KRW CHF SEK NOK DKK ISK PLN CZK HUF RON BGN HRK "
    "BRL MXN ARS COP CLP PEN UYU ZAR ILS AED SAR QAR KWD BHD OMR TRY RUB UAH NGN KES GHS EGP MAD "
    "PKR BDT LKR NPR PHP IDR MYR THB VND TWD"
)
_CODE_ALIASES = {"RMB": "CNY", "NTD": "TWD", "YEN": "JPY"}
_SYMBOLS = {
    "$": "USD", "£": "GBP", "€": "EUR", "₹": "INR", "¥": "JPY", "₩": "KRW", "₪": "ILS", "₱": "PHP",
    "₦": "NGN", "₺": "TRY", "₽": "RUB", "₫": "VND", "฿": "THB", "₴": "UAH", "￥": "JPY", "＄": "USD",
}
_DOLLAR_PREFIXES = {
    "US": "USD", "CA": "CAD", "C": "CAD", "CAN": "CAD", "A": "AUD", "AU": "AUD", "NZ": "NZD", "S": "SGD",
    "SG": "SGD", "HK": "HKD", "R": "BRL", "MX": "MXN", "NT": "TWD",
}
_YEN_PREFIXES = {"CN": "CNY", "JP": "JPY", "RMB": "CNY"}
_WORD_CURRENCIES = {
    "dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP", "rupees": "INR",
    "yen": "JPY", "rs": "INR", "rs.": "INR", "rp": "IDR", "zł": "PLN", "zl": "PLN", "kr": "SEK", "kr.": "DKK",
    "kč": "CZK", "lei": "RON", "sfr": "CHF", "chf.": "CHF", "php": "PHP", "sfr.": "CHF",
}

# Units of each currency per US dollar, rounded: only used to judge magnitudes (is 55 an hourly rate?).
_SCALE: dict[str, float] = {
    "USD": 1, "EUR": 0.92, "GBP": 0.79, "CHF": 0.88, "CAD": 1.36, "AUD": 1.52, "NZD": 1.65, "SGD": 1.34,
    "HKD": 7.8, "INR": 83, "JPY": 150, "CNY": 7.2, "KRW": 1330, "SEK": 10.5, "NOK": 10.6, "DKK": 6.9,
    "ISK": 138, "PLN": 4.0, "CZK": 23, "HUF": 360, "RON": 4.6, "BGN": 1.8, "HRK": 7, "BRL": 5.0, "MXN": 17,
    "ARS": 900, "COP": 4000, "CLP": 900, "PEN": 3.7, "UYU": 39, "ZAR": 18.5, "ILS": 3.7, "AED": 3.67,
    "SAR": 3.75, "QAR": 3.64, "KWD": 0.31, "BHD": 0.38, "OMR": 0.38, "TRY": 32, "RUB": 92, "UAH": 40,
    "NGN": 1500, "KES": 130, "GHS": 15, "EGP": 48, "MAD": 10, "PKR": 280, "BDT": 110, "LKR": 300,
    "NPR": 133, "PHP": 56, "IDR": 15700, "MYR": 4.7, "THB": 36, "VND": 24500, "TWD": 32,
}
# Where monthly pay is the norm and annual figures are small in dollar terms, the smallest
# figure that can only be a year's pay, in local units.
_YEAR_MIN_LOCAL: dict[str, float] = {
    "INR": 200_000, "PKR": 1_500_000, "BDT": 600_000, "LKR": 1_500_000, "NPR": 600_000, "PHP": 500_000,
    "IDR": 100_000_000, "VND": 200_000_000, "NGN": 3_000_000, "KES": 1_000_000, "EGP": 200_000,
    "UAH": 300_000, "GHS": 60_000, "MAD": 100_000,
}

# --- scanning regexes (all bounded) --------------------------------------------------------------

# Starts with a digit class so the engine can skip non-digits quickly; the lookbehind then makes sure the
# digit begins a number. Every repetition is bounded.
_NUMBER = re.compile(
    r"(?P<int>[0-9](?<![0-9][0-9])(?:"
    r"[0-9]?(?:,[0-9]{2}){1,3},[0-9]{3}(?![0-9])"  # lakh grouping: 12,00,000
    r"|[0-9]{0,2}(?P<sep>[,.'’ ])[0-9]{3}(?:(?P=sep)[0-9]{3}){0,3}(?![0-9%])"  # 120,000 / 70.000 / 120'000
    r"|[0-9]{0,8}(?![0-9])"
    r"))"
    r"(?:[.,](?P<dec>[0-9]{1,2})(?![0-9]))?"
)
# The same pattern for the text with every digit written "0" (`_digit_shape`): it then starts with a literal,
# which the regex engine finds far faster than a character class; spans are the same, groups read "0"s.
_NUMBER_SHAPE = re.compile(_NUMBER.pattern.replace("[0-9]", "0"))
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _digit_shape(text: str) -> str:
    """`text` with every ASCII digit written "0" (UTF-8 multi-byte sequences hold no ASCII bytes)."""
    return text.encode("utf-8", "surrogatepass").translate(_DIGITS_TO_ZERO).decode("utf-8", "surrogatepass")


_MULT = re.compile(
    r"(?P<sp> ?)(?P<m>k|mm|m|thousand|million|mil|mio\.?|tsd\.?|lakhs?|lacs?|lpa|l|crores?|cr|万)(?![a-z])",
    re.I,
)
_MULT_FIRST = frozenset("kKmMtTlLcC\u212a万")  # what a multiplier can start with (re.I: the Kelvin sign is a k)
_MULT_VALUES = {
    "k": 1e3, "thousand": 1e3, "tsd": 1e3, "tsd.": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "mil": 1e6,
    "mio": 1e6, "mio.": 1e6, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "lpa": 1e5, "l": 1e5,
    "crore": 1e7, "crores": 1e7, "cr": 1e7, "万": 1e4,  # 万 (man/wan): ten thousand, "¥800万"
}
_LOWER_CODES = ("usd", "eur", "gbp", "cad", "aud", "inr", "chf", "sgd", "nzd", "sek", "nok", "dkk", "pln", "rmb", "jpy", "cny")
_CODE_ALT = (
    "(?-i:" + "|".join(sorted(CURRENCY_CODES | set(_CODE_ALIASES), key=len, reverse=True)) + ")"
    "|" + "|".join(_LOWER_CODES)  # these in any case
)
_PREFIX = re.compile(
    r"(?:"
    r"(?<![a-z])(?P<dp>(?-i:US|CAN|CA|C|AU|A|NZ|SG|S|HK|R|MX|NT))\$"
    r"|(?<![a-z])(?P<yp>(?-i:CN|JP|RMB))\s?[¥￥]"
    r"|(?P<sym>[$£€₹¥₩₪₱₦₺₽₫฿₴￥＄])"
    # a code before a symbol names the currency: "CAD $120,000", "AUD$150k", "SGD$8,000"
    rf"|(?<![a-z])(?P<code>{_CODE_ALT}|Rs\.?|Rp|SFr\.?|(?-i:Php))(?![a-z])\.?(?:\s?[$¥￥＄])?"
    r")\s{0,2}\Z",
    re.I,
)
_SUFFIX = re.compile(
    r"\s{0,2}(?:"
    r"(?P<sym>[€£$₹¥₩₪₽₺₴￥])"
    rf"|\(?(?P<code>{_CODE_ALT}|euros?|dollars?|pounds|rupees|yen|zł|zl|kr\.?|kč|lei|chf\.?|sfr\.?)\)?(?![a-zł])"
    r")",
    re.I,
)
_SUFFIX_FIRST = frozenset("€£$₹¥₩₪₽₺₴￥(")  # what `_SUFFIX` can start with past its white space, but letters
_PERIOD_WORDS = {
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour", "hourly": "hour", "ph": "hour",
    "stunde": "hour", "std": "hour", "heure": "hour", "hora": "hour",
    "day": "day", "days": "day", "d": "day", "daily": "day", "pd": "day", "tag": "day", "jour": "day",
    "día": "day", "dia": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week", "w": "week", "weekly": "week", "pw": "week",
    "woche": "week", "semaine": "week", "semana": "week",
    "month": "month", "months": "month", "mo": "month", "mos": "month", "mth": "month", "mths": "month",
    "monthly": "month", "pcm": "month", "pm": "month", "monat": "month", "monatlich": "month", "mois": "month",
    "mensuel": "month", "mes": "month", "mês": "month", "mensual": "month", "mensal": "month",
    "year": "year", "years": "year", "yr": "year", "yrs": "year", "y": "year", "yearly": "year",
    "annum": "year", "anum": "year", "annually": "year", "annual": "year", "a": "year", "pa": "year",
    "jahr": "year", "jährlich": "year", "an": "year", "année": "year", "annuel": "year", "año": "year",
    "ano": "year", "anual": "year", "lpa": "year", "p/a": "year", "p/h": "hour", "p/d": "day", "p/w": "week",
    "p/m": "month",
}
_PERIOD_SLASH = re.compile(
    r"\s{0,2}/\s?(?P<w>hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|mths?|m|years?|yrs?|y|annum|a"
    r"|jahr|monat|stunde|std|tag|woche|an|mois|jour|heure|mes|mês|año|ano|hora|día|dia|semana)\.?(?![a-zäöüéèíóñ])",
    re.I,
)
_PERIOD_PER = re.compile(
    r"\s{0,3}(?:per|an?|each|every|pro|par|por|al|im|le)\s(?P<w>hour|hr|day|week|wk|month|mo|mth|year|yr|annum|anum"
    r"|jahr|monat|stunde|tag|woche|an|mois|jour|heure|mes|mês|año|ano|hora|día|dia|semana)(?![a-zäöüéèíóñ])",
    re.I,
)
_PERIOD_WORD = re.compile(
    r"\s{0,3}(?P<w>hourly|daily|weekly|monthly|yearly|annually|annual|p\.\s?a\.?|p\.h\.?|p\.d\.?|p\.w\.?|p/[ahdwm]|pa|ph|pd|pw"
    r"|pcm|pm|lpa|jährlich|monatlich|mensuel|annuel|mensual|anual|mensal)(?![a-zäöüéèíóñ])",
)
_TAIL_CODE = re.compile(rf"\s{{0,3}}\(?\s?(?P<c>{_CODE_ALT})\s?\)?(?![a-z])", re.I)
_TAIL_FILLER = re.compile(
    r"\s{0,3}(?P<f>gross|brutto|bruto|brut|netto|net|before\stax(?:es)?|pre-tax|base(?:\ssalary|\spay)?|salary"
    r"|basic|fixed|cash|b2b|uop|fte|ote|\((?=[a-z])|\))(?![a-z])",
    re.I,
)
# Letters that match an ASCII letter under re.I besides its two cases (dotted and dotless i, long s, Kelvin sign).
_FOLDS = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}


def _first_letters(words: tuple[str, ...]) -> frozenset[str]:
    """Every character the words can start with under re.I."""
    return frozenset(ch for w in words for ch in (w[0].lower(), w[0].upper(), *_FOLDS.get(w[0].lower(), "")))


# What `_TAIL_CODE` and `_TAIL_FILLER` can start with past their white space (tests check them).
_TAIL_CODE_FIRST = frozenset("(") | {c[0] for c in CURRENCY_CODES | set(_CODE_ALIASES)} | _first_letters(_LOWER_CODES)
_TAIL_FILLER_FIRST = frozenset("()") | _first_letters((
    "gross", "brutto", "bruto", "brut", "netto", "net", "before", "pre-tax", "base", "salary", "basic", "fixed",
    "cash", "b2b", "uop", "fte", "ote",
))
_GAP = re.compile(r"\s{0,3}(?:-{1,2}|~|to|bis|à|a|and|et|und|y|till?|through|thru|–|—)\s{0,3}", re.I)
_UP_TO = re.compile(
    r"(?:up\s?to|max(?:imum)?\.?(?:\sof)?|not\sto\sexceed|as\shigh\sas|bis\szu|jusqu'à|hasta|<|≤)\s{0,2}\Z", re.I
)
_FROM = re.compile(
    r"(?:from|starting\s(?:at|from)|starts\sat|start\sat|min(?:imum)?(?:\sof)?|at\sleast|no\sless\sthan|ab"
    r"|à\spartir\sde|desde|>|≥|over|above|in\sexcess\sof)\s{0,2}\Z",
    re.I,
)
_OPEN_END = re.compile(
    r"(?:\+(?!\s?(?:bonus|equity|benefits|commission|stock|rsu|options))|\s(?:or\smore|and\sup|and\sabove)\b)", re.I
)
_OPEN_END_SECOND = frozenset("oOaA")  # after the white space of `_OPEN_END`'s words
_BETWEEN = re.compile(r"(?:between|entre|zwischen)\s{1,2}\Z", re.I)

# Words around an amount that say it is not base pay.
_NEGATIVE_WORDS = word_set(
    """bonus bonuses relocation relo stipend stipends allowance allowances reimbursement reimbursements
    reimbursed reimburse budget budgets credit credits equity rsu rsus stock stocks shares options funding
    funded fund funds seed series round revenue revenues arr mrr valuation raise raised raising grant grants
    prize prizes award awards referral insurance coverage diem gift gifts donation donations match matching
    learning education tuition wellness wellbeing commission commissions sign-on signing retention severance
    investment investments investors investor customers users sales gmv assets aum loan loans transactions
    spend spending contract deal deals savings cost costs fee fees bounty scholarship voucher vouchers subsidy
    phone internet meal meals lunch commuter transit gym hsa fsa pension retirement contribution contributions
    conference conferences training equipment hardware laptop coworking childcare travel expenses expense
    profit profits income-share company business market valued worth backed capital financing venture
    cheque check payout payouts jackpot deposit deposits premium premiums deductible copay payments
    budgeted annualized-revenue acquired acquisition"""
)
_BEFORE_NEGATIVE = re.compile(
    r"\b(?:bonus(?:es)?|relocation|stipends?|allowances?|reimburse\w*|budgets?|credits?|equity|rsus?|stock|shares"
    r"|options|funding|funded|raised?|raising|secured|series\s[a-f]|seed|valuation|valued|revenue|arr|grants?"
    r"|prizes?|awards?|referral|insurance|coverage|per\sdiem|gifts?|donat\w+|match(?:ing)?|tuition|wellness"
    r"|commissions?|sign(?:ing|-on)|retention|severance|invest\w*|loans?|savings|fees?|bounty|scholarships?"
    r"|subsid\w+|pension|contribut\w+|conferences?|equipment|laptop|childcare|expenses?|profits?|backed"
    r"|capital|financing|worth|acquired|acquisition|customers?|generat\w+|saved|save|spend\w*|budget\w*)\b",
)
_EXCLUSION_CUE = re.compile(
    r"\b(?:exclud\w*|not\sinclud\w*|does\sn[o']t\sinclud\w*|doesn't\sinclud\w*|exclusive\sof|without|other\sthan"
    r"|before|separate\sfrom|on\stop\sof|in\saddition\sto)\b",
)
_POSITIVE = re.compile(
    r"\b(?:salary|salaries|pay|paid|compensation|comp|wages?|rates?|remuneration|base|ranges?|earn|earnings"
    r"|hourly|annual|annually|yearly|monthly|gehalt|vergütung|jahresgehalt|bruttojahresgehalt|salaire|rémunération"
    r"|sueldo|salario|ctc|package|income|stipendio|retribución|lön|løn|lønn|palkka|loon|salário|pay\sband"
    r"|paybands?|ote|tc)\b",
)
_TOTAL = re.compile(
    r"\b(?:total\s(?:target\s)?(?:comp\w*|cash|rewards?|package|pay|remuneration|earnings)|ote|on[-\s]target"
    r"|target\searnings|ttc|tc|total\starget|with\scommission|incl(?:uding|\.)?\s(?:bonus|commission))\b",
)
_BOUNDARY = re.compile(r"(?<![A-Z0-9])[.!?;](?=\s)|\n|•|\|")
_UPPER_DIGITS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # [A-Z0-9] of `_BOUNDARY`'s look-behind
_NOT_PAY_MARKERS = re.compile(r"4(?<![0-9A-Za-z]4)(?:01|03|57)\s?\(?\s?[kKbB]\s?\)?")
_ODD_SPACES = ("\t", "\r", "\f", "\v", "\u00a0", "\u2009", "\u202f", "\u200a", "\u2007", "\u3000")
_DASH_CHARS = ("–", "—", "‒", "−", "－", "―", "‐", "‑")
_SPACE_RUN = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_RARE_SPACES = ("\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2008", "\u200b", "\u205f")
_SPACES = re.compile(r"  +")  # _SPACE_RUN where the text has no odd or rare spaces: a literal prefix, much faster
# Whether a text holds these strings: a regex search with a literal prefix is faster than `in` for them.
_TWO_SPACES = re.compile("  ")
_PLAN_NUMBERS = re.compile("4(?:01|03|57)")  # what `_NOT_PAY_MARKERS` starts with
_SEPARATORS = str.maketrans("", "", ",.'’ ")
_WORD = re.compile(r"[a-zà-ÿ0-9][a-zà-ÿ0-9'-]*", re.I)
_AFTER_CUT = re.compile(r"[.;\n+,(•·|/]|\s(?:plus|and|with|&|or|including|incl|\+)\s")
_SKIP_AFTER = word_set(
    "in of worth per a an the annual annually yearly year month monthly one-time onetime one time total "
    "additional extra target up to usd eur gbp cash potential generous"
)


# --- amounts ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Amount:
    start: int  # including a currency prefix
    end: int  # after multiplier, currency suffix and an attached period
    num_start: int
    value: float
    mult: float | None
    currency: str | None
    code_currency: bool  # currency given by an ISO code (beats a bare symbol)
    period: str | None
    open_end: bool  # "$100k+", "or more"
    lakh_annual: bool = False  # "LPA": lakh per annum (INR), always pay


@dataclass(slots=True)
class _Band:
    low: _Amount
    high: _Amount | None
    min: float | None
    max: float | None
    currency: str | None
    period: str | None
    period_explicit: bool
    start: int
    end: int
    positive: bool = False
    negative: bool = False
    total: bool = False
    million: bool = False


def _next_char(text: str, pos: int) -> str:
    """The first character at `pos` past at most 3 white space characters ("" when there is none).

    Every pattern read after an amount starts with at most 3 white space characters and then a letter or
    one of a few signs; looking at this character first skips the regexes for most numbers in prose.
    """
    return text[pos : pos + 4].lstrip()[:1]


# The period patterns that can match, by the first character past their leading white space: "/" starts only
# `_PERIOD_SLASH`; `_PERIOD_PER`'s words (re.I) and `_PERIOD_WORD`'s (case-sensitive) start with these letters.
_PERIOD_PER_FIRST = frozenset("pPaAeEiIlL\u0130\u0131")
_PERIOD_WORD_FIRST = frozenset("hdwmyaplj")
_PERIOD_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    ch: tuple(regex for regex, firsts in ((_PERIOD_PER, _PERIOD_PER_FIRST), (_PERIOD_WORD, _PERIOD_WORD_FIRST))
              if ch in firsts)
    for ch in _PERIOD_PER_FIRST | _PERIOD_WORD_FIRST
}
_PERIOD_PATTERNS["/"] = (_PERIOD_SLASH,)


def _period_at(text: str, pos: int) -> tuple[str | None, int]:
    regexes = _PERIOD_PATTERNS.get(_next_char(text, pos))
    if regexes is None:
        return None, pos  # no period starts with this character
    for regex in regexes:
        m = regex.match(text, pos)
        if m:
            word = m.group("w").lower().replace(" ", "").rstrip(".")
            word = word.replace(".", "")
            period = _PERIOD_WORDS.get(word)
            if period:
                return period, m.end()
    return None, pos


_PREFIX_SYMBOLS = frozenset("$£€₹¥₩₪₱₦₺₽₫฿₴￥＄")
# what [a-z] matches under re.I: a currency code is a run of 1-3 of these (USD, Rs., SFr, the C of C$, ...)
_CODE_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\u017f\u212a\u0130\u0131")
# The codes of `_PREFIX`'s code branch (without the dots it allows after them), and what runs of 1-3 code letters
# met before numbers are (kept like `_PREFIX_MEMO`).
_CODE_WORD = re.compile(rf"(?:{_CODE_ALT}|Rs|Rp|SFr|(?-i:Php))", re.I)
_CODE_RUNS: dict[str, bool] = {}


def _prefix_before(text: str, start: int) -> re.Match[str] | None:
    """`_PREFIX` ending at `start` (within 8 characters); skips the regex when the characters there rule it out."""
    lo = max(0, start - 8)
    end = start
    while end > lo and start - end < 2 and text[end - 1].isspace():
        end -= 1
    if end == lo or text[end - 1].isspace():
        return None  # nothing before, or more white space than the pattern allows
    if text[end - 1] not in _PREFIX_SYMBOLS:
        while end > lo and start - end < 4 and text[end - 1] == ".":
            end -= 1
        run = 0
        while run < 4 and end - run > 0 and text[end - run - 1] in _CODE_LETTERS:
            run += 1
        if not 1 <= run <= 3:
            return None
        # `_PREFIX` cannot match there unless that run of letters is a currency code ("in 2019", "of 40")
        word = text[end - run : end]
        is_code = _CODE_RUNS.get(word)
        if is_code is None:
            if len(_CODE_RUNS) >= _PREFIX_MEMO_MAX:
                _CODE_RUNS.clear()
            is_code = _CODE_RUNS[word] = _CODE_WORD.fullmatch(word) is not None
        if not is_code:
            return None
    elif end == 1 or not (text[end - 2] in _CODE_LETTERS or text[end - 2] == "." or text[end - 2].isspace()):
        # a symbol after no code letter, dot or white space: only the bare symbol can match, and from there
        return _PREFIX.match(text, end - 1, start)
    return _PREFIX.search(text, lo, start)


# `_prefix_before` reads at most the 9 characters before the number (8 it may match, and one its look-behinds see),
# so what it finds is kept by those characters: the same few contexts ("is $", "from ", "in ") come back often.
_PREFIX_KEY_CHARS = 9
_PREFIX_MEMO: dict[str, tuple[str | None, bool, int] | None] = {}
_PREFIX_MEMO_MAX = 20_000


def _prefix_reading(text: str, start: int) -> tuple[str | None, bool, int] | None:
    """(currency, given by a code, length) of the currency prefix ending at `start`, or None."""
    key = text[max(0, start - _PREFIX_KEY_CHARS) : start]  # shorter only at the start of the text
    try:
        return _PREFIX_MEMO[key]
    except KeyError:
        pass
    pm = _prefix_before(text, start)
    reading = None if pm is None else (*_currency_from_prefix(pm), start - pm.start())
    if len(_PREFIX_MEMO) >= _PREFIX_MEMO_MAX:
        _PREFIX_MEMO.clear()
    _PREFIX_MEMO[key] = reading
    return reading


def _currency_from_prefix(m: re.Match[str]) -> tuple[str | None, bool]:
    if m.group("dp"):
        return _DOLLAR_PREFIXES.get(m.group("dp").upper(), "USD"), True
    if m.group("yp"):
        return _YEN_PREFIXES.get(m.group("yp").upper(), "JPY"), True
    if m.group("sym"):
        return _SYMBOLS.get(m.group("sym")), False
    code = m.group("code")
    if code:
        up = code.upper().rstrip(".")
        if up in CURRENCY_CODES:
            return up, True
        if up in _CODE_ALIASES:
            return _CODE_ALIASES[up], True
        return _WORD_CURRENCIES.get(code.lower()) or _WORD_CURRENCIES.get(code.lower().rstrip(".")), True
    return None, False


def _currency_from_suffix(m: re.Match[str]) -> tuple[str | None, bool]:
    if m.group("sym"):
        return _SYMBOLS.get(m.group("sym")), False
    code = m.group("code")
    up = code.upper()
    if up in CURRENCY_CODES:
        return up, True
    if up in _CODE_ALIASES:
        return _CODE_ALIASES[up], True
    return _WORD_CURRENCIES.get(code.lower()), True


# No two numbers further apart than this can form one band: what an amount reads after its number (multiplier,
# currency suffix, "or more", period: at most 45 characters), the gap (12) and the next amount's currency prefix
# (8) all lie between them. tests/normalize/test_normalize_fastpaths.py checks the sum against the patterns.
_PAIR_REACH = 80
_POSITIVE_REACH = 40  # how far before a currency-less figure `_scan` looks for a pay word in free text


def _amounts(text: str, free_text: bool = False) -> list[_Amount]:
    """The amounts in `text`, in order. free_text: leave out the figures `_scan` would skip in free text (no
    currency, no pay word just before, no other number within reach) before reading anything more about them."""
    found: list[_Amount] = []
    counted = 0  # the cap counts every amount of the text, those left out too
    numbers = _NUMBER_SHAPE.finditer(_digit_shape(text))  # what _NUMBER.finditer(text) finds, faster
    following = next(numbers, None)
    prev_end = -_PAIR_REACH - 1
    while following is not None and counted < MAX_AMOUNTS:
        m, following = following, next(numbers, None)
        num_start, num_end = m.span()
        alone = (
            free_text
            and num_start - prev_end > _PAIR_REACH
            and (following is None or following.start() - num_end > _PAIR_REACH)
        )
        prev_end = num_end
        start, pos = num_start, num_end
        two = text[pos : pos + 2]
        if two[:1] == "%" or two == " %":
            continue  # a percentage (equity, 401(k) match, bonus target), never an amount
        mult: float | None = None
        lakh_annual = False
        mm = _MULT.match(text, pos) if two.lstrip(" ")[:1] in _MULT_FIRST else None
        if mm:
            word = mm.group("m").lower()
            # "5 m" (metres, months) and "12 l" are not multipliers; "5M", "$50 million", "120 K" are.
            if not (mm.group("sp") and word in ("l", "m", "mm", "cr", "lpa") and word != "lpa"):
                mult = _MULT_VALUES.get(word)
                lakh_annual = word == "lpa"
                pos = mm.end()
        currency: str | None = None
        code_currency = False
        prefix = _prefix_reading(text, start)
        if prefix:
            currency, code_currency, length = prefix
            start -= length
        after = text[pos : pos + 3].lstrip()[:1]  # a suffix starts with a sign, "(" or a letter
        sm = _SUFFIX.match(text, pos) if after in _SUFFIX_FIRST or after.isalpha() else None
        if sm:
            suffix_currency, suffix_is_code = _currency_from_suffix(sm)
            if suffix_currency:
                if currency is None or (suffix_is_code and not code_currency):
                    currency, code_currency = suffix_currency, suffix_is_code
                pos = sm.end()
        if lakh_annual and currency is None:
            currency = "INR"
        counted += 1
        if (
            alone
            and currency is None
            and not _POSITIVE.search(text[max(0, start - _POSITIVE_REACH) : start].lower())
        ):
            continue  # "4,000 customers", "founded in 2019": `_scan` skips such a figure in free text
        int_start, int_end = m.span("int")  # the digits are read from `text`: the match has "0"s
        value = float(text[int_start:int_end].translate(_SEPARATORS))  # [0-9] and separators: digits are left
        dec_start, dec_end = m.span("dec")
        if dec_start >= 0:
            value += float(text[dec_start:dec_end]) / (10 ** (dec_end - dec_start))
        open_end = False
        first = text[pos : pos + 1]  # "+", or white space then "or more" / "and up" / "and above"
        om = (
            _OPEN_END.match(text, pos)
            if first == "+" or (first.isspace() and text[pos + 1 : pos + 2] in _OPEN_END_SECOND)
            else None
        )
        if om:
            open_end = True
            pos = om.end()
        period, pos = _period_at(text, pos)
        if lakh_annual:
            period = "year"
        found.append(
            _Amount(start, pos, num_start, value, mult, currency, code_currency, period, open_end, lakh_annual)
        )
    return found


# --- bands ---------------------------------------------------------------------------------------------


def _scale(currency: str | None) -> float:
    return _SCALE.get(currency or "USD", 1.0)


def _infer_period(values: list[float], currency: str | None) -> str | None:
    """Hour or year from magnitude alone, only where no other period is plausible."""
    if not values:
        return None
    scale = _scale(currency)
    if all(7 * scale <= v <= 200 * scale for v in values):
        return "hour"
    year_min = _YEAR_MIN_LOCAL.get(currency or "", 15_000 * scale)
    if all(year_min <= v <= 2_000_000 * scale for v in values):
        return "year"
    return None


def _plausible(band: _Band) -> bool:
    values = [v for v in (band.min, band.max) if v is not None]
    if not values:
        return False
    scale = _scale(band.currency)
    if band.period is None:
        return all(1 <= v / scale <= 3_000_000 for v in values)
    annual = [v * ANNUAL_FACTOR[band.period] / scale for v in values]
    if band.period == "hour" and any(v / scale > 2_000 for v in values):
        return False
    return all(1_000 <= a <= 3_000_000 for a in annual)


def _apply_mult(a: _Amount, mult: float | None) -> float:
    return a.value * mult if mult else a.value


def _make_band(text: str, low: _Amount, high: _Amount | None) -> _Band:
    m_low, m_high = low.mult, high.mult if high else None
    if high is not None and (m_low is None) != (m_high is None):
        # "$150 - 210K", "75k-110": the multiplier written once applies to both ends.
        shared = m_low or m_high
        lo, hi = low.value, high.value
        if shared and lo <= hi and (hi <= 10 * lo):
            m_low = m_high = shared
    vmin = _apply_mult(low, m_low)
    vmax = _apply_mult(high, m_high) if high else vmin
    if vmax < vmin:
        vmin, vmax = vmax, vmin
    currency = low.currency
    code = low.code_currency
    if high is not None and high.currency and (currency is None or (high.code_currency and not code)):
        currency = high.currency
    period = low.period or (high.period if high else None)
    end = high.end if high else low.end
    return _Band(
        low=low, high=high, min=round(vmin, 2), max=round(vmax, 2), currency=currency, period=period,
        period_explicit=period is not None, start=low.start, end=end,
        million=bool((m_low and m_low >= 1e6) or (m_high and m_high >= 1e6)),
    )


def _tail(text: str, band: _Band) -> int:
    """Consume currency codes, period words and fillers written after the band; read the period."""
    pos = band.end
    for _ in range(6):
        nxt = _next_char(text, pos)
        if nxt not in ("(", ")", "/") and not nxt.isalpha():
            break  # codes, periods and fillers start with a letter, a parenthesis or "/"
        m = _TAIL_CODE.match(text, pos) if nxt in _TAIL_CODE_FIRST else None
        if m:
            code = m.group("c").upper()
            code = _CODE_ALIASES.get(code, code)
            if code in CURRENCY_CODES:
                band.currency = code
            pos = m.end()
            continue
        period, new_pos = _period_at(text, pos)
        if period:
            if band.period is None:
                band.period = period
                band.period_explicit = True
            pos = new_pos
            continue
        m = _TAIL_FILLER.match(text, pos) if nxt in _TAIL_FILLER_FIRST else None
        if m:
            word = m.group("f").lower()
            if word.startswith(("base", "salary", "basic", "fixed")):
                band.positive = True
            if word == "ote":
                band.total = True
            pos = m.end()
            continue
        break
    return pos


def _window_before(text: str, start: int, limit: int = 90) -> str:
    """The `limit` characters before `start`, from the end of the last `_BOUNDARY` in them."""
    window = text[max(0, start - limit) : start]
    # every boundary is one character: find the last one with string searches rather than the regex
    cut = max(window.rfind("\n"), window.rfind("•"), window.rfind("|")) + 1
    last = len(window) - 1
    for mark in ".!?;":
        at = window.rfind(mark, cut)
        while at >= cut:  # a sentence end (not "U.S." nor "3.5"), followed by white space
            if at < last and window[at + 1].isspace() and (at == 0 or window[at - 1] not in _UPPER_DIGITS):
                cut = at + 1
                break
            at = window.rfind(mark, cut, at)
    return window[cut:]


def _context(text: str, band: _Band, tail_end: int) -> None:
    """Mark the band positive (pay words), negative (bonus, funding, ...) or total (OTE)."""
    # after: the words right after the band, up to a clause break
    after = text[tail_end : tail_end + 48].lower()
    cut = _AFTER_CUT.search(after)
    if cut:
        after = after[: cut.start()]
    words = _WORD.findall(after)[:5]  # of lower-cased text (lower-casing twice changes nothing)
    checked = 0
    for w in words:
        if w in _NEGATIVE_WORDS:
            band.negative = True
            break
        if w in _SKIP_AFTER:
            continue
        checked += 1
        if checked >= 3:
            break
    if band.negative:
        return  # a negative band is dropped whatever else is said around it
    if any(w in ("salary", "base", "pay", "wage", "wages", "compensation", "rate") for w in words[:3]):
        band.positive = True
    if any(w in ("ote", "total") for w in words[:2]):
        band.total = True

    before = _window_before(text, band.start).lower()
    last_neg = -1
    for m in _BEFORE_NEGATIVE.finditer(before):
        cue = _EXCLUSION_CUE.search(before, max(0, m.start() - 40), m.start())
        if cue is None:
            last_neg = m.end()
    last_pos = -1
    for m in _POSITIVE.finditer(before):
        last_pos = m.end()
    if last_pos >= 0:
        band.positive = True
    lakh = band.low.lakh_annual or (band.high is not None and band.high.lakh_annual)
    if last_neg > last_pos and not lakh:  # "Budget: 20-30 LPA" is a salary budget
        band.negative = True
    last_total = -1
    for m in _TOTAL.finditer(before):
        last_total = m.end()
    if last_total >= 0:
        base_after = re.search(r"\bbase\b", before[last_total:])
        if base_after is None:
            band.total = True


def _open_ended(text: str, band: _Band) -> None:
    """Apply "up to" / "from" / "+" readings to a single figure."""
    before = text[max(0, band.start - 24) : band.start]
    if _UP_TO.search(before):
        band.min = None
    elif _FROM.search(before) or band.low.open_end:
        band.max = None


def _clean(text: str, tidy: bool = False) -> str:
    """Dashes to "-", retirement-plan numbers to a word, white space runs to one space.

    tidy: the text is html_to_text output, which holds no white space but single spaces and line breaks; only
    the retirement-plan word can then make a double space."""
    marked = 0
    if text.isascii():  # no dash to replace, and only the ASCII odd spaces to look for
        if _PLAN_NUMBERS.search(text):
            text, marked = _NOT_PAY_MARKERS.subn(" retirement-plan ", text)
        if not tidy and ("\t" in text or "\r" in text or "\f" in text or "\v" in text):
            return _SPACE_RUN.sub(" ", text)
        return _SPACES.sub(" ", text) if (marked or not tidy) and _TWO_SPACES.search(text) else text
    for dash in _DASH_CHARS:
        if dash in text:
            text = text.replace(dash, "-")
    if _PLAN_NUMBERS.search(text):
        text, marked = _NOT_PAY_MARKERS.subn(" retirement-plan ", text)
    if not tidy and any(ch in text for ch in _ODD_SPACES):
        text = _SPACE_RUN.sub(" ", text)
    elif (marked or not tidy) and _TWO_SPACES.search(text):
        plain = text.isascii() or not any(ch in text for ch in _RARE_SPACES)
        text = (_SPACES if plain else _SPACE_RUN).sub(" ", text)
    return text


def _scan(text: str, free_text: bool = False) -> list[tuple[_Band, str]]:
    """Bands in `text`, but negative ones (bonus, funding, ...). free_text: skip currency-less figures without
    a pay word just before (cheaply)."""
    amounts = _amounts(text, free_text)
    bands: list[tuple[_Band, str]] = []
    i = 0
    while i < len(amounts):
        low = amounts[i]
        high: _Amount | None = None
        if i + 1 < len(amounts):
            nxt = amounts[i + 1]
            gap = text[low.end : nxt.start]
            if len(gap) <= 12 and _GAP.fullmatch(gap):
                word = gap.strip().lower()
                ok = True
                if word in ("and", "et", "und", "y"):
                    ok = bool(_BETWEEN.search(text, max(0, low.start - 12), low.start))
                elif word == "a":
                    ok = low.currency is not None and nxt.currency is not None
                same_currency = low.currency is None or nxt.currency is None or low.currency == nxt.currency
                # "$130,000 - $160,000 CAD": a bare symbol on one end, a code on the other
                compatible = same_currency or not (low.code_currency and nxt.code_currency)
                if ok and compatible:
                    high = nxt
        if (
            free_text
            and low.currency is None
            and (high is None or high.currency is None)
            and not _POSITIVE.search(text[max(0, low.start - _POSITIVE_REACH) : low.start].lower())
        ):
            i += 2 if high is not None else 1
            continue  # "4,000 customers", "founded in 2019": no currency, no pay word
        band = _make_band(text, low, high)
        tail_end = _tail(text, band)
        _context(text, band, tail_end)
        if band.negative:  # never pay: both callers drop it
            i += 2 if high is not None else 1
            continue
        if high is None:
            _open_ended(text, band)
        if band.period is None:
            band.period = _period_before(text, band.start)
            band.period_explicit = band.period is not None
        if band.period is None:
            values = [v for v in (band.min, band.max) if v is not None]
            band.period = _infer_period(values, band.currency)
        bands.append((band, text[band.start : tail_end].strip()))
        i += 2 if high is not None else 1
    return bands


_PERIOD_BEFORE = re.compile(
    r"\b(?:(?P<hour>hourly|per\shour|an\shour|hour(?:ly)?\srate|stundenlohn|stundensatz)"
    r"|(?P<day>daily|per\sday|day\srate|daily\srate|tagessatz|tjm)"
    r"|(?P<week>weekly|per\sweek)"
    r"|(?P<month>monthly|per\smonth|a\smonth|monatsgehalt|mensuel)"
    r"|(?P<year>annual(?:ly|ized)?|yearly|per\syear|per\sannum|a\syear|jahresgehalt|bruttojahresgehalt|annuel|anual|ctc))\b",
)


def _period_before(text: str, start: int) -> str | None:
    before = _window_before(text, start, 70).lower()
    found: str | None = None
    for m in _PERIOD_BEFORE.finditer(before):
        found = m.lastgroup
    return found


# Currencies whose ordinary salaries run into the millions ("¥8M", "₩60,000,000").
_MILLION_CURRENCIES = frozenset({"JPY", "KRW", "INR", "IDR", "VND", "HUF", "CLP", "COP", "NGN", "PKR", "LKR", "ISK"})


def _million_pay(band: _Band) -> bool:
    """In a dedicated pay string, is a million-scale figure still pay ("$1.2M - $1.5M", "¥6M - ¥9M")?

    A range with a currency reads as pay unless a funding/bonus word says otherwise (checked by the caller);
    a single figure only in a currency whose salaries are counted in millions."""
    if band.currency is None:
        return False
    return band.high is not None or band.currency in _MILLION_CURRENCIES


def _to_payband(band: _Band, snippet: str, default_currency: str | None = None) -> PayBand:
    return PayBand(
        min=band.min, max=band.max, currency=band.currency or default_currency, period=band.period, text=snippet
    )


def _envelope(bands: list[PayBand]) -> PayBand | None:
    """One band spanning the lowest min to the highest max of bands in the first band's currency/period."""
    if not bands:
        return None
    first = bands[0]
    same = [b for b in bands if b.currency == first.currency and b.period == first.period]
    mins = [b.min for b in same if b.min is not None]
    maxs = [b.max for b in same if b.max is not None]
    low = min(mins) if mins else None
    high = max(maxs) if maxs else None
    if low is not None and high is not None and high < low:
        high = low
    texts = " / ".join(dict.fromkeys(b.text for b in same if b.text))
    return PayBand(min=low, max=high, currency=first.currency, period=first.period, text=texts)


def _finite(band: PayBand) -> bool:
    return all(v is None or math.isfinite(v) for v in (band.min, band.max))


# --- public API --------------------------------------------------------------------------------------


def parse_pay_all(text: str, *, default_currency: str | None = None) -> list[PayBand]:
    """Every pay band in a dedicated pay string (bonus, equity and other money left out)."""
    if not isinstance(text, str) or not text:
        return []
    cleaned = _clean(text[:MAX_PAY_TEXT_CHARS])
    out: list[PayBand] = []
    primary: list[PayBand] = []
    totals: list[PayBand] = []
    for band, snippet in _scan(cleaned):
        if band.negative or (band.million and not band.positive and not _million_pay(band)):
            continue
        if band.currency is None:
            # bare numbers: not years ("2024"), not small counts unless a period or a pay word says so
            top = max(v for v in (band.min, band.max, 0.0) if v is not None)
            if band.high is None and band.low.mult is None and 1900 <= top <= 2100 and not band.period_explicit:
                continue
            if top < 1000 and not (band.period_explicit or band.positive):
                continue
        if not _plausible(band):
            continue
        pb = _to_payband(band, snippet, default_currency)
        if not _finite(pb):
            continue
        out.append(pb)
        (totals if band.total else primary).append(pb)
    return primary or totals


def parse_pay(text: str, *, default_currency: str | None = None) -> PayBand | None:
    """Parse a pay display string (`$120K/yr - $150K/yr`, `£450 per day`, ...) into a PayBand, or None."""
    try:
        return _envelope(parse_pay_all(text, default_currency=default_currency))
    except (ValueError, OverflowError, IndexError):  # pragma: no cover - defensive: never raise on text
        return None


def find_pay_all(description: str) -> list[PayBand]:
    """Every base-pay band stated in a free-text description, in order of appearance."""
    if not isinstance(description, str) or not description:
        return []
    try:
        return _find_all(description)
    except (ValueError, OverflowError, IndexError):  # pragma: no cover - defensive
        return []


def _find_all(description: str, tidy: bool = False) -> list[PayBand]:
    text = _clean(description[:MAX_DESCRIPTION_CHARS], tidy)
    primary: list[PayBand] = []
    totals: list[PayBand] = []
    for band, snippet in _scan(text, free_text=True):
        if band.negative:
            continue
        if band.million and not band.positive:
            continue
        single = band.high is None
        if band.currency is None:
            # Currency-less figures only right after a pay word, and never bare years or small counts.
            if not band.positive or (band.low.mult is None and band.low.value < 1000 and not band.period_explicit):
                continue
            if band.low.mult is None and 1900 <= band.low.value <= 2100 and "," not in snippet:
                continue
        if single and not band.positive and not (band.period_explicit and band.period == "hour"):
            continue
        if band.period is None and not band.positive:
            continue
        if not _plausible(band):
            continue
        pb = _to_payband(band, snippet)
        if not _finite(pb):
            continue
        (totals if band.total else primary).append(pb)
    return primary or totals


def find_pay(description: str) -> PayBand | None:
    """The base pay stated in a description: the envelope of its ranges in one currency and period."""
    return _envelope(find_pay_all(description))


def find_pay_in_text(text: str) -> PayBand | None:
    """`find_pay` for html_to_text output (no white space but single spaces and line breaks): one step less."""
    if not text:
        return None
    try:
        return _envelope(_find_all(text, tidy=True))
    except (ValueError, OverflowError, IndexError):  # pragma: no cover - defensive
        return None
