"""ISO week labels and bounds in a timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.analyze.weeks import (
    last_complete_week,
    parse_week,
    shift_week,
    week_bounds,
    week_of,
    week_range,
    weeks_between,
)


def test_week_label_round_trips_through_its_bounds() -> None:
    start, end = week_bounds("2026-W47", "UTC")
    assert start == datetime(2026, 11, 16, tzinfo=UTC)
    assert end - start == timedelta(days=7)
    assert week_of(start, "UTC") == "2026-W47"
    assert week_of(end - timedelta(microseconds=1), "UTC") == "2026-W47"
    assert week_of(end, "UTC") == "2026-W48"


def test_bounds_follow_the_timezone_and_daylight_saving() -> None:
    start, end = week_bounds("2026-W45", "America/New_York")  # DST ends on Sunday 2026-11-01 -> W44
    assert start == datetime(2026, 11, 2, 5, tzinfo=UTC)
    start44, end44 = week_bounds("2026-W44", "America/New_York")
    assert end44 == start
    assert end44 - start44 == timedelta(hours=169)


def test_a_sunday_evening_in_new_york_is_monday_in_utc() -> None:
    moment = datetime(2026, 11, 23, 2, tzinfo=UTC)  # Sunday 21:00 in New York
    assert week_of(moment, "UTC") == "2026-W48"
    assert week_of(moment, "America/New_York") == "2026-W47"


def test_last_complete_week_is_the_week_before_now() -> None:
    assert last_complete_week(datetime(2026, 11, 23, 7, tzinfo=UTC), "UTC") == "2026-W47"
    assert last_complete_week(datetime(2026, 11, 22, 23, tzinfo=UTC), "UTC") == "2026-W46"
    assert last_complete_week(datetime(2027, 1, 4, tzinfo=UTC), "UTC") == "2026-W53"


def test_shifting_crosses_years_with_53_weeks() -> None:
    assert shift_week("2027-W01", -1) == "2026-W53"
    assert shift_week("2026-W53", 1) == "2027-W01"
    assert week_range("2027-W02", 3) == ["2026-W53", "2027-W01", "2027-W02"]
    assert weeks_between("2026-W50", "2027-W02") == 5


@pytest.mark.parametrize("label", ["2026-47", "2026-W7", "2025-W53", "2026-W00", "W47", ""])
def test_invalid_labels_are_refused(label: str) -> None:
    with pytest.raises(ValueError):
        parse_week(label)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        week_of(datetime(2026, 1, 1), "UTC")
