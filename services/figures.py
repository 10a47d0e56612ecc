"""Figures as the national index counts them (QĐ 766/QĐ-TTg), for one unit or many at once.

The commune's page and the province's are both counted by figures_by_unit: each measure is
one query grouped by unit, whatever the number of units (148 in Phú Thọ), never one per unit.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

import sqlalchemy as sa

from domain import workflow
from domain.calendar import LOCAL
from domain.calendar import lateness_class
from domain.channels import Channel
from domain.figures import Figures
from extensions import db
from models import Dossier
from models import DossierRating

__all__ = ["Figures", "figures_by_unit", "on_time_figures", "province_total"]

# The key of all the units together, never a unit's code.
TOTAL = -1


def counted_unit() -> Any:
    """The unit a dossier counts for. For now the one that holds it; once dossiers record
    a receiving and a deciding unit, this line says which the figures follow."""
    return Dossier.unit_code


def days_after(day: Any, moment: Any) -> Any:
    """SQL: calendar days from a date column to the local day of a moment column."""
    if db.session.get_bind().dialect.name == "postgresql":
        # A literal zone, not a parameter: the same expression in SELECT and GROUP BY.
        zone: Any = sa.literal_column(f"'{LOCAL.key}'")
        return sa.cast(sa.func.timezone(zone, moment), sa.Date) - day
    # SQLite keeps moments as UTC text. Việt Nam has kept UTC+7 all year since 1975.
    offset = LOCAL.utcoffset(datetime(2026, 1, 1))
    assert offset is not None
    shift: Any = sa.literal_column(f"'{offset.total_seconds():+.0f} seconds'")
    local = sa.func.julianday(sa.func.date(moment, shift))
    return sa.cast(local - sa.func.julianday(day), sa.Integer)


def _between(column: Any, start: date, end: date) -> Any:
    """Within these local days, inclusive."""
    return column.between(
        datetime.combine(start, time.min, LOCAL), datetime.combine(end, time.max, LOCAL)
    )


def _figures(
    unit_codes: Collection[int], start: date, end: date, today: date, by_unit: bool
) -> dict[int, Figures]:
    """Figures of these units, each (by_unit) or all of them together (under TOTAL)."""
    unit = counted_unit()
    keys = [unit] if by_unit else []
    found = {code: Figures() for code in unit_codes} if by_unit else {TOTAL: Figures()}

    def figures_of(row: Any) -> Figures:
        return found[row[0]] if by_unit else found[TOTAL]

    in_units = unit.in_(list(unit_codes))
    online = sa.func.sum(sa.case((Dossier.channel == Channel.ONLINE, 1), else_=0))
    for row in db.session.execute(
        sa.select(*keys, sa.func.count(), online)
        .select_from(Dossier)
        .where(in_units, _between(Dossier.received_at, start, end))
        .group_by(*keys)
    ):
        figures_of(row).received, figures_of(row).online = row[-2], row[-1] or 0

    # An apology moves due_date to the promised new day, but a dossier that needed one was
    # late (QĐ 766): judge against the due date it had before, kept in original_due_date.
    legal_due = sa.func.coalesce(Dossier.original_due_date, Dossier.due_date)
    # Early, on time or late is domain.calendar.lateness_class of the days between the due
    # day and the local day of the result. The database counts the dossiers of each number
    # of days (a few dozen numbers a unit), so a month of a province's results (160,000 at
    # Phú Thọ's volume) never travels to Python, and the rule is not written again in SQL.
    after_due = days_after(legal_due, Dossier.finished_at)
    for row in db.session.execute(
        sa.select(*keys, after_due, sa.func.count())
        .where(in_units, _between(Dossier.finished_at, start, end), Dossier.due_date.is_not(None))
        .group_by(*keys, after_due)
    ):
        figures = figures_of(row)
        days, count = row[-2], row[-1]
        figures.finished += count
        kind = lateness_class(days)  # "early", "on_time" or "late"
        setattr(figures, kind, getattr(figures, kind) + count)

    for row in db.session.execute(
        sa.select(*keys, DossierRating.value, sa.func.count())
        .join(Dossier, Dossier.id == DossierRating.dossier_id)
        .where(in_units, _between(DossierRating.created_at, start, end))
        .group_by(*keys, DossierRating.value)
    ):
        figures_of(row).ratings[row[-2]] = row[-1]

    # Overdue now: as of today, whatever the period (a past month's dossiers may still run).
    for row in db.session.execute(
        sa.select(*keys, sa.func.count())
        .select_from(Dossier)
        .where(in_units, Dossier.status.in_(workflow.RUNNING), legal_due < today)
        .group_by(*keys)
    ):
        figures_of(row).open_late = row[-1]
    return found


def figures_by_unit(
    unit_codes: Collection[int], start: date, end: date, today: date
) -> dict[int, Figures]:
    """Each unit's figures for dossiers received, finished or rated from start to end."""
    return _figures(unit_codes, start, end, today, by_unit=True)


def province_total(unit_codes: Collection[int], start: date, end: date, today: date) -> Figures:
    """The same figures over all these units at once, counted apart from the units' own.
    The province's page sums its units instead (domain.figures.summed): a test holds the
    two equal, so that a dossier counted for no unit or for two would show."""
    return _figures(unit_codes, start, end, today, by_unit=False)[TOTAL]


def on_time_figures(unit_code: int, start: date, end: date, today: date | None = None) -> Figures:
    """One unit's figures: dossiers received and finished between start and end (local days,
    inclusive); overdue as of today (the end day when not given)."""
    return figures_by_unit([unit_code], start, end, today or end)[unit_code]
