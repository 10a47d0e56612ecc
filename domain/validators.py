"""Checks on what people type: CCCD, phone, e-mail, names, dates, numbers.

Each check takes the text as typed and returns the clean value, or raises Invalid with a
plain Vietnamese message (translated where the page is rendered).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
from datetime import date
from typing import Any

from domain import numbers
from domain.messages import N_
from domain.messages import Invalid
from domain.messages import Problem

# First three digits of a CCCD / personal identification number: the province where the
# birth was registered, in the coding of Thông tư 07/2016/TT-BCA (the 63 provinces before
# 2025; the 34 provinces of today kept codes from that list).
CCCD_PROVINCES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
SEPARATORS = re.compile(r"[\s.\-–—()]")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# Letters, spaces, and the apostrophe and hyphen that some ethnic minority names use
# (H'Hen Niê, Y-Moan); which letters are allowed is checked by latin_letter().
NAME = re.compile(r"^[^\W\d_]+(?:[ '’\-][^\W\d_]+)*$")
# Civil-status registers are kept in the Vietnamese (Latin) alphabet, minority names included.
ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


# C0 control characters and DEL, except the tab and line breaks a text area sends. NUL most
# of all: PostgreSQL refuses it in text, and nobody types it.
CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f]")
# Those that Python (and pasted text) treat as white space separate words, as a space does.
SPACING_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1f]")


def without_controls(text: str) -> str:
    """Tab and line breaks kept, the other spacing controls made spaces, the rest dropped."""
    return SPACING_CONTROLS.sub(" ", CONTROLS.sub("", text))


def latin_letter(ch: str) -> bool:
    """A letter of the Latin alphabet, bare or with accents (ă, ơ, ự, ê…), or đ."""
    if ch in "đĐ":
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    return base in ASCII_LETTERS and all("\u0300" <= m <= "\u036f" for m in marks)


def collapse(text: str) -> str:
    """Composed Unicode, single spaces, no control characters."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def cccd(raw: str) -> str:
    """A 12-digit CCCD / personal identification number with a real province prefix."""
    digits = SEPARATORS.sub("", raw or "")
    if not numbers.ASCII_DIGITS.fullmatch(digits):
        raise Invalid(N_("Số CCCD chỉ gồm chữ số, ví dụ 025190001234."))
    if len(digits) != 12:
        raise Invalid(N_("Số CCCD có 12 chữ số; bạn đã nhập %(count)s chữ số."), count=len(digits))
    if digits[:3] not in CCCD_PROVINCES:
        raise Invalid(N_("Ba số đầu của CCCD không đúng mã tỉnh. Bạn hãy kiểm tra lại trên thẻ."))
    return digits


def cccd_birth_year(number: str) -> int:
    """The year of birth a CCCD encodes: 4th digit = sex and century, 5th–6th = year."""
    # 0/1 born in the 1900s (male/female), 2/3 in the 2000s, 4/5 in the 2100s, and so on.
    return 1900 + (int(number[3]) // 2) * 100 + int(number[4:6])


def phone(raw: str) -> str:
    """A Vietnamese mobile number as ten digits starting 03, 05, 07, 08 or 09."""
    digits = SEPARATORS.sub("", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not numbers.ASCII_DIGITS.fullmatch(digits):
        raise Invalid(N_("Số điện thoại chỉ gồm chữ số, ví dụ 0912 345 678."))
    if len(digits) != 10:
        raise Invalid(
            N_("Số điện thoại di động có 10 chữ số; bạn đã nhập %(count)s chữ số."),
            count=len(digits),
        )
    if not digits.startswith(MOBILE_PREFIXES):
        raise Invalid(N_("Số di động bắt đầu bằng 03, 05, 07, 08 hoặc 09."))
    return digits


def email(raw: str) -> str:
    """An e-mail address, lower-cased."""
    value = collapse(raw).replace(" ", "").lower()
    if not EMAIL.match(value) or len(value) > 254:
        raise Invalid(N_("Địa chỉ thư điện tử chưa đúng, ví dụ: ten@gmail.com."))
    return value


def person_name(raw: str) -> str:
    """A person's full name in letters, as written on their papers."""
    value = collapse(raw)
    if len(value) < 2:
        raise Invalid(N_("Bạn hãy ghi đầy đủ họ, chữ đệm và tên."))
    if len(value) > 100:
        raise Invalid(N_("Họ và tên dài quá 100 chữ cái."))
    if not NAME.match(value):
        raise Invalid(N_("Họ và tên chỉ gồm chữ cái, không có số hay ký hiệu."))
    if not all(latin_letter(ch) for ch in value if ch.isalpha()):
        raise Invalid(
            N_("Bạn hãy viết họ và tên bằng chữ tiếng Việt như trên giấy tờ, ví dụ Nguyễn Văn An.")
        )
    return value


def text(raw: str, max_length: int = 200) -> str:
    """Free text on one line."""
    value = collapse(raw)
    if len(value) > max_length:
        raise Invalid(N_("Nội dung dài quá %(max)s ký tự."), max=max_length)
    return value


def number(raw: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number, optionally within bounds."""
    value = SEPARATORS.sub("", raw or "")
    result = numbers.whole(value)
    if result is None and numbers.ASCII_DIGITS.fullmatch(value):
        # Digits, but more than any count on a form (or a database column) can hold.
        raise Invalid(N_("Số lớn nhất là %(max)s."), max=maximum or numbers.DB_INT_MAX)
    if result is None:
        raise Invalid(N_("Bạn hãy nhập một số, ví dụ 2."))
    if minimum is not None and result < minimum:
        raise Invalid(N_("Số nhỏ nhất là %(min)s."), min=minimum)
    if maximum is not None and result > maximum:
        raise Invalid(N_("Số lớn nhất là %(max)s."), max=maximum)
    return result


def day(raw_day: str, raw_month: str, raw_year: str) -> date:
    """A date typed in three boxes (day, month, year)."""
    parts = [SEPARATORS.sub("", p or "") for p in (raw_day, raw_month, raw_year)]
    if not any(parts):
        raise Invalid(N_("Bạn hãy nhập ngày, tháng và năm."))
    if not all(parts):
        raise Invalid(N_("Ngày tháng năm phải có đủ ngày, tháng và năm."))
    if not all(numbers.ASCII_DIGITS.fullmatch(p) for p in parts):
        raise Invalid(N_("Ngày tháng năm chỉ gồm chữ số, ví dụ 05 09 2026."))
    if len(parts[2]) != 4:
        raise Invalid(N_("Năm phải có 4 chữ số, ví dụ 1985."))
    # Bounded before date() sees them: a day of 99999999999999999999999 overflows it.
    d, m, y = (numbers.whole(p, maximum=9999) for p in parts)
    if m is None or not 1 <= m <= 12:
        raise Invalid(N_("Tháng phải từ 1 đến 12."))
    if d is None or not 1 <= d <= 31:
        raise Invalid(N_("Ngày phải từ 1 đến 31."))
    if y is None:  # four ASCII digits always read: this only tells mypy
        raise Invalid(N_("Năm phải có 4 chữ số, ví dụ 1985."))
    try:
        return date(y, m, d)
    except ValueError:
        raise Invalid(
            N_("Ngày %(day)s/%(month)s/%(year)s không có trên lịch."), day=d, month=m, year=y
        ) from None


def not_in_future(value: date, today: date) -> date:
    """Dates of events that already happened (birth, death) cannot be after today."""
    if value > today:
        raise Invalid(N_("Ngày này chưa tới. Bạn hãy kiểm tra lại ngày tháng năm."))
    if value.year < 1900:
        raise Invalid(N_("Năm phải từ 1900 trở về sau."))
    return value


def age_on(born: date, today: date) -> int:
    """Whole years of age on a day."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def check_all(
    form: Mapping[str, str],
    checks: Mapping[str, Callable[[str], Any]],
    optional: Collection[str] = (),
) -> tuple[dict[str, Any], dict[str, Problem]]:
    """Each field through its check: (clean values, problems by field name).

    An optional field left empty is kept as ""; every field is checked, so the person sees
    all that is wrong at once.
    """
    values: dict[str, Any] = {}
    errors: dict[str, Problem] = {}
    for name, check in checks.items():
        raw = form.get(name, "")
        if name in optional and not raw.strip():
            values[name] = ""
            continue
        try:
            values[name] = check(raw)
        except Invalid as problem:
            errors[name] = problem.problem
    return values, errors
