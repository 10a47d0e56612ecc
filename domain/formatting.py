"""How numbers, money and dates are written for people in Việt Nam."""

from __future__ import annotations

import unicodedata
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def money(amount_vnd: int) -> str:
    """20000 → '20.000 đ' (dots group thousands in Vietnamese)."""
    return f"{amount_vnd:,} đ".replace(",", ".")


def day(value: date | datetime | None) -> str:
    """A date as dd/mm/yyyy, the way every Vietnamese form writes it."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def moment(value: datetime | None) -> str:
    """A moment as HH:MM dd/mm/yyyy in Việt Nam's time (stored times are UTC)."""
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite gives back naive UTC
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(LOCAL).strftime("%H:%M %d/%m/%Y")


def local_date(value: datetime) -> date:
    """The day in Việt Nam of a stored (UTC) moment."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(LOCAL).date()


def without_marks(text: str) -> str:
    """Vietnamese without diacritics, case kept: what every SMS gateway and old phone shows."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sms(text: str, limit: int = 160) -> str:
    """One SMS: no diacritics, single spaces, at most `limit` characters (cut at a word)."""
    flat = " ".join(without_marks(text).split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "."


def parse_hours(spec: str) -> list[tuple[str, str]]:
    """'07:30-11:30,13:30-17:00' → [('07:30', '11:30'), ('13:30', '17:00')]."""
    periods = []
    for part in spec.split(","):
        start, sep, end = part.strip().partition("-")
        if sep and start.strip() and end.strip():
            periods.append((start.strip(), end.strip()))
    return periods
