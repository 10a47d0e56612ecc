"""The working calendar: the law's holidays plus the days an administrator added."""

from __future__ import annotations

import sqlalchemy as sa

from domain.calendar import WorkCalendar
from extensions import db
from models import CalendarDay


def work_calendar() -> WorkCalendar:
    """Built from the calendar_days table on each use: a handful of rows, always current."""
    rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.working)).all()
    return WorkCalendar(
        extra_days_off=[day for day, working in rows if not working],
        extra_working_days=[day for day, working in rows if working],
    )
