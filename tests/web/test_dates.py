"""Dates typed by staff are bounded: a slip of the keyboard never reaches the calendar."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from domain.calendar import LOCAL
from domain.calendar import WorkCalendar
from domain.calendar import add_months
from extensions import db
from models import CalendarDay
from models import Dossier
from services.dossiers import processing_limit
from services.workflow import local_today
from tests.pages import check_page
from tests.pages import parse
from tests.staff import post_form
from tests.staff import staff_client
from tests.web.test_backoffice import do
from tests.web.test_backoffice import dossier
from tests.web.test_backoffice import submitted


def late_dossier(app: Flask, days_late: int = 1) -> str:
    code = submitted(app)
    do(staff_client(app, "tiep_nhan"), code, "receive")
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        row.due_date = local_today() - timedelta(days=days_late)
        db.session.commit()
    return code


def test_an_apology_date_years_ahead_is_refused_by_the_field(app: Flask) -> None:
    code = late_dossier(app)
    leader = staff_client(app, "lanh_dao")
    page = parse(leader.get(f"/can-bo/ho-so/{code}"))
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        limit = processing_limit(row.procedure, row.submission_channel)
    assert limit is not None
    # The procedure's time limit again, counted from today, the old date being past; at least
    # 5 working days.
    today = local_today()
    calendar = WorkCalendar()
    again = calendar.due_date(datetime.combine(today, time(0)), limit.qty, limit.unit)
    latest = max(again, calendar.add_working_days(today, 5))
    assert page.select_one("#apologise-new-date")["max"] == latest.isoformat()
    for typed in ("9999-12-31", (latest + timedelta(days=1)).isoformat()):
        refused = do(leader, code, "apologise", {"reason": "Chờ xác minh", "new_date": typed})
        assert refused.status_code == 422, typed
        page = parse(refused)
        check_page(page)
        said = page.select_one("#apologise-new-date-error").get_text(" ", strip=True)
        assert "chậm nhất là ngày" in said and latest.strftime("%d/%m/%Y") in said
        assert "thời hạn giải quyết của thủ tục" in said
        field = page.select_one("#apologise-new-date")
        assert field["aria-invalid"] == "true" and field["value"] == typed  # nothing lost
        assert page.select_one("#apologise-reason").get_text() == "Chờ xác minh"
    assert dossier(app, code).due_date == local_today() - timedelta(days=1)
    # The last day allowed, or the working day before it, is taken.
    last = latest if calendar.is_working_day(latest) else calendar.add_working_days(latest, -1)
    accepted = do(
        leader, code, "apologise", {"reason": "Chờ xác minh", "new_date": last.isoformat()}
    )
    assert accepted.status_code == 303
    assert dossier(app, code).due_date == last


def test_a_supplement_deadline_years_ahead_is_refused_by_the_field(app: Flask) -> None:
    code = submitted(app)
    do(staff_client(app, "tiep_nhan"), code, "receive")
    specialist = staff_client(app, "chuyen_vien")
    page = parse(specialist.get(f"/can-bo/ho-so/{code}"))
    item = page.select_one("form[action$='/request_supplement'] input[name=items]")["value"]
    latest = add_months(local_today(), 3)
    asked = {"reason": "Ảnh mờ", "items": item, "deadline": "9999-12-31"}
    refused = do(specialist, code, "request_supplement", asked)
    assert refused.status_code == 422
    page = parse(refused)
    said = page.select_one("#request_supplement-deadline-error").get_text(" ", strip=True)
    assert latest.strftime("%d/%m/%Y") in said
    assert page.select_one("#request_supplement-deadline")["value"] == "9999-12-31"
    assert dossier(app, code).status == 2
    asked["deadline"] = latest.isoformat()
    assert do(specialist, code, "request_supplement", asked).status_code == 303


def test_a_far_due_date_already_saved_shows_at_once(app: Flask, monkeypatch) -> None:
    # Saved before the bound existed: every view of it must still be cheap.
    code = late_dossier(app)
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        row.due_date = date(9999, 12, 31)
        db.session.commit()

    def refuse(self: WorkCalendar, d: date) -> bool:
        raise AssertionError("looked at one day at a time")

    original = WorkCalendar.is_working_day
    calls = []

    def counted(self: WorkCalendar, d: date) -> bool:
        calls.append(d)
        if len(calls) > 1000:
            refuse(self, d)
        return original(self, d)

    monkeypatch.setattr(WorkCalendar, "is_working_day", counted)
    public = app.test_client().get(f"/tra-cuu?ma={code}")
    assert public.status_code == 200
    staff = staff_client(app, "chuyen_vien").get(f"/can-bo/ho-so/{code}")
    assert staff.status_code == 200
    assert len(calls) <= 1000


def test_a_day_off_is_marked_only_from_last_year_to_next_year(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    page = parse(admin.get("/can-bo/ngay-nghi"))
    year = local_today().year
    day = page.select_one("#day")
    assert (day["min"], day["max"]) == (f"{year - 1}-01-01", f"{year + 1}-12-31")
    form = "form[action$='/ngay-nghi']:not(.inline)"
    for typed in ("9999-12-31", f"{year + 2}-01-01", f"{year - 2}-12-31"):
        refused = post_form(admin, page, form, {"day": typed, "note": "Bão", "working": "co"})
        assert refused.status_code == 422, typed
        shown = parse(refused)
        check_page(shown)
        said = shown.select_one("#day-error").get_text(" ", strip=True)
        assert f"01/01/{year - 1}" in said and f"31/12/{year + 1}" in said
        assert shown.select_one("#day")["value"] == typed  # nothing typed is lost
        assert shown.select_one("#note")["value"] == "Bão"
        assert shown.select_one("#working").has_attr("checked")
    with app.app_context():
        assert not db.session.scalars(
            sa.select(CalendarDay).where(CalendarDay.day > date(year + 1, 12, 31))
        ).all()
    # Both ends of the window are taken (and removed again: the database is shared).
    for day in (date(year - 1, 1, 1), date(year + 1, 12, 31)):
        assert post_form(admin, page, form, {"day": day.isoformat()}).status_code == 303
        with app.app_context():
            db.session.delete(db.session.get(CalendarDay, (8566, day)))
            db.session.commit()


def test_an_apology_is_offered_from_one_working_day_before_the_due_date(app: Flask) -> None:
    code = late_dossier(app)
    leader = staff_client(app, "lanh_dao")
    calendar = WorkCalendar()
    today = local_today()
    for due, offered in (
        (calendar.add_working_days(today, 2), False),
        (calendar.next_working_day(today), True),
    ):
        with app.app_context():
            row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
            row.due_date = due
            db.session.commit()
        page = parse(leader.get(f"/can-bo/ho-so/{code}"))
        assert bool(page.select_one("form[action$='/apologise']")) is offered, due
    new_date = calendar.add_working_days(due, 2)
    made = do(
        leader, code, "apologise", {"reason": "Chờ xác minh", "new_date": new_date.isoformat()}
    )
    assert made.status_code == 303
    assert dossier(app, code).due_date == new_date


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in Việt Nam, as the database's clock (UTC) gives it."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL).astimezone(UTC)


def test_a_supplement_round_trip_adds_only_the_working_days_paused(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.workflow

    monday = date(2026, 12, 7)
    clock = [local(monday, 9)]
    monkeypatch.setattr(services.workflow, "utcnow", lambda: clock[0])
    clerk, specialist = staff_client(app, "tiep_nhan"), staff_client(app, "chuyen_vien")
    code = submitted(app)
    do(clerk, code, "receive")
    received = dossier(app, code)
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        limit = processing_limit(row.procedure, row.submission_channel)
    assert limit is not None
    assert received.due_date == WorkCalendar().due_date(local(monday, 9), limit.qty, limit.unit)
    due = received.due_date

    def round_trip(asked: datetime, answered: datetime) -> date:
        clock[0] = asked
        page = parse(specialist.get(f"/can-bo/ho-so/{code}"))
        item = page.select_one("form[action$='/request_supplement'] input[name=items]")["value"]
        deadline = (asked.astimezone(LOCAL).date() + timedelta(days=10)).isoformat()
        request = {"items": item, "reason": "Ảnh mờ", "deadline": deadline}
        assert do(specialist, code, "request_supplement", request).status_code == 303
        clock[0] = answered
        assert do(clerk, code, "supplement_received").status_code == 303
        back = dossier(app, code)
        assert back.status == 4 and back.paused_on is None
        assert back.original_due_date == back.due_date
        return back.due_date

    # Asked at 15:30 and answered at 16:30 the same Monday: no working day was paused.
    assert round_trip(local(monday, 15, 30), local(monday, 16, 30)) == due
    # Twice more the same day, after 15:00: still nothing added.
    assert round_trip(local(monday, 16, 40), local(monday, 16, 50)) == due
    # Asked Tuesday afternoon, answered Wednesday morning: Wednesday was paused.
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    later = round_trip(local(tuesday, 16), local(wednesday, 8, 30))
    assert later == WorkCalendar().add_working_days(due, 1)
