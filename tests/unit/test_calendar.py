"""Working days, the 15:00 cut-off, due dates and pauses, on the real 2026 calendar."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from domain.calendar import LOCAL_DAY_OFF
from domain.calendar import WorkCalendar
from domain.calendar import on_time_class
from domain.procedures import TIME_UNITS

NATIONAL = WorkCalendar()


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss)


# ---- the national calendar -------------------------------------------------------------


def test_tet_2026_is_off_from_monday_to_friday() -> None:
    tet = [date(2026, 2, 16) + timedelta(days=i) for i in range(5)]
    assert not any(NATIONAL.is_working_day(d) for d in tet)
    assert NATIONAL.is_working_day(date(2026, 2, 13))
    assert NATIONAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert NATIONAL.day_off_reason(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_other_2026_holidays() -> None:
    for off in [(1, 1), (4, 27), (4, 30), (5, 1), (8, 31), (9, 1), (9, 2), (11, 24)]:
        assert not NATIONAL.is_working_day(date(2026, *off)), off
    assert NATIONAL.day_off_reason(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert NATIONAL.day_off_reason(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert NATIONAL.is_working_day(date(2026, 11, 23))


def test_saturday_22_august_2026_is_worked_for_monday_31_august() -> None:
    assert NATIONAL.is_working_day(date(2026, 8, 22))
    assert NATIONAL.day_off_reason(date(2026, 8, 22)) is None
    assert NATIONAL.day_off_reason(date(2026, 8, 31)) == "Ngày nghỉ (thay cho ngày 22/08/2026)"
    assert not NATIONAL.is_working_day(date(2026, 8, 23))  # the Sunday stays off
    # (17, 24]: Tuesday to Friday, the Saturday, and Monday.
    assert NATIONAL.working_days_between(date(2026, 8, 17), date(2026, 8, 24)) == 6


def test_day_off_reasons() -> None:
    assert NATIONAL.day_off_reason(date(2026, 3, 2)) is None
    assert NATIONAL.day_off_reason(date(2026, 3, 7)) == "Thứ Bảy"
    assert NATIONAL.day_off_reason(date(2026, 3, 8)) == "Chủ nhật"
    # Vietnamese whatever the process locale says; English when asked.
    assert NATIONAL.day_off_reason(date(2026, 9, 2)) == "Quốc khánh"
    assert NATIONAL.day_off_reason(date(2026, 9, 2), "en") == "National Day"
    local = WorkCalendar(extra_days_off=[date(2026, 3, 6)])
    assert local.day_off_reason(date(2026, 3, 6)) == LOCAL_DAY_OFF


def test_add_and_count_working_days() -> None:
    assert NATIONAL.add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    assert NATIONAL.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    assert NATIONAL.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert NATIONAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert NATIONAL.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1
    assert NATIONAL.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


# ---- reception and the 15:00 cut-off ---------------------------------------------------


def test_cut_off_is_15_00_sharp() -> None:
    assert NATIONAL.reception_day(at(2026, 3, 2, 14, 59, 59)) == date(2026, 3, 2)
    assert NATIONAL.reception_day(at(2026, 3, 2, 15, 0, 0)) == date(2026, 3, 3)


def test_friday_afternoon_same_day_work_is_due_on_monday() -> None:
    assert NATIONAL.reception_day(at(2026, 3, 6, 15, 30)) == date(2026, 3, 9)
    assert NATIONAL.due_date(at(2026, 3, 6, 15, 30), 0, "WORKING_DAY") == date(2026, 3, 9)


def test_a_day_off_counts_from_the_next_working_day() -> None:
    assert NATIONAL.reception_day(at(2026, 3, 7, 8)) == date(2026, 3, 9)
    assert NATIONAL.reception_day(at(2026, 2, 13, 15, 30)) == date(2026, 2, 23)
    assert NATIONAL.reception_day(at(2026, 8, 22, 9)) == date(2026, 8, 22)
    assert NATIONAL.day_of_receipt(at(2026, 3, 7, 8)) == date(2026, 3, 9)
    # The hour does not move the day of receipt: only same-day work has a cut-off.
    assert NATIONAL.day_of_receipt(at(2026, 2, 13, 15, 30)) == date(2026, 2, 13)


def test_aware_times_are_read_in_viet_nam() -> None:
    # 07:59 UTC is 14:59 in Hà Nội, 08:00 UTC is 15:00.
    assert NATIONAL.reception_day(datetime(2026, 3, 2, 7, 59, tzinfo=UTC)) == date(2026, 3, 2)
    assert NATIONAL.reception_day(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)) == date(2026, 3, 3)
    # Sunday 20:00 UTC is already Monday 03:00 local.
    assert NATIONAL.reception_day(datetime(2026, 3, 1, 20, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert NATIONAL.day_of_receipt(datetime(2026, 3, 1, 20, 0, tzinfo=UTC)) == date(2026, 3, 2)


# ---- due dates -------------------------------------------------------------------------


def test_the_day_of_receipt_is_not_counted() -> None:
    # Bộ luật Dân sự 2015 art. 147: Monday 07/12/2026 09:00 + 3 working days is Thursday.
    assert NATIONAL.due_date(at(2026, 12, 7, 9), 3, "WORKING_DAY") == date(2026, 12, 10)
    assert NATIONAL.due_date(at(2026, 3, 3, 9), 1, "WORKING_DAY") == date(2026, 3, 4)
    # After 15:00 the day is still the day of receipt: it is not counted either way.
    assert NATIONAL.due_date(at(2026, 12, 7, 16), 3, "WORKING_DAY") == date(2026, 12, 10)
    assert NATIONAL.due_date(at(2026, 3, 3, 15), 1, "WORKING_DAY") == date(2026, 3, 4)
    # Received on a Saturday: taken as received on Monday, which is not counted.
    assert NATIONAL.due_date(at(2026, 12, 5, 10), 3, "WORKING_DAY") == date(2026, 12, 10)
    assert NATIONAL.due_date(at(2026, 12, 5, 10), 1, "DAY") == date(2026, 12, 8)


@pytest.mark.parametrize("unit", ["WORKING_DAY", "DAY", "HOUR", "MONTH"])
@pytest.mark.parametrize(
    ("received_at", "due"),
    [
        (at(2026, 12, 7, 9), date(2026, 12, 7)),  # before 15:00: the same day
        (at(2026, 12, 7, 14, 59, 59), date(2026, 12, 7)),
        (at(2026, 12, 7, 15), date(2026, 12, 8)),  # from 15:00: the next working day
        (at(2026, 12, 11, 16), date(2026, 12, 14)),  # Friday afternoon: Monday
        (at(2026, 12, 12, 9), date(2026, 12, 14)),  # a Saturday: Monday
        (at(2026, 4, 29, 15, 30), date(2026, 5, 4)),  # before 30/04 and 01/05
    ],
)
def test_same_day_procedures_and_the_15_00_cut_off(
    received_at: datetime, due: date, unit: str
) -> None:
    # "Trong ngày" is 0 in the data, whatever the unit.
    assert NATIONAL.due_date(received_at, 0, unit) == due


def test_a_limit_under_one_day_is_same_day_work() -> None:
    monday = at(2026, 3, 2)
    assert NATIONAL.due_date(monday, 0.5, "WORKING_DAY") == date(2026, 3, 2)
    assert NATIONAL.due_date(monday, 0.5, "DAY") == date(2026, 3, 2)
    assert NATIONAL.due_date(at(2026, 3, 2, 15, 30), 4, "HOUR") == date(2026, 3, 3)
    assert NATIONAL.due_date(monday, 7.5, "HOUR") == date(2026, 3, 2)


# Due dates across the holidays of data/holidays/VN.json; LOCAL has the commune's declared
# days: Wednesday 09/12/2026 off (a storm), Saturday 12/12/2026 worked.
LOCAL = WorkCalendar(extra_days_off=[date(2026, 12, 9)], extra_working_days=[date(2026, 12, 12)])


@pytest.mark.parametrize(
    ("calendar", "received_at", "qty", "unit", "due"),
    [
        # 26/04 Giỗ Tổ is a Sunday, 27/04 replaces it; 30/04 and 01/05 are off.
        (NATIONAL, at(2026, 4, 24, 10), 3, "WORKING_DAY", date(2026, 5, 4)),
        (NATIONAL, at(2026, 4, 24, 10), 1, "WORKING_DAY", date(2026, 4, 28)),
        (NATIONAL, at(2026, 4, 24, 10), 1, "DAY", date(2026, 4, 28)),  # Saturday 25/04 moves
        (NATIONAL, at(2026, 4, 29, 10), 2, "WORKING_DAY", date(2026, 5, 5)),
        # 31/08 (for Saturday 22/08, worked), 01/09 and 02/09 are off.
        (NATIONAL, at(2026, 8, 28), 3, "WORKING_DAY", date(2026, 9, 7)),
        (NATIONAL, at(2026, 8, 20), 2, "WORKING_DAY", date(2026, 8, 22)),  # a worked Saturday
        (NATIONAL, at(2026, 11, 23, 14), 1, "WORKING_DAY", date(2026, 11, 25)),  # 24/11 off
        # Tết 2027: Thursday 04/02 to Wednesday 10/02 off.
        (NATIONAL, at(2027, 2, 3, 9), 1, "WORKING_DAY", date(2027, 2, 11)),
        (NATIONAL, at(2027, 2, 3, 9), 3, "WORKING_DAY", date(2027, 2, 15)),
        (NATIONAL, at(2027, 2, 3, 16), 0, "WORKING_DAY", date(2027, 2, 11)),
        (NATIONAL, at(2027, 2, 3, 9), 0, "WORKING_DAY", date(2027, 2, 3)),
        (NATIONAL, at(2027, 2, 8, 10), 3, "WORKING_DAY", date(2027, 2, 16)),  # sent in Tết
        (NATIONAL, at(2027, 2, 1, 9), 5, "DAY", date(2027, 2, 11)),  # 06/02 falls in Tết
        (NATIONAL, at(2027, 1, 29, 9), 3, "WORKING_DAY", date(2027, 2, 3)),
        # The commune's declared days.
        (NATIONAL, at(2026, 12, 7, 9), 3, "WORKING_DAY", date(2026, 12, 10)),
        (LOCAL, at(2026, 12, 7, 9), 3, "WORKING_DAY", date(2026, 12, 11)),  # 09/12 off
        (LOCAL, at(2026, 12, 9, 9), 0, "WORKING_DAY", date(2026, 12, 10)),  # received on it
        (NATIONAL, at(2026, 12, 10, 9), 3, "WORKING_DAY", date(2026, 12, 15)),
        (LOCAL, at(2026, 12, 10, 9), 3, "WORKING_DAY", date(2026, 12, 14)),  # 12/12 worked
        (LOCAL, at(2026, 12, 12, 9), 0, "WORKING_DAY", date(2026, 12, 12)),
        (LOCAL, at(2026, 12, 12, 9), 1, "WORKING_DAY", date(2026, 12, 14)),
    ],
)
def test_due_dates_around_days_off(
    calendar: WorkCalendar, received_at: datetime, qty: float, unit: str, due: date
) -> None:
    assert calendar.due_date(received_at, qty, unit) == due


def test_the_holiday_table_has_the_days_the_due_date_table_assumes() -> None:
    off = [date(2026, 4, 26), date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1)]
    off += [date(2027, 2, 4) + timedelta(days=i) for i in range(7)]
    assert not any(NATIONAL.is_working_day(d) for d in off)
    assert [NATIONAL.is_working_day(date(2026, 4, d)) for d in (24, 28, 29)] == [True] * 3
    assert NATIONAL.is_working_day(date(2027, 2, 3))
    assert NATIONAL.is_working_day(date(2027, 2, 11))


def test_hours_round_up_to_whole_working_days() -> None:
    monday = at(2026, 3, 2)
    assert NATIONAL.due_date(monday, 1.5, "WORKING_DAY") == date(2026, 3, 4)
    assert NATIONAL.due_date(monday, 8, "HOUR") == date(2026, 3, 3)
    assert NATIONAL.due_date(monday, 12, "HOUR") == date(2026, 3, 4)
    assert NATIONAL.due_date(monday, 40, "HOUR") == date(2026, 3, 9)


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day() -> None:
    assert NATIONAL.due_date(at(2026, 3, 2), 4, "DAY") == date(2026, 3, 6)
    assert NATIONAL.due_date(at(2026, 3, 2), 6, "DAY") == date(2026, 3, 9)  # a Sunday
    assert NATIONAL.due_date(at(2026, 8, 26), 5, "DAY") == date(2026, 9, 3)  # 31/8 to 2/9 off
    assert NATIONAL.due_date(at(2026, 2, 9), 7, "DAY") == date(2026, 2, 23)  # into Tết
    # One calendar day from a Friday is the Saturday, so Monday: as one working day.
    assert NATIONAL.due_date(at(2026, 3, 6), 1, "DAY") == date(2026, 3, 9)
    assert NATIONAL.due_date(at(2026, 3, 6), 1, "WORKING_DAY") == date(2026, 3, 9)


def test_months_keep_the_day_of_the_month() -> None:
    assert NATIONAL.due_date(at(2026, 3, 10), 1, "MONTH") == date(2026, 4, 10)
    # 28/2/2026 is a Saturday.
    assert NATIONAL.due_date(at(2026, 1, 30), 1, "MONTH") == date(2026, 3, 2)
    # 30/4 and 1/5 are holidays, then a weekend.
    assert NATIONAL.due_date(at(2026, 3, 31), 1, "MONTH") == date(2026, 5, 4)
    assert NATIONAL.due_date(at(2026, 12, 15), 2, "MONTH") == date(2027, 2, 15)
    # Received on Saturday 07/03: counted from Monday 09/03.
    assert NATIONAL.due_date(at(2026, 3, 7), 1, "MONTH") == date(2026, 4, 9)


def test_bad_time_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="unit"):
        NATIONAL.due_date(at(2026, 3, 2), 1, "OTHER")
    with pytest.raises(ValueError, match="number"):
        NATIONAL.due_date(at(2026, 3, 2), -1, "DAY")
    with pytest.raises(ValueError, match="number"):
        NATIONAL.due_date(at(2026, 3, 2), float("nan"), "DAY")


# ---- administrator overrides -----------------------------------------------------------


def test_an_extra_day_off_moves_a_due_date() -> None:
    assert NATIONAL.due_date(at(2026, 3, 2), 4, "WORKING_DAY") == date(2026, 3, 6)
    storm = WorkCalendar(extra_days_off=[date(2026, 3, 4)])
    assert storm.due_date(at(2026, 3, 2), 4, "WORKING_DAY") == date(2026, 3, 9)
    assert storm.reception_day(at(2026, 3, 4, 9)) == date(2026, 3, 5)


def test_an_extra_working_saturday_counts() -> None:
    saturday = date(2026, 3, 7)
    busy = WorkCalendar(extra_working_days=[saturday])
    assert busy.is_working_day(saturday)
    assert busy.due_date(at(2026, 3, 2), 5, "WORKING_DAY") == saturday
    assert busy.reception_day(at(2026, 3, 7, 10)) == saturday
    assert NATIONAL.due_date(at(2026, 3, 2), 5, "WORKING_DAY") == date(2026, 3, 9)


def test_overrides_win_over_the_national_calendar() -> None:
    local = WorkCalendar(
        extra_days_off=[datetime(2026, 8, 22, 0, 0)], extra_working_days=[date(2026, 11, 24)]
    )
    assert not local.is_working_day(date(2026, 8, 22))  # a datetime is read as its date
    assert local.is_working_day(date(2026, 11, 24))


def test_a_day_cannot_be_both_off_and_worked() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(extra_days_off=[date(2026, 3, 7)], extra_working_days=[date(2026, 3, 7)])


# ---- pauses, on-time classes, days left -------------------------------------------------


def test_a_pause_moves_the_due_date_by_the_working_days_paused() -> None:
    due = date(2026, 3, 13)
    # Asked Monday, answered Wednesday: Tuesday and Wednesday are paused (art. 147, as a limit).
    assert NATIONAL.extend_for_pause(due, date(2026, 3, 2), date(2026, 3, 4)) == date(2026, 3, 17)
    # Answered the same day, at any hour: nothing is added.
    assert NATIONAL.extend_for_pause(due, date(2026, 3, 2), date(2026, 3, 2)) == due
    # Asked Friday, answered Monday: one working day.
    assert NATIONAL.extend_for_pause(due, date(2026, 3, 6), date(2026, 3, 9)) == date(2026, 3, 16)
    assert NATIONAL.extend_for_pause(due, date(2026, 3, 7), date(2026, 3, 8)) == due  # a weekend
    assert NATIONAL.extend_for_pause(due, date(2026, 3, 4), date(2026, 3, 2)) == due  # reversed
    # Over Tết 2026 (16/2 to 20/2 off) only Monday 23/2, the day answered, counts.
    tet_due = date(2026, 2, 25)
    assert NATIONAL.extend_for_pause(tet_due, date(2026, 2, 13), date(2026, 2, 23)) == date(
        2026, 2, 26
    )


def test_on_time_classes_compare_calendar_days() -> None:
    due = date(2026, 3, 6)
    assert on_time_class(date(2026, 3, 5), due) == "early"
    assert on_time_class(due, due) == "on_time"
    assert on_time_class(date(2026, 3, 7), due) == "late"


def test_working_days_left() -> None:
    due = date(2026, 3, 6)  # a Friday
    assert NATIONAL.working_days_left(date(2026, 3, 2), due) == 4
    assert NATIONAL.working_days_left(due, due) == 0
    assert NATIONAL.working_days_left(date(2026, 3, 7), due) == -1  # late on the Saturday
    assert NATIONAL.working_days_left(date(2026, 3, 9), due) == -1
    assert NATIONAL.working_days_left(date(2026, 3, 10), due) == -2
    assert NATIONAL.working_days_left(date(2026, 2, 13), date(2026, 2, 23)) == 1


# ---- properties ------------------------------------------------------------------------

FAST = settings(max_examples=100, deadline=None)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31))
quantities = st.integers(min_value=0, max_value=120).map(lambda half_days: half_days / 2)


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    off = draw(st.frozensets(days, max_size=20))
    worked = draw(st.frozensets(days, max_size=20))
    return WorkCalendar(extra_days_off=off, extra_working_days=worked - off)


@FAST
@given(calendars(), moments, quantities, st.sampled_from(TIME_UNITS))
def test_a_due_date_is_a_working_day(
    calendar: WorkCalendar, received_at: datetime, qty: float, unit: str
) -> None:
    due = calendar.due_date(received_at, qty, unit)
    assert calendar.is_working_day(due)
    assert due >= calendar.reception_day(received_at) >= received_at.date()


@FAST
@given(calendars(), moments, quantities, quantities, st.sampled_from(TIME_UNITS))
def test_more_time_never_gives_an_earlier_date(
    calendar: WorkCalendar, received_at: datetime, qty: float, more: float, unit: str
) -> None:
    assert calendar.due_date(received_at, qty, unit) <= calendar.due_date(
        received_at, qty + more, unit
    )


whole = st.integers(min_value=1, max_value=60)


@FAST
@given(calendars(), moments, whole)
def test_n_working_days_are_counted_after_the_day_of_receipt(
    calendar: WorkCalendar, received_at: datetime, n: int
) -> None:
    first = calendar.day_of_receipt(received_at)
    assert calendar.is_working_day(first)
    due = calendar.due_date(received_at, n, "WORKING_DAY")
    assert calendar.working_days_between(first, due) == n  # the day of receipt not among them


@FAST
@given(calendars(), moments, whole)
def test_calendar_days_are_never_later_than_as_many_working_days(
    calendar: WorkCalendar, received_at: datetime, n: int
) -> None:
    calendar_days = calendar.due_date(received_at, n, "DAY")
    assert calendar_days <= calendar.due_date(received_at, n, "WORKING_DAY")
    assert calendar_days >= calendar.day_of_receipt(received_at) + timedelta(days=n)


@FAST
@given(calendars(), moments, whole)
def test_eight_hours_are_one_working_day(
    calendar: WorkCalendar, received_at: datetime, n: int
) -> None:
    assert calendar.due_date(received_at, 8 * n, "HOUR") == calendar.due_date(
        received_at, n, "WORKING_DAY"
    )


@FAST
@given(calendars(), moments, st.sampled_from(TIME_UNITS))
def test_same_day_work_is_due_that_day_before_15_00_else_the_next_working_day(
    calendar: WorkCalendar, received_at: datetime, unit: str
) -> None:
    due = calendar.due_date(received_at, 0, unit)
    d = received_at.date()
    if calendar.is_working_day(d) and received_at.hour < 15:
        assert due == d
    else:
        assert due == calendar.next_working_day(d)
    assert due <= calendar.due_date(received_at, 1, unit)


@FAST
@given(calendars(), moments, st.integers(min_value=0, max_value=10 * 24 * 60), quantities)
def test_a_later_receipt_is_never_due_earlier(
    calendar: WorkCalendar, received_at: datetime, minutes: int, qty: float
) -> None:
    later = received_at + timedelta(minutes=minutes)
    for unit in TIME_UNITS:
        assert calendar.due_date(received_at, qty, unit) <= calendar.due_date(later, qty, unit)


@FAST
@given(calendars(), days, days)
def test_a_supplement_answered_the_same_day_adds_nothing(
    calendar: WorkCalendar, due: date, day: date
) -> None:
    assert calendar.extend_for_pause(due, day, day) == due


@FAST
@given(calendars(), days, days, st.integers(min_value=-10, max_value=40))
def test_a_pause_never_shortens_a_deadline(
    calendar: WorkCalendar, due: date, paused_from: date, length: int
) -> None:
    resumed_on = paused_from + timedelta(days=length)
    extended = calendar.extend_for_pause(due, paused_from, resumed_on)
    assert extended >= due
    paused = calendar.working_days_between(paused_from, resumed_on)
    if calendar.is_working_day(due):
        assert calendar.working_days_between(due, extended) == max(paused, 0)


@FAST
@given(calendars(), days, st.integers(min_value=-60, max_value=60))
def test_adding_then_counting_working_days_gives_n_back(
    calendar: WorkCalendar, start: date, n: int
) -> None:
    start = calendar.reception_day(datetime(start.year, start.month, start.day))
    end = calendar.add_working_days(start, n)
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == n


@FAST
@given(calendars(), days, st.integers(min_value=-40, max_value=40))
def test_days_left_agrees_with_the_on_time_class(
    calendar: WorkCalendar, today: date, offset: int
) -> None:
    due = today + timedelta(days=offset)
    left = calendar.working_days_left(today, due)
    expected = {"early": 1, "on_time": 0, "late": -1}[on_time_class(today, due)]
    assert (left > 0) - (left < 0) == expected


# ---- counting without walking day by day -------------------------------------------------

wide_days = st.dates(min_value=date(1895, 1, 1), max_value=date(2110, 12, 31))


def count_day_by_day(calendar: WorkCalendar, a: date, b: date) -> int:
    """The definition: every day of (a, b] looked at; minus (b, a] when b is before a."""
    if b < a:
        return -count_day_by_day(calendar, b, a)
    return sum(calendar.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


def add_day_by_day(calendar: WorkCalendar, start: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    d = start
    for _ in range(abs(n)):
        d += step
        while not calendar.is_working_day(d):
            d += step
    return d


@st.composite
def wide_calendars(draw: st.DrawFn) -> tuple[WorkCalendar, date]:
    """A commune's overrides clustered around a day, so that spans meet them often."""
    centre = draw(wide_days)
    near = st.integers(min_value=-400, max_value=400).map(lambda k: centre + timedelta(days=k))
    off = draw(st.frozensets(near, max_size=30))
    worked = draw(st.frozensets(near, max_size=30))
    return WorkCalendar(extra_days_off=off, extra_working_days=worked - off), centre


spans = st.integers(min_value=-1500, max_value=1500)


@settings(max_examples=300, deadline=None)
@given(wide_calendars(), spans, spans)
def test_counting_working_days_equals_looking_at_each_day(
    setup: tuple[WorkCalendar, date], start: int, length: int
) -> None:
    calendar, centre = setup
    a = centre + timedelta(days=start)
    b = a + timedelta(days=length)
    assert calendar.working_days_between(a, b) == count_day_by_day(calendar, a, b)


@settings(max_examples=300, deadline=None)
@given(wide_calendars(), spans, st.integers(min_value=-700, max_value=700))
def test_adding_working_days_equals_stepping_day_by_day(
    setup: tuple[WorkCalendar, date], start: int, n: int
) -> None:
    calendar, centre = setup
    begin = centre + timedelta(days=start)
    assert calendar.add_working_days(begin, n) == add_day_by_day(calendar, begin, n)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (date(2026, 12, 31), date(2027, 1, 1)),  # across a year end
        (date(2100, 12, 1), date(2101, 2, 1)),  # out of the holiday package's years
        (date(1900, 12, 1), date(1901, 3, 1)),  # and into them
        (date(2026, 2, 13), date(2026, 2, 23)),  # over Tết
        (date(2026, 8, 21), date(2026, 8, 24)),  # over a worked Saturday
    ],
)
def test_counting_at_the_edges_of_years_and_of_the_holiday_list(a: date, b: date) -> None:
    worked = {a + timedelta(days=1)} - {b}
    calendar = WorkCalendar(extra_days_off=[b], extra_working_days=worked)
    for first, last in ((a, b), (b, a), (a, a)):
        assert calendar.working_days_between(first, last) == count_day_by_day(calendar, first, last)


def test_no_count_grows_with_the_distance_between_two_dates(monkeypatch) -> None:
    # 31/12/9999 as an apology date once took 16 s to save: nothing may look at each day.
    calendar = WorkCalendar(extra_days_off=[date(2026, 12, 24)])
    far = date(9999, 12, 31)

    def refuse(self: WorkCalendar, d: date) -> bool:
        raise AssertionError("looked at one day at a time")

    monkeypatch.setattr(WorkCalendar, "is_working_day", refuse)
    assert calendar.working_days_between(date(2026, 12, 1), far) > 2_000_000
    assert calendar.working_days_left(date(2026, 12, 1), far) > 2_000_000
    assert calendar.add_working_days(date(2026, 12, 1), 2_000_000) < far
    assert calendar.add_working_days(far, -2_000_000) > date(2026, 12, 1)
    paused_long = calendar.extend_for_pause(date(2026, 12, 4), date(2026, 12, 1), date(9000, 1, 1))
    assert date(9000, 1, 1) < paused_long < far
