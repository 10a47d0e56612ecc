"""Staff accounts: creating and changing them, signing in with throttling, signing out."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from domain import accounts
from domain import numbers
from domain.messages import N_
from domain.messages import Invalid
from extensions import db
from models import Unit
from models import utcnow
from models.staff import LoginThrottle
from models.staff import StaffSession
from models.staff import StaffUser
from services import changelog
from services.transactions import one_transaction

USERNAME_TAKEN = N_("Tên đăng nhập này đã có người dùng. Hãy chọn tên khác.")


@cache
def _dummy_hash() -> str:
    """Checked when the user does not exist, so a wrong name takes as long as a wrong password."""
    # Made at the first sign-in, not on import: a scrypt hash is 0.1 s of every worker's start.
    return generate_password_hash("not a password of anyone")


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


def _log(
    actor: StaffUser, user: StaffUser, change: str, detail: str = "", unit_code: int | None = None
) -> None:
    """Log a change to an account in its unit (or the one named: each side of a move)."""
    unit = user.unit_code if unit_code is None else unit_code
    changelog.record(actor.username, unit, user.username, change, detail)


def province_units() -> Sequence[Unit]:
    """Every commune-level unit of the deployment's province, by name."""
    return db.session.scalars(
        sa.select(Unit)
        .where(Unit.province_code == current_app.config["PROVINCE_CODE"])
        .order_by(Unit.name)
    ).all()


def managed_units(actor: StaffUser) -> list[int]:
    """The units whose accounts this administrator manages: their own, or the province's."""
    if actor.role == accounts.PROVINCE_ADMIN:
        return [unit.code for unit in province_units()]
    return [actor.unit_code]


def managed_accounts(actor: StaffUser, unit_codes: Sequence[int]) -> Sequence[StaffUser]:
    """The accounts of these units that this administrator may change, open ones first."""
    query = sa.select(StaffUser).where(StaffUser.unit_code.in_(unit_codes))
    if not accounts.may_manage(actor.role, accounts.PROVINCE_ADMIN):
        query = query.where(StaffUser.role != accounts.PROVINCE_ADMIN)
    return db.session.scalars(
        query.order_by(StaffUser.active.desc(), StaffUser.unit_code, StaffUser.username)
    ).all()


def managed_account(actor: StaffUser, user_id: int) -> StaffUser | None:
    """The account, if this administrator manages it: a commune's manages its own unit only."""
    user = db.session.get(StaffUser, user_id)
    if user is None or user.unit_code not in managed_units(actor):
        return None
    return user if accounts.may_manage(actor.role, user.role) else None


def username_taken(username: str) -> bool:
    found = db.session.scalar(sa.select(StaffUser.id).where(StaffUser.username == username))
    return found is not None


def create_account(
    actor: StaffUser,
    username: str,
    full_name: str,
    phone: str,
    role: str,
    unit_code: int | None = None,
) -> tuple[StaffUser, str]:
    """An administrator opens an account in a unit they manage (their own unless said);
    the person sets their own password."""
    unit_code = actor.unit_code if unit_code is None else unit_code
    if unit_code not in managed_units(actor):
        raise PermissionError(f"{actor.username} does not manage unit {unit_code}")
    role = accounts.check_role(role, actor.role)
    temporary = accounts.temporary_password()
    user = StaffUser(
        username=username,
        full_name=full_name,
        phone=phone,
        password_hash=generate_password_hash(temporary),
        role=role,
        unit_code=unit_code,
        must_change_password=True,
    )
    db.session.add(user)
    try:
        # The name was checked free before, but two requests (a double click, two
        # administrators) can both pass that check: the second gets what it would get a
        # moment later, the name taken, never the database's IntegrityError.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Invalid(USERNAME_TAKEN, field="username") from None
    _log(actor, user, "created", role)
    db.session.commit()
    return user, temporary


def change_account(
    actor: StaffUser, user: StaffUser, role: str | None = None, active: bool | None = None
) -> None:
    """A new role, or the account closed or opened again; a closed account is signed out."""
    accounts.refuse_own_lockout(actor.id, user.id, role, active, actor.role)
    if role is not None:
        role = accounts.check_role(role, actor.role)
    if role is not None and role != user.role:
        _log(actor, user, "role", role)
        user.role = role
        user.session_version += 1  # pages open with the old role's rights stop working
    if active is not None and active != user.active:
        _log(actor, user, "reactivated" if active else "deactivated")
        user.active = active
        user.session_version += 1
    db.session.commit()


def move_account(actor: StaffUser, user: StaffUser, unit_code: int) -> None:
    """A province administrator moves someone to another unit of the province.

    Logged in both units' account logs; the person signs in again, to the new unit's inbox.
    """
    if actor.role != accounts.PROVINCE_ADMIN or unit_code not in managed_units(actor):
        raise PermissionError(f"{actor.username} may not move an account to {unit_code}")
    old = user.unit_code
    if unit_code == old:
        return
    with one_transaction():
        _log(actor, user, "moved_out", str(unit_code), unit_code=old)
        _log(actor, user, "moved_in", str(old), unit_code=unit_code)
        user.unit_code = unit_code
        user.session_version += 1


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


def _keys(name: str, address: str) -> tuple[str, str, str]:
    """(this username from this address, this address, this username) as throttle keys."""
    return f"pair:{name}|{address}"[:120], f"addr:{address}"[:120], f"user:{name}"


def _recent(keys: tuple[str, ...], now: datetime) -> dict[str, LoginThrottle]:
    """The throttle rows of these keys whose wrong tries still count."""
    rows = db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    return {
        row.key: row
        for row in rows
        if not accounts.forgotten(row.updated_at, row.locked_until, now)
    }


def _waiting_until(rows: Sequence[LoginThrottle | None], now: datetime) -> datetime | None:
    ends = [
        end for r in rows if r is not None and (end := r.locked_until) is not None and end > now
    ]
    return max(ends) if ends else None


def locked_until(username: str, address: str, now: datetime | None = None) -> datetime | None:
    """Until when this username may not be tried from this address, if it must wait now."""
    now = now or utcnow()
    pair, addr, _user = _keys((username or "").strip().lower()[:60], address)
    recent = _recent((pair, addr), now)
    return _waiting_until([recent.get(pair), recent.get(addr)], now)


def _count_failure(key: str, free: int | None, now: datetime) -> LoginThrottle:
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        db.session.add(row)
    elif accounts.forgotten(row.updated_at, row.locked_until, now):
        row.failures, row.locked_until = 0, None
    row.failures = (row.failures or 0) + 1
    row.updated_at = now
    wait = accounts.wait_after(row.failures, free) if free is not None else None
    if wait is not None:
        row.locked_until = now + wait
    return row


def _record_failure(name: str, address: str, now: datetime) -> datetime | None:
    """Count a wrong try against the pair, the address and the username; the wait it brings."""
    pair, addr, user = _keys(name, address)
    for attempt in range(2):
        try:
            account = _count_failure(user, None, now)
            rows = [
                _count_failure(pair, accounts.free_tries(account.failures), now),
                _count_failure(addr, accounts.ADDRESS_TRIES, now),
            ]
            db.session.commit()
            return _waiting_until(rows, now)
        except sa.exc.IntegrityError:
            # Two wrong tries at once both made a new row: count again on the one that won.
            db.session.rollback()
            if attempt:
                raise
    return None


def authenticate(
    username: str, password: str, address: str, now: datetime | None = None
) -> tuple[StaffUser | None, datetime | None]:
    """(the user, None) on success; (None, wait end) while waiting; (None, None) when wrong.

    Waits are per username and address, and per address: wrong tries elsewhere never stop a
    correct sign-in from an address that has none of its own.
    """
    now = now or utcnow()
    name = (username or "").strip().lower()[:60]
    wait = locked_until(name, address, now)
    if wait is not None:
        return None, wait
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == name))
    good = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not good or not user.active:
        return None, _record_failure(name, address, now)
    # A good sign-in clears this address's count for this name only: a colleague's typos at
    # the same office, or someone guessing elsewhere, are counted on their own.
    pair, _addr, _user = _keys(name, address)
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == pair))
    db.session.commit()
    return user, None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: StaffUser, lifetime: timedelta) -> str:
    """A new server-side session for this browser; the token goes in its cookie only."""
    now = utcnow()
    # The person's sessions older than a working day are of no use to anyone: tidy them here.
    db.session.execute(
        sa.delete(StaffSession).where(
            StaffSession.user_id == user.id, StaffSession.created_at < now - lifetime
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token_hash=_token_hash(token), user_id=user.id, created_at=now))
    db.session.commit()
    return token


def close_session(token: str | None) -> None:
    """Signing out: the cookie, and every copy of it, opens nothing any more."""
    if not isinstance(token, str) or not token:
        return
    db.session.execute(sa.delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    db.session.commit()


def load_user(user_id: str, token: str | None, lifetime: timedelta) -> StaffUser | None:
    """The user a session names, if that session is still open on the server (Flask-Login loader).

    Not after signing out (here or everywhere), a closed account, a new role or password, or a
    working day.
    """
    ident, _sep, raw_version = (user_id or "").partition(":")
    user_key, version = numbers.whole(ident), numbers.whole(raw_version)
    if user_key is None or version is None:
        return None
    if not isinstance(token, str) or not token:
        return None
    user = db.session.scalar(
        sa.select(StaffUser)
        .join(StaffSession, StaffSession.user_id == StaffUser.id)
        .where(
            StaffUser.id == user_key,
            StaffSession.token_hash == _token_hash(token),
            StaffSession.created_at >= utcnow() - lifetime,
        )
    )
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def sign_out_everywhere(user: StaffUser) -> None:
    user.session_version += 1
    db.session.execute(sa.delete(StaffSession).where(StaffSession.user_id == user.id))
    db.session.commit()
