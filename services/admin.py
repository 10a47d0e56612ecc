"""What an administrator changes in what the unit offers: procedures, days off; each one logged.

Every change is one transaction with its log row: the change is never kept without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from domain import changelog as rules
from domain import formatting
from domain import validators
from domain.calendar import check_override_day
from extensions import db
from models import CalendarDay
from models import Procedure
from models import StaffUser
from models import utcnow
from services import changelog
from services.calendar import forget_calendars
from services.transactions import one_transaction


def log(actor: StaffUser, subject: str, change: str, detail: str = "") -> None:
    """Add the log row of a change to the transaction that makes the change."""
    changelog.record(actor.username, actor.unit_code, subject, change, detail)


# --- Procedures ------------------------------------------------------------------------------


def local_procedures() -> Sequence[Procedure]:
    """The commune procedures the publishing page lists, most used first."""
    return db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.is_local.is_(True), Procedure.has_detail.is_(True))
        .order_by(Procedure.popularity.is_(None), Procedure.popularity, Procedure.name)
    ).all()


def local_procedure(code: str) -> Procedure | None:
    found = db.session.get(Procedure, code)
    return found if found is not None and found.is_local else None


def switch_procedure(actor: StaffUser, proc: Procedure, switch: str, on: bool) -> None:
    """List or hide a procedure (published), open or pause its online form (online_open)."""
    if switch not in rules.PROCEDURE_SWITCHES:
        raise KeyError(switch)
    with one_transaction():
        if getattr(proc, switch) == on:
            return  # a second click on a stale page: nothing changed, nothing to log
        setattr(proc, switch, on)
        # The catalogue's version moves, so every worker's search index and page cache follow.
        proc.updated_at = utcnow()
        log(actor, proc.code, rules.procedure_change(switch, on), proc.name)


# --- Days off --------------------------------------------------------------------------------


def declared_days(unit_code: int) -> Sequence[CalendarDay]:
    """The days off and make-up days the unit added, in date order."""
    return db.session.scalars(
        sa.select(CalendarDay).where(CalendarDay.unit_code == unit_code).order_by(CalendarDay.day)
    ).all()


def set_day(
    actor: StaffUser, day: date | None, working: bool, note: str, today: date
) -> CalendarDay:
    """Mark a day off (or worked) for the actor's unit, or raise Invalid about the day."""
    day = check_override_day(day, today)
    note = validators.collapse(note)[:200]
    with one_transaction():
        row = db.session.get(CalendarDay, (actor.unit_code, day)) or CalendarDay(
            unit_code=actor.unit_code, day=day
        )
        row.working = working
        row.note = note
        row.created_by = actor.username
        db.session.add(row)
        log(actor, formatting.day(day), rules.day_change(working), note)
    forget_calendars()
    return row


def remove_day(actor: StaffUser, day: date) -> None:
    """Take back a day the unit added; the law's holidays are not rows and stay."""
    with one_transaction():
        row = db.session.get(CalendarDay, (actor.unit_code, day))
        if row is None:
            return
        db.session.delete(row)
        log(actor, formatting.day(day), "day_removed", row.note)
    forget_calendars()
