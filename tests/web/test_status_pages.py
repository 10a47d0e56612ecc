"""Pages show what a status means through the model's questions: no countdown while paused."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain import workflow
from extensions import db
from models import Dossier
from tests.journeys import submitted
from tests.pages import parse
from tests.staff import post_form
from tests.staff import staff_client


def do(client: FlaskClient, code: str, key: str, changes: dict | None = None):
    page = parse(client.get(f"/can-bo/ho-so/{code}"))
    response = post_form(client, page, f"form[action$='/{key}']", changes)
    assert response.status_code == 303, key
    return response


def due_line(client: FlaskClient, code: str) -> str:
    """The text beside "Hạn trả kết quả" on the staff dossier page."""
    page = parse(client.get(f"/can-bo/ho-so/{code}"))
    term = next(dt for dt in page.select(".status-facts dt") if dt.get_text() == "Hạn trả kết quả")
    return term.find_next_sibling("dd").get_text(" ", strip=True)


def status_of(app: Flask, code: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Dossier.status).where(Dossier.code == code))


def test_a_fee_pause_shows_no_countdown(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    specialist = staff_client(app, "chuyen_vien")
    do(clerk, code, "receive")
    do(clerk, code, "forward")
    running = due_line(clerk, code)
    assert "ngày làm việc" in running or "đến hạn hôm nay" in running  # the clock runs
    do(specialist, code, "request_fee", {"reason": "Lệ phí 8.000 đ, nộp tại quầy"})
    assert status_of(app, code) == workflow.Status.FEE
    paused = due_line(clerk, code)
    assert "ngày làm việc" not in paused and "đến hạn hôm nay" not in paused
    assert "đang tạm dừng chờ nộp phí, lệ phí" in paused
    do(clerk, code, "fee_paid")
    assert "tạm dừng" not in due_line(clerk, code)


def test_the_person_may_withdraw_exactly_where_the_rules_allow(app: Flask) -> None:
    code = submitted(app)
    person = app.test_client()
    page = parse(person.get(f"/tra-cuu?ma={code}"))
    response = post_form(person, page, f"form[action='/tra-cuu/{code}']", {"phone": "0912345678"})
    assert response.status_code in (200, 303)
    clerk = staff_client(app, "tiep_nhan")
    leader = staff_client(app, "lanh_dao")

    def offered() -> bool:
        shown = parse(person.get(f"/tra-cuu?ma={code}"))
        return shown.select_one(f"a[href$='/{code}/rut']") is not None

    assert offered()  # new
    do(clerk, code, "receive")
    do(clerk, code, "forward")
    assert offered()  # processing
    do(leader, code, "finish")
    assert status_of(app, code) == workflow.Status.FINISHED
    assert not offered()  # the result is ready: too late to withdraw
