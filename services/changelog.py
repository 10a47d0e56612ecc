"""The one append-only log of what administrators change, and who reads which part of it.

Every service that changes an account, what a unit offers or a centre writes its row here,
in the transaction of the change itself: the change is never kept without its row. Rows are
never changed or deleted (models.base.append_only, and the database's triggers).

Who reads what: the caller names the units, as it names the rows it lets a person change
(services.staff.managed_units): a commune's administrator their own unit, the province's
every unit of the province.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from domain import changelog as rules
from extensions import db
from models import LogEntry

RECENT = 30


def record(
    actor: str, unit_code: int, subject: str, change: str, detail: str = "", previous: str = ""
) -> None:
    """Add the row of a change to the session, for the transaction making it to commit.

    A change the log does not know is refused (KeyError), so that no row is unreadable.
    """
    rules.area_of(change)
    db.session.add(
        LogEntry(
            unit_code=unit_code,
            actor=actor,
            subject=subject[:60],
            change=change,
            detail=detail[:200],
            previous=previous[:200],
        )
    )


def of_units(unit_codes: Sequence[int], area: str, limit: int = RECENT) -> Sequence[LogEntry]:
    """The latest changes of one area (domain.changelog.AREAS) in these units, newest first."""
    return _latest(_in(unit_codes, area), limit)


def of_subject(
    unit_codes: Sequence[int], area: str, subject: str, limit: int = RECENT
) -> Sequence[LogEntry]:
    """The latest changes to one account (or procedure, day, setting) in these units."""
    return _latest(_in(unit_codes, area).where(LogEntry.subject == subject), limit)


def _in(unit_codes: Sequence[int], area: str) -> sa.Select[LogEntry]:
    return sa.select(LogEntry).where(
        LogEntry.unit_code.in_(unit_codes), LogEntry.change.in_(rules.AREAS[area])
    )


def _latest(query: sa.Select[LogEntry], limit: int) -> Sequence[LogEntry]:
    # The id, not the time: two rows of one transaction (a move) keep the order written.
    return db.session.scalars(query.order_by(LogEntry.id.desc()).limit(limit)).all()
