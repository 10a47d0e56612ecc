"""Working days and due dates: when a dossier's clock starts, stops and runs out.

- Working days are Monday to Friday, minus public holidays (the `holidays` package's, read from
  data/holidays/VN.json, which tools/holidays_table.py writes from it), plus the
  weekend days the government declares worked in exchange, plus the administrator's overrides.

One rule counts every time limit (reference/domain.md §2.4):

- The day of receipt is not counted (Bộ luật Dân sự 2015 art. 147: "ngày đầu tiên của thời
  hạn không được tính"). N working days end on the N-th working day after it: 3 working days
  from Monday 07/12/2026 09:00 end on Thursday 10/12. A dossier received on a day off (online,
  or at a centre open that day by exception) is taken as received on the next working day,
  which is then the day not counted. The hour of receipt does not matter here: the day is
  not counted anyway.
- Same-day procedures ("trong ngày": a limit under one day, 0 included, as hộ tịch and
  chứng thực have) are due on the day of receipt, or on the next working day when received
  at or after 15:00 or on a day off (Luật Hộ tịch and the chứng thực rules: "trường hợp nhận
  hồ sơ sau 15 giờ mà không giải quyết được ngay thì trả kết quả trong ngày làm việc tiếp
  theo"). The 15:00 cut-off belongs to these alone, not to every limit (domain.md §2.4).
- Calendar days and months start from the same day of receipt, also not counted (art. 147),
  and an end on a day off moves to the next working day (art. 148). Counted from the same
  day, the N-th calendar day is never after the N-th working day: "1 DAY" is never later
  than "1 WORKING_DAY".
- Hours are working hours, 8 to a working day: under 8 hours is a same-day limit, more is
  rounded up to whole working days, so 8 N hours end when N working days do (counting whole
  days; art. 147(1) starts an hours limit at the moment of receipt, which a date cannot show,
  and rounding up never promises less than the law gives). Fractions of days round up.
- While a supplement or a payment is awaited the clock stops; the due date moves by the
  working days paused, counted as a limit is: those in (the day asked, the day answered].
  Answered the same day, at whatever hour, a pause adds nothing.

No computation grows with the distance between two dates: weeks are counted arithmetically,
and the days that break the weekly pattern (holidays on weekdays, worked weekends, the
administrator's overrides) are counted from sorted lists. A far date (31/12/9999 was once
typed as an apology date) costs what a near one does.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING
from typing import Any

from domain.formatting import LOCAL
from domain.formatting import day as day_text
from domain.messages import N_
from domain.messages import Invalid
from domain.procedures import TIME_UNITS

CUT_OFF = time(15, 0)  # a same-day dossier received at or after this is due the next working day
HOURS_PER_WORKING_DAY = 8
ONE_DAY = timedelta(days=1)

EARLY = "early"  # trước hạn
ON_TIME = "on_time"  # đúng hạn
LATE = "late"  # quá hạn
ON_TIME_CLASSES = (EARLY, ON_TIME, LATE)

WEEKEND_NAMES = {5: N_("Thứ Bảy"), 6: N_("Chủ nhật")}
LOCAL_DAY_OFF = N_("Ngày nghỉ theo thông báo của địa phương")

# The holidays package's answers for Việt Nam, year by year: importing the package loads all
# its countries and calendars, 18 MB in every web worker, for days fixed in advance.
HOLIDAY_TABLE = Path(__file__).resolve().parents[1] / "data" / "holidays" / "VN.json"


@cache
def _table() -> Mapping[str, Any]:
    return json.loads(HOLIDAY_TABLE.read_text(encoding="utf-8"))


@cache
def _holiday_names(year: int, language: str = "vi") -> Mapping[date, str]:
    """The national days off of one year, with their names in one language ('vi' or 'en')."""
    table = _table()
    names = table["names"].get(language) or table["names"]["vi"]
    days = table["years"].get(str(year), {}).get("off", [])
    return MappingProxyType({date.fromisoformat(day): names[at] for day, at in days})


@cache
def _makeup_days(year: int) -> frozenset[date]:
    """The weekend days of one year worked in exchange for a weekday off (e.g. 2026-08-22)."""
    days = _table()["years"].get(str(year), {}).get("worked", [])
    return frozenset(date.fromisoformat(day) for day in days)


# The years the package knows for Việt Nam (1901-2100 today); outside them only weekends are
# off, so no year outside needs looking at.
HOLIDAY_YEARS = range(_table()["first_year"], _table()["last_year"] + 1)


@cache
def _exceptions(year: int) -> tuple[tuple[date, ...], tuple[date, ...]]:
    """(weekdays off, weekend days worked) of one year by the national calendar, sorted."""
    names = _holiday_names(year)
    off = sorted(d for d in names if d.weekday() < 5)
    worked = sorted(d for d in _makeup_days(year) if d.weekday() >= 5 and d not in names)
    return tuple(off), tuple(worked)


def _nationally_working(d: date) -> bool:
    if d in _holiday_names(d.year):
        return False
    return d.weekday() < 5 or d in _makeup_days(d.year)


def _count_in(days: Sequence[date], a: date, b: date) -> int:
    """How many of the sorted days lie in (a, b]."""
    return bisect_right(days, b) - bisect_right(days, a)


def _weekdays_between(a: date, b: date) -> int:
    """Mondays to Fridays in (a, b], for a <= b."""
    weeks, rest = divmod((b - a).days, 7)
    first = (a.weekday() + 1) % 7  # the weekday of a + 1
    return weeks * 5 + sum((first + i) % 7 < 5 for i in range(rest))


def _day(value: date) -> date:
    """A date, even when given a datetime (they never compare equal to dates)."""
    return value.date() if isinstance(value, datetime) else value


def _local(moment: datetime) -> tuple[date, time]:
    """The date and time of a moment in Việt Nam."""
    # Naive times are already Việt Nam's; an aware one may be UTC from the database.
    local = moment.astimezone(LOCAL) if moment.utcoffset() is not None else moment
    return local.date(), local.time()


def add_months(start: date, months: int) -> date:
    """start moved by whole months; a day the month lacks becomes its last day (31/1 → 28/2)."""
    years, month_index = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month_index + 1
    last_day = ((date(year, month, 28) + timedelta(days=4)).replace(day=1) - ONE_DAY).day
    return date(year, month, min(start.day, last_day))


@dataclass(frozen=True, init=False)
class WorkCalendar:
    """The national working calendar with one centre's administrator overrides."""

    extra_days_off: frozenset[date]
    extra_working_days: frozenset[date]
    if TYPE_CHECKING:  # set in __init__, not dataclass fields (they take no part in equality)
        _gained: tuple[date, ...]
        _lost: tuple[date, ...]

    def __init__(
        self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()
    ) -> None:
        days_off = frozenset(_day(d) for d in extra_days_off)
        working_days = frozenset(_day(d) for d in extra_working_days)
        if clash := days_off & working_days:
            raise ValueError(f"days both off and worked: {sorted(clash)}")
        # The dataclass is frozen; this is the one place its fields are set.
        object.__setattr__(self, "extra_days_off", days_off)
        object.__setattr__(self, "extra_working_days", working_days)
        # The overrides that change something, sorted for counting: not fields, so they take
        # no part in equality.
        gained = sorted(d for d in working_days if not _nationally_working(d))
        lost = sorted(d for d in days_off if _nationally_working(d))
        object.__setattr__(self, "_gained", tuple(gained))
        object.__setattr__(self, "_lost", tuple(lost))

    def is_working_day(self, d: date) -> bool:
        """Whether the centre works on d."""
        # The administrator's word wins: they know of local decisions (a storm, a provincial
        # day off) the package cannot.
        if d in self.extra_working_days:
            return True
        if d in self.extra_days_off or d in _holiday_names(d.year):
            return False
        return d.weekday() < 5 or d in _makeup_days(d.year)

    def day_off_reason(self, d: date, language: str = "vi") -> str | None:
        """Why d is not a working day, for display ('vi' or 'en'); None on a working day."""
        if self.is_working_day(d):
            return None
        names = _holiday_names(d.year, language)
        if d in names:
            return names[d]
        if d in self.extra_days_off:
            return LOCAL_DAY_OFF
        return WEEKEND_NAMES[d.weekday()]

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        d += ONE_DAY
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after start (before it when n < 0); start itself when n == 0."""
        if n == 0:
            return start
        count = abs(n)
        if n > 0:
            # Working days in (start, start + k]: the answer is start + the least k giving n.
            def reached(k: int) -> int:
                return self.working_days_between(start, start + timedelta(days=k))
        else:
            # Working days in [start - k, start): the answer is start - the least k giving n.
            def reached(k: int) -> int:
                return self.working_days_between(start - timedelta(days=k + 1), start - ONE_DAY)

        # At most one working day a day, so fewer than n days never suffice: search upwards
        # by doubling, then halve the gap. Both take a few dozen counts, each of them cheap.
        room = (date.max - start).days if n > 0 else (start - date.min).days - 1
        low, high = count - 1, min(count, room)
        while reached(high) < count:
            if high == room:
                raise OverflowError("date value out of range")
            low, high = high, min(high * 2, room)
        while high - low > 1:
            middle = (low + high) // 2
            if reached(middle) >= count:
                high = middle
            else:
                low = middle
        return start + timedelta(days=high) if n > 0 else start - timedelta(days=high)

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days in (a, b]; minus those in (b, a] when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        count = _weekdays_between(a, b)
        for year in range(
            max(a.year, HOLIDAY_YEARS.start), min(b.year, HOLIDAY_YEARS.stop - 1) + 1
        ):
            off, worked = _exceptions(year)
            count += _count_in(worked, a, b) - _count_in(off, a, b)
        return count + _count_in(self._gained, a, b) - _count_in(self._lost, a, b)

    def reception_day(self, received_at: datetime) -> date:
        """The day a same-day dossier is due: that day before 15:00 if working, else the next."""
        d, at = _local(received_at)
        if self.is_working_day(d) and at < CUT_OFF:
            return d
        return self.next_working_day(d)

    def day_of_receipt(self, received_at: datetime) -> date:
        """The day of receipt, not counted in a limit: that day if working, else the next one."""
        d, _at = _local(received_at)
        return self._working_on_or_after(d)

    def due_date(self, received_at: datetime, qty: float, unit: str) -> date:
        """The last day to return the result; unit is one of TIME_UNITS (see the module doc)."""
        if unit not in TIME_UNITS:
            raise ValueError(f"unknown time unit {unit!r}")
        if not math.isfinite(qty) or qty < 0:
            raise ValueError(f"a time limit is a number of 0 or more, not {qty!r}")
        days = qty / HOURS_PER_WORKING_DAY if unit == "HOUR" else qty
        # A month is never a same-day limit, but 0 months is no time at all.
        if (days < 1 and unit != "MONTH") or days == 0:
            return self.reception_day(received_at)
        start = self.day_of_receipt(received_at)
        if unit == "DAY":
            return self._working_on_or_after(start + timedelta(days=math.ceil(days)))
        if unit == "MONTH":
            return self._working_on_or_after(add_months(start, math.ceil(days)))
        return self.add_working_days(start, math.ceil(days))

    def extend_for_pause(self, due: date, paused_from: date, resumed_on: date) -> date:
        """The due date after a pause: later by the working days in (paused_from, resumed_on]."""
        # Counted as a limit is (art. 147): the day asked is not a day paused, the day answered
        # is. Pass the local date of the answer, not reception_day(): the 15:00 cut-off is
        # for same-day procedures, and used here each round trip after 15:00 added a day.
        paused = self.working_days_between(paused_from, resumed_on)
        return self.add_working_days(due, paused) if paused > 0 else due

    def working_days_left(self, today: date, due: date) -> int:
        """Working days from today to due: 0 on the due day, negative (at least 1) once late."""
        if today == due:
            return 0
        left = self.working_days_between(today, due)
        # Keep the sign of on_time_class: on the Saturday after a Friday due date it is late.
        return max(left, 1) if today < due else min(left, -1)

    def _working_on_or_after(self, d: date) -> date:
        """d when it is a working day, else the next one."""
        return d if self.is_working_day(d) else self.next_working_day(d)


def override_window(today: date) -> tuple[date, date]:
    """The first and last day an administrator may mark as off or worked, today.

    From 1 January of last year, because a day off found late (a storm) still moves the due
    dates of dossiers then running, to 31 December of next year, because the government
    announces a year's days off and make-up days in the autumn before.
    """
    return date(today.year - 1, 1, 1), date(today.year + 1, 12, 31)


def check_override_day(day: date | None, today: date) -> date:
    """The day an administrator chose to mark, or Invalid (about the "day" field)."""
    if day is None:
        raise Invalid(N_("Bạn hãy chọn ngày."), field="day")
    first, last = override_window(today)
    if not first <= day <= last:
        raise Invalid(
            N_("Bạn hãy chọn một ngày từ %(first)s đến %(last)s."),
            field="day",
            first=day_text(first),
            last=day_text(last),
        )
    return day


def on_time_class(finished_on: date, due: date) -> str:
    """QĐ 766 class of a result, by calendar day: 'early', 'on_time' or 'late'."""
    return lateness_class((finished_on - due).days)


def lateness_class(days_after_due: int) -> str:
    """The same class from how many calendar days after its due day a result came (before
    it: negative). The figures count it from that number, which the database works out
    for a whole month of dossiers at once, and this stays the only place saying the rule."""
    if days_after_due < 0:
        return EARLY
    return ON_TIME if days_after_due == 0 else LATE
