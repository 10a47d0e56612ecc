"""What the administrative log says of each change to a unit's procedures and days off."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domain.messages import N_

# In the words an administrator reads, after the procedure's code or the day.
CHANGES: Mapping[str, str] = MappingProxyType(
    {
        "published": N_("hiện thủ tục trong danh sách của xã"),
        "unpublished": N_("ẩn thủ tục khỏi danh sách của xã"),
        "online_opened": N_("mở nhận hồ sơ trực tuyến"),
        "online_closed": N_("tạm ngừng nhận hồ sơ trực tuyến"),
        "day_off": N_("thêm ngày nghỉ"),
        "working_day": N_("thêm ngày làm bù"),
        "day_removed": N_("bỏ ngày đã thêm"),
    }
)

# The switches of a procedure, and the change each position writes to the log.
PROCEDURE_SWITCHES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "published": ("published", "unpublished"),
        "online_open": ("online_opened", "online_closed"),
    }
)


def procedure_change(switch: str, on: bool) -> str:
    """The log's change for setting this switch of a procedure on or off."""
    when_on, when_off = PROCEDURE_SWITCHES[switch]
    return when_on if on else when_off


def day_change(working: bool) -> str:
    return "working_day" if working else "day_off"
