"""Normalization: pure functions turning raw posting text into taxonomy values.

Public API (see ../shared/taxonomy.md for the values):

- `classify_title(title) -> TitleInfo`            role family and seniority
- `parse_pay(text, default_currency=None)`        a pay display string -> PayBand | None
- `find_pay(description)` / `find_pay_all(...)`   base pay stated in a free-text description
- `extract_skills(text) -> set[str]`              canonical skill ids
- `parse_location(text) -> Location`              city, region, country (ISO-2), workplace
- `normalize_posting(raw) -> Posting`             all of the above for one `tracker.raw.RawPosting`

Nothing here does I/O beyond reading the package's own data tables, lazily and once.
"""

from tracker.normalize.locations import Location, parse_location
from tracker.normalize.pay import PayBand, find_pay, find_pay_all, parse_pay
from tracker.normalize.posting import Posting, normalize_posting
from tracker.normalize.skills import extract_skills
from tracker.normalize.titles import TitleInfo, classify_title

__all__ = [
    "Location",
    "PayBand",
    "Posting",
    "TitleInfo",
    "classify_title",
    "extract_skills",
    "find_pay",
    "find_pay_all",
    "normalize_posting",
    "parse_location",
    "parse_pay",
]
