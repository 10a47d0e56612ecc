"""How numbers, money and dates are written for people in Việt Nam."""

from __future__ import annotations

import unicodedata
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

# Việt Nam's one time zone: every local day and hour in the code is computed in it.
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
    return value.astimezone(LOCAL).strftime("%H:%M %d/%m/%Y")


def local_date(value: datetime) -> date:
    """The day in Việt Nam of a stored (UTC) moment."""
    return value.astimezone(LOCAL).date()


def without_marks(text: str) -> str:
    """Vietnamese without diacritics, case kept: what every SMS gateway and old phone shows."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sms(text: str, tail: str = "", limit: int = 160) -> str:
    """One SMS: no diacritics, single spaces, at most `limit` characters.

    `tail` (the link to the status page) is what the person needs most, so it is always kept
    whole; `text` is shortened at a word to make room. A tail too long for any text is sent
    alone rather than cut, since half a link is useless.
    """
    flat = " ".join(without_marks(text).split())
    end = " ".join(without_marks(tail).split())
    if not end:
        return shorten(flat, limit, "..")
    room = limit - len(end) - 1
    flat = shorten(flat, room, "..") if room > 0 else ""
    return f"{flat} {end}" if flat else end


def shorten(text: str, limit: int, mark: str = "…") -> str:
    """text on one line, at most `limit` characters: cut at a word and marked when too long.

    SMS use ".." (no "…" in a plain-letters message), so no cut sentence looks complete.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(mark)
    if room < 1:
        return ""
    head = text[: room + 1]  # one more: is the cut between two words?
    cut = head.rsplit(" ", 1)[0] if " " in head else head[:room]
    cut = cut.rstrip(" ,;:.-–")
    return f"{cut}{mark}" if cut else ""


def parse_hours(spec: str) -> list[tuple[str, str]]:
    """'07:30-11:30,13:30-17:00' → [('07:30', '11:30'), ('13:30', '17:00')]."""
    periods = []
    for part in spec.split(","):
        start, sep, end = part.strip().partition("-")
        if sep and start.strip() and end.strip():
            periods.append((start.strip(), end.strip()))
    return periods
