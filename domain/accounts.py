"""Rules for staff accounts: names, passwords, and what an administrator may change."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from datetime import timedelta

from domain.messages import N_
from domain.messages import Invalid
from domain.workflow import ROLES

MIN_PASSWORD = 10

# Signing in: guessing is slowed down where it comes from, and nobody else is locked out. In a
# commune office every clerk shares one address, and anyone can type a colleague's username.
# Wrong passwords for one username from one address before that pair waits; each further one
# doubles the wait, up to a quarter of an hour.
FREE_TRIES = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)
# A count is forgotten after a quarter of an hour without a wrong try (after any wait).
FORGET_AFTER = timedelta(minutes=15)
# Wrong passwords from one address, whatever the names (spraying one password over many
# accounts): then that address waits, and only that address.
ADDRESS_TRIES = 20
# Wrong passwords for one username from every address together (guessing from many
# addresses): then each address has one try before it waits. An address with no wrong try
# of its own is never made to wait, so the real person signs in from their own computer.
ACCOUNT_TRIES = 20
PROVINCE_ADMIN = "quan_tri_tinh"
# Lower-case Latin letters, digits and . _ -: typed easily on any keyboard, read aloud once.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
# A temporary password is read out or written down once: no look-alike characters.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def check_username(raw: str) -> str:
    """The username as stored (lower case), or Invalid with the reason."""
    name = (raw or "").strip().lower()
    if not name:
        raise Invalid(N_("Bạn hãy nhập tên đăng nhập."))
    if not _USERNAME.fullmatch(name):
        raise Invalid(
            N_(
                "Tên đăng nhập dài 3 đến 40 ký tự, chỉ gồm chữ không dấu, chữ số và dấu . _ -"
                " (ví dụ: nguyen.van.an)."
            )
        )
    return name


def check_password(raw: str, username: str = "") -> str:
    """A password someone chose, or Invalid when it is too easy to guess."""
    password = raw or ""
    if len(password) < MIN_PASSWORD:
        raise Invalid(N_("Mật khẩu cần ít nhất %(count)s ký tự."), count=MIN_PASSWORD)
    if username and username.lower() in password.lower():
        raise Invalid(N_("Mật khẩu không được chứa tên đăng nhập."))
    if len(set(password)) < 4:
        raise Invalid(N_("Mật khẩu quá dễ đoán. Bạn hãy dùng nhiều ký tự khác nhau hơn."))
    return password


def forgotten(last: datetime | None, wait_until: datetime | None, now: datetime) -> bool:
    """Whether wrong tries this old no longer count."""
    moments = [moment for moment in (last, wait_until) if moment is not None]
    return not moments or now - max(moments) > FORGET_AFTER


def wait_after(failures: int, free: int) -> timedelta | None:
    """How long to wait after the latest of `failures` wrong tries; None while tries are free."""
    if failures < free:
        return None
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(failures - free, 10))


def free_tries(account_failures: int) -> int:
    """Wrong tries one address has for a username, fewer while that username is under attack."""
    return 1 if account_failures >= ACCOUNT_TRIES else FREE_TRIES


def assignable_roles(actor_role: str) -> list[str]:
    """The roles this administrator may give: a commune's cannot make a province administrator."""
    if actor_role == PROVINCE_ADMIN:
        return list(ROLES)
    return [role for role in ROLES if role != PROVINCE_ADMIN]


def check_role(raw: str, actor_role: str = PROVINCE_ADMIN) -> str:
    if raw not in assignable_roles(actor_role):
        raise Invalid(N_("Bạn hãy chọn vai trò."))
    return raw


def may_manage(actor_role: str, target_role: str) -> bool:
    """Whether an administrator may change this account at all (in a unit they manage).

    A province administrator's account may be attached to any commune: that commune's own
    administrator must not be able to lock it or give it a password they know.
    """
    return actor_role == PROVINCE_ADMIN or target_role != PROVINCE_ADMIN


def temporary_password() -> str:
    """Twelve easy-to-read characters in three groups, e.g. 'k7mq-x3rt-9bwe'."""
    chars = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def refuse_own_lockout(
    actor_id: int,
    target_id: int,
    new_role: str | None,
    active: bool | None,
    actor_role: str = "quan_tri",
) -> None:
    """An administrator cannot take away their own access: someone else must do that."""
    if actor_id != target_id:
        return
    if active is False:
        raise Invalid(N_("Bạn không thể tự khóa tài khoản của mình."))
    if new_role is not None and new_role != actor_role:
        raise Invalid(N_("Bạn không thể tự bỏ quyền quản trị của mình."))
