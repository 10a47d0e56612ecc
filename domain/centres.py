"""A centre's settings as an administrator types them, and the short names of units."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from domain.formatting import without_marks
from domain.messages import N_
from domain.messages import Invalid
from domain.validators import collapse

SETTINGS = ("name", "address", "phone", "hours", "public_url")
LIMITS = {"name": 150, "address": 200, "phone": 30, "hours": 100, "public_url": 200}
# Each setting's name, as the centre's page and its log call it.
SETTING_WORDS = {
    "name": N_("Tên Trung tâm"),
    "address": N_("Địa chỉ"),
    "phone": N_("Điện thoại"),
    "hours": N_("Giờ làm việc"),
    "public_url": N_("Địa chỉ trang riêng"),
}

TIME = re.compile(r"([01]?\d|2[0-3])[:hH.]([0-5]\d)")
# Office lines are written many ways: "0210 3846 123", "(0210) 3.846.123", "1800 1096".
PHONE = re.compile(r"\+?[\d .()\-]+")
# What the unit list puts before a unit's own name.
DIVISION_WORDS = ("dac khu", "phuong", "thi tran", "xa")


def check_name(raw: str) -> str:
    value = collapse(raw)
    if len(value) > LIMITS["name"]:
        raise Invalid(N_("Tên dài quá %(max)s ký tự."), max=LIMITS["name"])
    return value


def check_address(raw: str) -> str:
    value = collapse(raw)
    if len(value) > LIMITS["address"]:
        raise Invalid(N_("Địa chỉ dài quá %(max)s ký tự."), max=LIMITS["address"])
    return value


def check_phone(raw: str) -> str:
    """An office line or hotline, kept as written (spaces help reading it aloud)."""
    value = collapse(raw)
    digits = re.sub(r"\D", "", value)
    if not PHONE.fullmatch(value) or not 3 <= len(digits) <= 15 or len(value) > LIMITS["phone"]:
        raise Invalid(N_("Số điện thoại chỉ gồm chữ số và dấu cách, ví dụ 0210 3846 123."))
    return value


def check_hours(raw: str) -> str:
    """Opening periods, '7:30 - 11:30, 13:30-17:00' → '07:30-11:30,13:30-17:00'."""
    periods = []
    for part in collapse(raw).replace(";", ",").split(","):
        if not part.strip():
            continue
        times = [f"{int(h):02d}:{m}" for h, m in TIME.findall(part)]
        rest = TIME.sub("", part).replace("-", "").replace("–", "").replace("đến", "").strip()
        if len(times) != 2 or rest:
            raise Invalid(
                N_("Giờ làm việc ghi theo mẫu 07:30-11:30, 13:30-17:00 (giờ mở - giờ đóng cửa).")
            )
        periods.append((times[0], times[1]))
    if not periods:
        raise Invalid(N_("Bạn hãy ghi giờ làm việc, ví dụ 07:30-11:30, 13:30-17:00."))
    previous = "00:00"
    for start, end in periods:
        if not previous <= start < end:
            raise Invalid(
                N_("Mỗi buổi phải đóng cửa sau khi mở, và buổi sau bắt đầu sau buổi trước.")
            )
        previous = end
    return ",".join(f"{start}-{end}" for start, end in periods)


def check_public_url(raw: str) -> str:
    """An address of its own for the centre (https://…), or empty for the portal's."""
    value = collapse(raw).rstrip("/")
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or " " in value
        or len(value) > LIMITS["public_url"]
    ):
        raise Invalid(
            N_("Địa chỉ trang phải bắt đầu bằng https://, ví dụ https://thanhba.phutho.gov.vn.")
        )
    return value


CHECKS = {
    "name": check_name,
    "address": check_address,
    "phone": check_phone,
    "hours": check_hours,
    "public_url": check_public_url,
}
# Left empty: the unit's name, the unit and province as address, no phone or hours shown,
# the portal's own address.
OPTIONAL = {"name", "address", "phone", "hours", "public_url"}


def slug(text: str) -> str:
    """'Xã Thanh Ba' → 'xa-thanh-ba': lower case, no accents, words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", without_marks(text).lower()))


def short_slug(name: str) -> str:
    """'Xã Thanh Ba' → 'thanh-ba': the unit's own name, without the kind of unit."""
    full = slug(name)
    for word in DIVISION_WORDS:
        prefix = word.replace(" ", "-") + "-"
        if full.startswith(prefix):
            return full[len(prefix) :]
    return full


def folded(text: str) -> str:
    """For matching what a person types against a name: no accents, no case, single spaces."""
    return " ".join(re.findall(r"[a-z0-9]+", without_marks(text).lower()))
