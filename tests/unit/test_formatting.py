"""Money, dates and opening hours, written the Vietnamese way."""

from __future__ import annotations

from datetime import date

from domain.formatting import day
from domain.formatting import money
from domain.formatting import parse_hours


def test_money_groups_thousands_with_dots() -> None:
    assert money(20000) == "20.000 đ"
    assert money(0) == "0 đ"
    assert money(1250000) == "1.250.000 đ"


def test_day_is_dd_mm_yyyy() -> None:
    assert day(date(2026, 4, 5)) == "05/04/2026"
    assert day(None) == ""


def test_hours() -> None:
    assert parse_hours("07:30-11:30, 13:30-17:00") == [("07:30", "11:30"), ("13:30", "17:00")]
    assert parse_hours("nonsense,,") == []
