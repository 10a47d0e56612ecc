"""The working calendar of one commune: the law's holidays plus the days its administrator added."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from flask import g

from domain.calendar import WorkCalendar
from extensions import db
from models import CalendarDay


def work_calendar(unit_code: int) -> WorkCalendar:
    """The unit's calendar, read once per request (or app context) and kept for its length.

    The rows are few and read in one query on the primary key; keeping them only for the
    request means a change made on one node is seen by the next request on every other.
    """
    known: dict[int, WorkCalendar] = g.setdefault("work_calendars", {})
    calendar = known.get(unit_code)
    if calendar is None:
        rows = db.session.execute(
            sa.select(CalendarDay.day, CalendarDay.working).where(
                CalendarDay.unit_code == unit_code
            )
        ).all()
        calendar = known[unit_code] = WorkCalendar(
            extra_days_off=[day for day, working in rows if not working],
            extra_working_days=[day for day, working in rows if working],
        )
    return calendar


def forget_calendars() -> None:
    """Drop the calendars read so far: a day was added or removed in this request."""
    g.pop("work_calendars", None)


def weekday_days_off(unit_code: int, year: int, language: str) -> list[tuple[date, str | None]]:
    """The days from Monday to Friday of the year the unit does not work, and why."""
    calendar = work_calendar(unit_code)
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range(366))
    return [
        (day, calendar.day_off_reason(day, language))
        for day in days
        if day.year == year and day.weekday() < 5 and not calendar.is_working_day(day)
    ]
