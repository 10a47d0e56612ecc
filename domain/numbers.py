"""Whole numbers from what people and browsers send: ASCII digits only, bounded.

`str.isdigit()` says yes to "²", "①" and "0912345²78", which `int()` then refuses; `int()`
itself reads Arabic or full-width digits, and spends seconds on (or refuses) thousands of
digits. Everything a request carries is read here, so that no view can forget.
"""

from __future__ import annotations

import re

ASCII_DIGITS = re.compile(r"[0-9]+")
# The largest value of PostgreSQL's `integer`, the type of every id and counter column.
DB_INT_MAX = 2**31 - 1
# Pages of a list: nobody reads page 10,001, and an OFFSET beyond it is only work.
PAGE_MAX = 10_000


def whole(raw: str | None, maximum: int = DB_INT_MAX) -> int | None:
    """The number raw spells in ASCII digits (spaces around allowed), or None.

    None also when it is above maximum: a number that cannot be a row, a page or a day is
    no number at all for the caller, which answers as for any other wrong text.
    """
    text = (raw or "").strip()
    if not ASCII_DIGITS.fullmatch(text):
        return None
    # Leading zeros are harmless; past them the length alone bounds the value, so that
    # int() never sees thousands of digits.
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(maximum)):
        return None
    value = int(significant)
    return value if value <= maximum else None


def page(raw: str | None) -> int:
    """A page number from ?trang=: 1 when missing or wrong, never past PAGE_MAX."""
    value = whole(raw, maximum=10**9)
    if value is None or value < 1:
        return 1
    return min(value, PAGE_MAX)
