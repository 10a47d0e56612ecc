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
from domain.calendar import on_time_class
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


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


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
    # Early, on time or late compares local calendar days (domain.calendar.on_time_class),
    # so the rule is read from the rows, not written a second time in SQL.
    for row in db.session.execute(
        sa.select(*keys, Dossier.finished_at, legal_due).where(
            in_units, _between(Dossier.finished_at, start, end), Dossier.due_date.is_not(None)
        )
    ):
        figures = figures_of(row)
        finished_at, due = row[-2], row[-1]
        figures.finished += 1
        kind = on_time_class(local_day(finished_at), due)  # "early", "on_time" or "late"
        setattr(figures, kind, getattr(figures, kind) + 1)

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
    """The same figures over all these units at once, counted apart from the units' own
    (a test holds them equal to the units' sum)."""
    return _figures(unit_codes, start, end, today, by_unit=False)[TOTAL]


def on_time_figures(unit_code: int, start: date, end: date, today: date | None = None) -> Figures:
    """One unit's figures: dossiers received and finished between start and end (local days,
    inclusive); overdue as of today (the end day when not given)."""
    return figures_by_unit([unit_code], start, end, today or end)[unit_code]
