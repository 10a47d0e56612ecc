"""Staff accounts, their sessions, login throttling, and the days off an administrator adds."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from models.base import DateTime
from models.base import Model
from models.base import utcnow

if TYPE_CHECKING:
    from models.units import Unit


class StaffUser(UserMixin, Model):
    """A person who works in the back office, in one commune unit, with one role."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(100), default="")
    phone: Mapped[str] = mapped_column(sa.String(15), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[str] = mapped_column(sa.String(30))
    unit_code: Mapped[int] = mapped_column(sa.ForeignKey("units.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by "sign out everywhere": every session carrying the old value stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    # Set when an administrator gives a temporary password: the person must choose their own
    # before they can open anything, so nobody else keeps knowing it.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active


class LoginThrottle(Model):
    """Recent wrong passwords, so guessing slows down where it comes from (shared by all nodes)."""

    __tablename__ = "login_throttles"

    # "pair:<username>|<address>", "addr:<address>", "user:<username>" (services.staff)
    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime())
    updated_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class StaffSession(Model):
    """One signed-in browser: its cookie names this row, and signing out deletes it.

    A copied cookie then opens nothing, from any address. Only a hash of the token is kept,
    so that a copy of the database cannot be used to sign in.
    """

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class RateLimitCounter(Model):
    """A rate-limit window shared by every worker and node (see ratelimits.py)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    # Unix time, as the limits library counts; the window is over once it has passed.
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)


class CalendarDay(Model):
    """A day one commune declared off (nghỉ) or working (làm bù), beyond the law's list."""

    __tablename__ = "calendar_days"

    # Per unit: a storm day or a provincial holiday in one ward must not move the due dates
    # of a commune that worked that day. The key leads with the unit, as every read does.
    unit_code: Mapped[int] = mapped_column(
        sa.ForeignKey("units.code"), primary_key=True, autoincrement=False
    )
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    working: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by: Mapped[str] = mapped_column(sa.String(60), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
