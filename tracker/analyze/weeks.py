"""ISO week labels ('2026-W47') and their bounds as timezone-aware datetimes.

A week runs from Monday 00:00 to the next Monday 00:00 in the report's timezone; bounds are returned
in UTC (daylight-saving changes make some weeks 167 or 169 hours long).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_LABEL_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(label: str) -> tuple[int, int]:
    """The (ISO year, ISO week) of a label like '2026-W47'; ValueError when it is not a valid week."""
    match = _LABEL_RE.match(label.strip())
    if not match:
        raise ValueError(f"not an ISO week like 2026-W47: {label!r}")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{label!r}: {year} has no ISO week {week}") from None
    return year, week


def week_label(year: int, week: int) -> str:
    """The label of an ISO year and week."""
    return f"{year:04d}-W{week:02d}"


def week_monday(label: str) -> date:
    """The Monday of an ISO week."""
    year, week = parse_week(label)
    return date.fromisocalendar(year, week, 1)


def week_bounds(label: str, tz: str = "UTC") -> tuple[datetime, datetime]:
    """[start, end) of a week in a timezone, as UTC datetimes."""
    zone = ZoneInfo(tz)
    monday = week_monday(label)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    nxt = monday + timedelta(days=7)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def shift_week(label: str, weeks: int) -> str:
    """The week `weeks` weeks after (negative: before) a week."""
    iso = (week_monday(label) + timedelta(weeks=weeks)).isocalendar()
    return week_label(iso.year, iso.week)


def week_of(moment: datetime, tz: str = "UTC") -> str:
    """The label of the week containing a timezone-aware moment, in a timezone."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; pass a timezone-aware moment")
    iso = moment.astimezone(ZoneInfo(tz)).isocalendar()
    return week_label(iso.year, iso.week)


def last_complete_week(now: datetime, tz: str = "UTC") -> str:
    """The last ISO week that has fully ended at `now` in a timezone."""
    return shift_week(week_of(now, tz), -1)


def week_range(last: str, count: int) -> list[str]:
    """`count` consecutive weeks ending with `last`, oldest first."""
    return [shift_week(last, -i) for i in range(count - 1, -1, -1)]


def weeks_between(first: str, last: str) -> int:
    """Whole weeks from `first` to `last` (0 when equal, negative when `last` is earlier)."""
    return (week_monday(last) - week_monday(first)).days // 7
