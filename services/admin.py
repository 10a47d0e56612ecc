"""What an administrator changes in what the unit offers: procedures, days off; each one logged.

Every change is one transaction with its log row: the change is never kept without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from domain import changelog as rules
from domain import formatting
from domain import validators
from domain.calendar import check_override_day
from domain.channels import Channel
from domain.procedures import TimeLimit
from extensions import db
from models import CalendarDay
from models import Procedure
from models import ProcedureLimit
from models import StaffUser
from models import utcnow
from services import changelog
from services import limits
from services.calendar import forget_calendars
from services.forms import has_form
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


def without_time_limit() -> Sequence[Procedure]:
    """The commune procedures whose published record gives no time limit on some channel the
    centre receives on (at the desk; online too where there is a form), most used first.

    Those an administrator already set stay listed, so that a wrong limit can be put right.
    """
    rows = db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.is_local.is_(True))
        .options(
            selectinload(Procedure.channels),
            selectinload(Procedure.cases),
            selectinload(Procedure.set_limits),
        )
        .order_by(Procedure.popularity.is_(None), Procedure.popularity, Procedure.name)
    ).all()
    return [p for p in rows if channels_without_published_limit(p)]


def channels_without_published_limit(proc: Procedure) -> list[Channel]:
    """The channels a dossier of this procedure arrives by here (the desk, and online where
    it has a form) that its published record gives no time limit for."""
    arriving = [Channel.DIRECT, Channel.ONLINE] if has_form(proc.code) else [Channel.DIRECT]
    return [c for c in arriving if limits.published_limit(proc, c) is None]


def set_time_limit(
    actor: StaffUser, proc: Procedure, channel: Channel, case_code: str, limit: TimeLimit
) -> None:
    """Set the limit of a channel (and case) the published record leaves without one.

    A channel the record gives a limit for is refused (KeyError): the published one applies.
    """
    if limits.published_limit(proc, channel) is not None:
        raise KeyError(channel.name)
    if case_code and case_code not in {c.code for c in proc.cases}:
        raise KeyError(case_code)
    with one_transaction():
        row = next(
            (r for r in proc.set_limits if r.channel == channel.name and r.case_code == case_code),
            None,
        )
        if row is not None and (row.time_qty, row.time_unit) == (limit.qty, limit.unit):
            return  # the same limit sent again: nothing changed, nothing to log
        if row is None:
            row = ProcedureLimit(channel=channel.name, case_code=case_code)
            proc.set_limits.append(row)
        row.time_qty = int(limit.qty)
        row.time_unit = limit.unit
        row.set_by = actor.username
        row.set_at = utcnow()
        proc.updated_at = utcnow()  # the catalogue's pages show the limit: they follow
        detail = rules.limit_detail(channel.name, case_code, row.time_qty, row.time_unit)
        log(actor, proc.code, "time_limit_set", detail)


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
