"""Staff accounts: creating and changing them, signing in with throttling, signing out."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from domain import accounts
from domain.messages import N_
from domain.messages import Invalid
from extensions import db
from models import utcnow
from models.staff import LoginThrottle
from models.staff import StaffChange
from models.staff import StaffUser

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
# Checked when the user does not exist, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


def create_user(
    username: str, password: str, role: str, unit_code: int, full_name: str = ""
) -> StaffUser:
    """A new account; the password is stored only as a salted scrypt hash."""
    name = accounts.check_username(username)
    user = StaffUser(
        username=name,
        full_name=full_name or name,
        password_hash=generate_password_hash(accounts.check_password(password, name)),
        role=accounts.check_role(role),
        unit_code=unit_code,
    )
    db.session.add(user)
    db.session.commit()
    return user


def _log(actor: StaffUser, user: StaffUser, change: str, detail: str = "") -> None:
    db.session.add(
        StaffChange(
            unit_code=user.unit_code,
            actor=actor.username,
            username=user.username,
            change=change,
            detail=detail[:200],
        )
    )


def username_taken(username: str) -> bool:
    found = db.session.scalar(sa.select(StaffUser.id).where(StaffUser.username == username))
    return found is not None


def create_account(
    actor: StaffUser, username: str, full_name: str, phone: str, role: str
) -> tuple[StaffUser, str]:
    """An administrator opens an account in their unit; the person sets their own password."""
    temporary = accounts.temporary_password()
    user = StaffUser(
        username=username,
        full_name=full_name,
        phone=phone,
        password_hash=generate_password_hash(temporary),
        role=role,
        unit_code=actor.unit_code,
        must_change_password=True,
    )
    db.session.add(user)
    db.session.flush()
    _log(actor, user, "created", role)
    db.session.commit()
    return user, temporary


def change_account(
    actor: StaffUser, user: StaffUser, role: str | None = None, active: bool | None = None
) -> None:
    """A new role, or the account closed or opened again; a closed account is signed out."""
    accounts.refuse_own_lockout(actor.id, user.id, role, active)
    if role is not None and role != user.role:
        _log(actor, user, "role", role)
        user.role = role
        user.session_version += 1  # pages open with the old role's rights stop working
    if active is not None and active != user.active:
        _log(actor, user, "reactivated" if active else "deactivated")
        user.active = active
        user.session_version += 1
    db.session.commit()


def reset_password(actor: StaffUser, user: StaffUser) -> str:
    """A temporary password for someone who forgot theirs; their sessions end."""
    temporary = accounts.temporary_password()
    user.password_hash = generate_password_hash(temporary)
    user.must_change_password = True
    user.session_version += 1
    _log(actor, user, "password_reset")
    db.session.commit()
    return temporary


def password_is(user: StaffUser, password: str) -> bool:
    return check_password_hash(user.password_hash, password or "")


def change_own_password(user: StaffUser, new: str) -> None:
    """The person's own new password; every other session of theirs ends."""
    password = accounts.check_password(new, user.username)
    if password_is(user, password):
        raise Invalid(N_("Bạn hãy chọn mật khẩu khác mật khẩu cũ."))
    user.password_hash = generate_password_hash(password)
    user.must_change_password = False
    user.session_version += 1
    _log(user, user, "password_changed")
    db.session.commit()


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite gives back naive UTC
        return moment.replace(tzinfo=utcnow().tzinfo)
    return moment


def locked_until(keys: list[str], now: datetime | None = None) -> datetime | None:
    """When the latest lock on any of these keys ends, if one is on now."""
    now = now or utcnow()
    rows = db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    ends = [end for r in rows if (end := _aware(r.locked_until)) is not None and end > now]
    return max(ends) if ends else None


def _record_failure(keys: list[str], now: datetime) -> None:
    for key in keys:
        row = db.session.get(LoginThrottle, key) or LoginThrottle(key=key, failures=0)
        last = _aware(row.updated_at)
        if last is not None and now - last > LOCK_FOR:
            # Only a burst of guesses locks: four typos last month and one today do not.
            row.failures = 0
        row.failures = (row.failures or 0) + 1
        row.updated_at = now
        if row.failures >= MAX_FAILURES:
            row.locked_until = now + LOCK_FOR
            row.failures = 0
        db.session.add(row)
    db.session.commit()


def authenticate(
    username: str, password: str, address: str, now: datetime | None = None
) -> tuple[StaffUser | None, datetime | None]:
    """(the user, None) on success; (None, lock end) while locked; (None, None) when wrong."""
    now = now or utcnow()
    name = (username or "").strip().lower()[:60]
    keys = [f"user:{name}", f"addr:{address}"]
    lock = locked_until(keys, now)
    if lock is not None:
        return None, lock
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == name))
    good = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not good or not user.active:
        _record_failure(keys, now)
        return None, locked_until(keys, now)
    # A good sign-in clears both counters: in a commune office every clerk shares one address,
    # and one colleague's forgotten password should not keep the others waiting.
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    db.session.commit()
    return user, None


def load_user(user_id: str) -> StaffUser | None:
    """The user a session names, unless they signed out everywhere since (Flask-Login loader)."""
    ident, _sep, version = (user_id or "").partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(StaffUser, int(ident))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def sign_out_everywhere(user: StaffUser) -> None:
    user.session_version += 1
    db.session.commit()
