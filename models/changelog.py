"""The one log of what administrators change: accounts, what a unit offers, centres."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from domain import changelog as rules
from domain.procedures import TimeLimit
from models.base import DateTime
from models.base import Model
from models.base import append_only
from models.base import utcnow


@append_only
class LogEntry(Model):
    """One change: who, when, in which unit, to what, and how (append-only, like events).

    Written by services.changelog only; migration 0017 brought the three logs of before
    (staff_changes, admin_changes, centre_changes) into this one.
    """

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unit whose log shows it: an account's, the unit offering, the centre's.
    unit_code: Mapped[int] = mapped_column(sa.ForeignKey("units.code"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    # The username of whoever made the change (for one's own password, the person).
    actor: Mapped[str] = mapped_column(sa.String(60))
    # What was changed, as people name it: a username, a procedure's code, a day as
    # dd/mm/yyyy, a centre's setting.
    subject: Mapped[str] = mapped_column(sa.String(60))
    # One of domain.changelog.AREAS' changes.
    change: Mapped[str] = mapped_column(sa.String(30))
    # A role, the other unit of a move, a procedure's name, a day's note, a setting's value.
    detail: Mapped[str] = mapped_column(sa.String(200), default="")
    # What a setting was before; empty for every other change.
    previous: Mapped[str] = mapped_column(sa.String(200), default="")

    @property
    def time_limit(self) -> dict[str, Any] | None:
        """For a time limit set: its channel, case and limit, for the page to word."""
        if self.change != "time_limit_set":
            return None
        parts = rules.parse_limit_detail(self.detail)
        if parts is None:
            return None
        channel, case, qty, unit = parts
        return {"channel": channel, "case": case, "limit": TimeLimit(qty, unit)}

    @property
    def is_setting(self) -> bool:
        return self.change == rules.SETTING

    @property
    def is_move(self) -> bool:
        """An account moved to or from another unit: the detail is that unit's code."""
        return self.change in rules.MOVES

    @property
    def names_a_role(self) -> bool:
        """An account opened or given a new role: the detail is the role."""
        return self.change in rules.ROLE_CHANGES
