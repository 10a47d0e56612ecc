"""What the one administrative log holds: every change an administrator makes, by area.

One log, read in three places: the accounts (created, a new role, closed, moved…), what a unit
offers (procedures listed or open online, days off) and a centre's settings. Each change has
a key of its own, so the key alone says which area a row belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domain.messages import N_

ACCOUNTS = "accounts"
OFFER = "offer"
CENTRE = "centre"

# What the log says of each change to an account, in the words an administrator reads, after
# the username. The detail is the role given, or for a move the other unit's code.
ACCOUNT_CHANGES: Mapping[str, str] = MappingProxyType(
    {
        "created": N_("tạo tài khoản"),
        "role": N_("đổi vai trò"),
        "deactivated": N_("khóa tài khoản"),
        "reactivated": N_("mở lại tài khoản"),
        "password_reset": N_("cấp mật khẩu tạm"),
        "password_changed": N_("tự đổi mật khẩu"),
        # A move is written in the log of both units, each saying where the person went or
        # came from (the detail is the other unit's code).
        "moved_out": N_("chuyển sang đơn vị khác"),
        "moved_in": N_("chuyển đến từ đơn vị khác"),
    }
)
MOVES = frozenset({"moved_out", "moved_in"})
ROLE_CHANGES = frozenset({"created", "role"})

# The same for a unit's procedures and days off, after the procedure's code or the day.
OFFER_CHANGES: Mapping[str, str] = MappingProxyType(
    {
        "published": N_("hiện thủ tục trong danh sách của xã"),
        "unpublished": N_("ẩn thủ tục khỏi danh sách của xã"),
        "online_opened": N_("mở nhận hồ sơ trực tuyến"),
        "online_closed": N_("tạm ngừng nhận hồ sơ trực tuyến"),
        "day_off": N_("thêm ngày nghỉ"),
        "working_day": N_("thêm ngày làm bù"),
        "day_removed": N_("bỏ ngày đã thêm"),
        # The detail is limit_detail(): the channel, the case if any, the limit.
        "time_limit_set": N_("đặt thời hạn giải quyết"),
    }
)

# A centre's setting changed: the subject names the setting (domain.centres.SETTINGS), the
# detail is its new value and `previous` its old one; the log shows both, no other words.
SETTING = "setting"

AREAS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        ACCOUNTS: frozenset(ACCOUNT_CHANGES),
        OFFER: frozenset(OFFER_CHANGES),
        CENTRE: frozenset({SETTING}),
    }
)
WORDS: Mapping[str, str] = MappingProxyType({**ACCOUNT_CHANGES, **OFFER_CHANGES})

# The switches of a procedure, and the change each position writes to the log.
PROCEDURE_SWITCHES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "published": ("published", "unpublished"),
        "online_open": ("online_opened", "online_closed"),
    }
)


def area_of(change: str) -> str:
    """The area a change belongs to; KeyError for a change the log does not know."""
    for area, changes in AREAS.items():
        if change in changes:
            return area
    raise KeyError(change)


def procedure_change(switch: str, on: bool) -> str:
    """The log's change for setting this switch of a procedure on or off."""
    when_on, when_off = PROCEDURE_SWITCHES[switch]
    return when_on if on else when_off


def day_change(working: bool) -> str:
    return "working_day" if working else "day_off"


def limit_detail(channel: str, case_code: str, qty: int, unit: str) -> str:
    """The detail of a time_limit_set row, read back by parse_limit_detail."""
    return f"{channel}|{case_code}|{qty}|{unit}"


def parse_limit_detail(detail: str) -> tuple[str, str, int, str] | None:
    """(channel, case, qty, unit) of a time_limit_set row; None for a detail of another shape."""
    parts = detail.split("|")
    if len(parts) != 4 or not parts[2].isdigit():
        return None
    return parts[0], parts[1], int(parts[2]), parts[3]
