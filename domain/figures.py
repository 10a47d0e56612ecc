"""The figures of a unit or a province (QĐ 766/QĐ-TTg): what is counted, over which period.

Counting is services.figures's; this holds what the counts mean (the shares), the periods a
report may cover (a month or a quarter) and the columns a table of units is sorted by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Any

from domain.search import fold


@dataclass
class Figures:
    received: int = 0
    online: int = 0  # of those received, sent online
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    open_late: int = 0
    ratings: dict[str, int] = field(default_factory=dict)

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfied(self) -> int:
        return self.ratings.get("rat_hai_long", 0) + self.ratings.get("hai_long", 0)

    @property
    def satisfied_share(self) -> float | None:
        """Very satisfied or satisfied, among the ratings given (the satisfaction indicator)."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def on_time_share(self) -> float | None:
        """Finished before or on the due day, among those finished (the 20-point indicator)."""
        return (self.early + self.on_time) / self.finished if self.finished else None

    @property
    def online_share(self) -> float | None:
        """Sent online, among the dossiers received (the online services indicator)."""
        return self.online / self.received if self.received else None

    def add(self, other: Figures) -> None:
        """Count another unit's figures in with these."""
        for name in ("received", "online", "finished", "early", "on_time", "late", "open_late"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for value, count in other.ratings.items():
            self.ratings[value] = self.ratings.get(value, 0) + count


def summed(parts: Iterable[Figures]) -> Figures:
    """The figures of several units together."""
    total = Figures()
    for part in parts:
        total.add(part)
    return total


# --- Periods -----------------------------------------------------------------------------------

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-q([1-4])")
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter, by local days, inclusive."""

    year: int
    month: int | None = None  # 1–12 for a month
    quarter: int | None = None  # 1–4 for a quarter

    @property
    def key(self) -> str:
        """As in a URL: 2026-11 for a month, 2026-q4 for a quarter."""
        if self.quarter is not None:
            return f"{self.year}-q{self.quarter}"
        return f"{self.year}-{self.month:02d}"

    @property
    def first_month(self) -> int:
        return self.month if self.month is not None else 3 * (self.quarter or 1) - 2

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        months = 1 if self.quarter is None else 3
        after = self.first_month + months
        following = date(self.year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
        return following - timedelta(days=1)

    @property
    def roman_quarter(self) -> str:
        return ROMAN[(self.quarter or 1) - 1]


def month_of(day: date) -> Period:
    return Period(day.year, month=day.month)


def parse_period(raw: str | None) -> Period | None:
    """The month or quarter a URL names (2026-11, 2026-q4), or None for anything else."""
    text = (raw or "").strip().lower()
    if found := _MONTH.fullmatch(text):
        year, month = int(found[1]), int(found[2])
        return Period(year, month=month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
    if found := _QUARTER.fullmatch(text):
        year = int(found[1])
        return Period(year, quarter=int(found[2])) if 2000 <= year <= 2100 else None
    return None


def recent_periods(today: date, years: int = 2) -> tuple[list[Period], list[Period]]:
    """(months, quarters) of this year and the ones before, newest first, none in the future."""
    months = [
        Period(year, month=month)
        for year in range(today.year, today.year - years, -1)
        for month in range(12, 0, -1)
        if (year, month) <= (today.year, today.month)
    ]
    quarters = [
        Period(year, quarter=quarter)
        for year in range(today.year, today.year - years, -1)
        for quarter in range(4, 0, -1)
        if (year, 3 * quarter - 2) <= (today.year, today.month)
    ]
    return months, quarters


# --- Sorting a table of units ------------------------------------------------------------------

# URL key → what the column shows (an attribute of Figures, or the unit's name).
COLUMNS = {
    "don-vi": "name",
    "tiep-nhan": "received",
    "co-ket-qua": "finished",
    "truoc-han": "early",
    "dung-han": "on_time",
    "qua-han": "late",
    "ty-le-dung-han": "on_time_share",
    "dang-qua-han": "open_late",
    "truc-tuyen": "online_share",
    "hai-long": "satisfied_share",
    "danh-gia": "rated",
}
DEFAULT_COLUMN = "don-vi"


@dataclass(frozen=True)
class UnitRow:
    code: int
    name: str
    figures: Figures

    def value(self, column: str) -> Any:
        attribute = COLUMNS[column]
        return self.name if attribute == "name" else getattr(self.figures, attribute)


def first_direction(column: str) -> bool:
    """Whether a first click sorts descending: the biggest numbers first, names from A."""
    return column != DEFAULT_COLUMN


def sorted_rows(rows: Sequence[UnitRow], column: str, descending: bool) -> list[UnitRow]:
    """The rows by this column; a unit with no share to show (nothing counted) always last,
    and units with equal values by name, so the order never depends on the database's."""
    by_name = sorted(rows, key=lambda row: (fold(row.name), row.code))
    if column == DEFAULT_COLUMN:
        return by_name[::-1] if descending else by_name
    known = [row for row in by_name if row.value(column) is not None]
    unknown = [row for row in by_name if row.value(column) is None]
    # sorted() is stable: equal values keep the order by name, in either direction.
    ordered = sorted(known, key=lambda row: row.value(column) * (-1 if descending else 1))
    return ordered + unknown
