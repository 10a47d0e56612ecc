"""Every dossier has a due date: a procedure without a time limit is not received, and an
administrator sets the limits the published records leave out (issue 15)."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain.channels import Channel
from domain.formatting import LOCAL
from domain.messages import Invalid
from extensions import db
from models import Dossier
from models import DossierEvent
from models import LogEntry
from models import Procedure
from models import ProcedureLimit
from models import StaffUser
from services.calendar import work_calendar
from services.dossiers import processing_limit
from services.forms import all_form_codes
from services.workflow import Request
from services.workflow import record_action
from tests.journeys import submitted
from tests.pages import check_page
from tests.pages import parse
from tests.staff import make_user
from tests.staff import post_form
from tests.staff import staff_client

# Chứng thực bản sao: no detail record in the national data, so no limit until one is set.
NO_LIMIT = "2.000815"
PERSON = {"name": "Lò Văn Páo", "cccd": "025080001234", "phone": "0912345678"}


def row(code: str) -> str:
    """The CSS selector of a procedure's row in the time limits' table."""
    return "#han-" + code.replace(".", "\\.")


def counter(clerk: FlaskClient, procedure: str):
    page = parse(clerk.get("/can-bo/tiep-nhan-truc-tiep"))
    values = {"procedure": procedure, **PERSON}
    return post_form(clerk, page, "form[action$='/tiep-nhan-truc-tiep']", values)


def set_limit(admin: FlaskClient, code: str, **fields: str):
    page = parse(admin.get("/can-bo/thu-tuc"))
    return post_form(admin, page, f"{row(code)} form", fields)


def dossier_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))


def test_the_counter_refuses_a_procedure_without_a_limit_and_says_who_sets_it(
    app: Flask,
) -> None:
    clerk = staff_client(app, "tiep_nhan")
    refused = counter(clerk, NO_LIMIT)
    assert refused.status_code == 422
    page = parse(refused)
    check_page(page)
    said = page.select_one("#procedure-error").get_text(" ", strip=True)
    assert "chưa có thời hạn giải quyết" in said
    assert "Quản trị hệ thống của xã" in said and "Công bố thủ tục" in said
    # What the clerk typed is kept, the procedure chosen included.
    assert page.select_one("#name")["value"] == PERSON["name"]
    assert page.select_one("#procedure option[selected]")["value"] == NO_LIMIT
    assert dossier_count(app) == 0


def test_an_administrator_sets_the_limit_then_the_counter_receives_with_a_due_date(
    app: Flask,
) -> None:
    admin = staff_client(app, "quan_tri")
    page = parse(admin.get("/can-bo/thu-tuc"))
    check_page(page)
    found = page.select_one(row(NO_LIMIT))
    assert found is not None and "Chưa có" in found.get_text()
    # A procedure whose published record has its limit is not offered: that one applies.
    assert page.select_one("#han-1\\.004884") is None
    response = set_limit(admin, NO_LIMIT, so="1", **{"don-vi": "WORKING_DAY"})
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.scalars(sa.select(ProcedureLimit)).all()
        rows = [(r.procedure_code, r.channel, r.case_code, r.time_qty, r.time_unit) for r in stored]
        assert rows == [(NO_LIMIT, "DIRECT", "", 1, "WORKING_DAY")]
        logged = db.session.scalars(
            sa.select(LogEntry).where(LogEntry.change == "time_limit_set")
        ).all()
        assert [(e.subject, e.unit_code, e.actor) for e in logged] == [
            (NO_LIMIT, 8566, stored[0].set_by)
        ]
    shown = parse(admin.get("/can-bo/thu-tuc")).select_one(row(NO_LIMIT))
    assert "Nộp trực tiếp: 1 ngày làm việc" in shown.get_text(" ", strip=True)
    # The same limit sent again changes nothing and writes no second row.
    assert set_limit(admin, NO_LIMIT, so="1", **{"don-vi": "WORKING_DAY"}).status_code == 303
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(LogEntry.change == "time_limit_set"))
            == 1
        )
    # The log on the accounts page words it.
    users = parse(admin.get("/can-bo/nguoi-dung")).get_text(" ", strip=True)
    assert f"{NO_LIMIT} · đặt thời hạn giải quyết (Nộp trực tiếp: 1 ngày làm việc)" in users

    clerk = staff_client(app, "tiep_nhan")
    received = counter(clerk, NO_LIMIT)
    assert received.status_code == 303
    code = received.headers["Location"].rsplit("/", 1)[-1]
    with app.app_context():
        found = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        assert found.due_date is not None and found.due_date == found.original_due_date
    slip = parse(clerk.get(f"/can-bo/ho-so/{code}/phieu/01"))
    text = slip.get_text(" ", strip=True)
    assert "None" not in text
    assert "Thời hạn giải quyết 01 ngày làm việc" in text
    assert f"Ngày hẹn trả kết quả {found.due_date:%d/%m/%Y}" in text


def test_a_same_day_procedure_is_set_as_0_and_promised_the_day_it_is_received(
    app: Flask,
) -> None:
    # Chứng thực is done in the day (after 15:00, the next working day). With the day of
    # receipt not counted, "1 working day" would promise the next day: 0 says "trong ngày".
    admin = staff_client(app, "quan_tri")
    assert set_limit(admin, NO_LIMIT, so="0", **{"don-vi": "WORKING_DAY"}).status_code == 303
    shown = parse(admin.get("/can-bo/thu-tuc")).select_one(row(NO_LIMIT))
    assert "Nộp trực tiếp: trong ngày" in shown.get_text(" ", strip=True)
    clerk = staff_client(app, "tiep_nhan")
    received = counter(clerk, NO_LIMIT)
    assert received.status_code == 303
    code = received.headers["Location"].rsplit("/", 1)[-1]
    with app.app_context():
        found = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        at = found.received_at.astimezone(LOCAL)
        days = work_calendar(8566)
        same_day = days.is_working_day(at.date()) and at.time() < time(15)
        assert found.due_date == (at.date() if same_day else days.next_working_day(at.date()))
    text = parse(clerk.get(f"/can-bo/ho-so/{code}/phieu/01")).get_text(" ", strip=True)
    assert "Thời hạn giải quyết Trong ngày" in text


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"so": "-1", "don-vi": "WORKING_DAY"}, "số nguyên từ 0"),
        ({"so": "", "don-vi": "WORKING_DAY"}, "số nguyên từ 0"),
        ({"so": "1,5", "don-vi": "WORKING_DAY"}, "số nguyên từ 0"),
        ({"so": "3²", "don-vi": "WORKING_DAY"}, "số nguyên từ 0"),
        ({"so": "251", "don-vi": "WORKING_DAY"}, "số nguyên từ 0"),
        ({"so": "3", "don-vi": "YEAR"}, "đơn vị"),
    ],
)
def test_a_wrong_limit_is_refused_by_its_row(app: Flask, fields: dict, said: str) -> None:
    admin = staff_client(app, "quan_tri")
    response = set_limit(admin, NO_LIMIT, **fields)
    assert response.status_code == 422
    page = parse(response)
    shown = page.select_one(row(NO_LIMIT))
    assert said in shown.select_one(".error-message").get_text()
    assert shown.select_one("input[name=so]")["value"] == fields["so"]
    with app.app_context():
        assert db.session.scalars(sa.select(ProcedureLimit)).all() == []
        assert db.session.scalars(sa.select(LogEntry)).all() == []


def test_forged_limits_are_refused(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    page = parse(admin.get("/can-bo/thu-tuc"))
    form = f"{row(NO_LIMIT)} form"
    base = {"so": "3", "don-vi": "WORKING_DAY"}
    # No online form for it: there is no online channel to set.
    assert post_form(admin, page, form, {**base, "kenh": "ONLINE"}).status_code == 400
    assert post_form(admin, page, form, {**base, "truong-hop": "2.000815.09"}).status_code == 400
    # A procedure whose published record gives the limit keeps it.
    assert post_form(admin, page, form, {**base, "code": "1.004884"}).status_code == 400
    # Only a commune's administrator has the page.
    clerk = staff_client(app, "tiep_nhan")
    assert clerk.get("/can-bo/thu-tuc").status_code == 403
    with app.app_context():
        assert db.session.scalars(sa.select(ProcedureLimit)).all() == []


def test_a_limit_is_set_per_case_where_the_procedure_has_cases(app: Flask) -> None:
    # Đăng ký nhận cha, mẹ, con: the published record says "3 OTHER", no usable unit.
    admin = staff_client(app, "quan_tri")
    page = parse(admin.get("/can-bo/thu-tuc"))
    shown = page.select_one(row("1.001022"))
    assert [o["value"] for o in shown.select("select[name=truong-hop] option")] == [
        "",
        "1.001022.01",
    ]
    fields = {"so": "3", "don-vi": "WORKING_DAY", "truong-hop": "1.001022.01"}
    assert set_limit(admin, "1.001022", **fields).status_code == 303
    with app.app_context():
        proc = db.session.get(Procedure, "1.001022")
        limit = processing_limit(proc, Channel.DIRECT)
        assert (limit.qty, limit.unit, limit.case) == (3, "WORKING_DAY", "1.001022.01")
    users = parse(admin.get("/can-bo/nguoi-dung")).get_text(" ", strip=True)
    assert "(Nộp trực tiếp, trường hợp 1.001022.01: 3 ngày làm việc)" in users


def test_reception_without_a_limit_is_refused_whatever_the_channel(app: Flask) -> None:
    """No path leaves a received dossier without a due date: reception itself refuses."""
    code = submitted(app)  # online khai sinh, which has its limit
    username = make_user(app, "tiep_nhan")
    with app.app_context():
        found = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        clerk = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username))
        # The procedure as if its record had no limit: cases and channels without one.
        found.procedure_code = NO_LIMIT
        db.session.flush()
        db.session.expire(found, ["procedure"])
        with pytest.raises(Invalid, match="chưa có thời hạn giải quyết"):
            record_action(found, Request("receive", found.version), clerk)
        db.session.rollback()
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(DossierEvent.action == "receive"))
            == 0
        )


def test_every_online_form_has_an_online_limit_and_every_received_dossier_a_due_date(
    app: Flask,
) -> None:
    with app.app_context():
        for code in all_form_codes():
            proc = db.session.get(Procedure, code)
            assert processing_limit(proc, Channel.ONLINE) is not None, code
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    assert post_form(clerk, page, "form[action$='/receive']").status_code == 303
    assert counter(clerk, "1.004884").status_code == 303
    with app.app_context():
        received = db.session.scalars(
            sa.select(Dossier).where(Dossier.received_at.is_not(None))
        ).all()
        assert len(received) == 2
        assert all(d.due_date is not None for d in received)
        # And one the desk cannot take is not kept unreceived either.
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))
    assert counter(clerk, NO_LIMIT).status_code == 422
    assert dossier_count(app) == before


def test_an_online_form_is_not_offered_without_an_online_limit(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.forms as forms

    start = "form[action='/nop-ho-so/1.001193'] input[name=phone]"
    client = app.test_client()
    assert parse(client.get("/nop-ho-so/1.001193")).select_one(start) is not None
    monkeypatch.setattr(forms, "processing_limit", lambda proc, channel: None)
    assert parse(client.get("/nop-ho-so/1.001193")).select_one(start) is None


def test_loading_the_data_again_keeps_the_limits_administrators_set(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    fields = {"so": "3", "don-vi": "WORKING_DAY", "truong-hop": "1.001022.01"}
    assert set_limit(admin, "1.001022", **fields).status_code == 303  # a detailed record
    assert set_limit(admin, NO_LIMIT, so="1", **{"don-vi": "WORKING_DAY"}).status_code == 303
    result = app.test_cli_runner().invoke(args=["data", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        kept = db.session.execute(
            sa.select(ProcedureLimit.procedure_code, ProcedureLimit.time_qty).order_by(
                ProcedureLimit.procedure_code
            )
        ).all()
        assert [tuple(k) for k in kept] == [("1.001022", 3), (NO_LIMIT, 1)]
        assert processing_limit(db.session.get(Procedure, NO_LIMIT), Channel.DIRECT) is not None
