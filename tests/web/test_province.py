"""The province: its administrator manages every unit's accounts; a commune's only its own."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain.changelog import ACCOUNTS
from domain.changelog import AREAS
from extensions import db
from models import LogEntry
from models import StaffUser
from models import Unit
from tests.pages import check_page
from tests.pages import parse
from tests.staff import make_user
from tests.staff import post_form
from tests.staff import sign_in
from tests.staff import staff_client

TAN_HOA = 4792  # Phường Tân Hòa, another unit of Phú Thọ


def account(app: Flask, username: str) -> StaffUser:
    with app.app_context():
        found = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username))
        db.session.expunge(found)
        return found


def log(app: Flask, username: str) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                sa.select(LogEntry.unit_code, LogEntry.change, LogEntry.detail)
                .where(LogEntry.subject == username, LogEntry.change.in_(AREAS[ACCOUNTS]))
                .order_by(LogEntry.id)
            )
        ]


def foreign_unit(app: Flask) -> int:
    """A unit of another province."""
    with app.app_context():
        return db.session.scalar(
            sa.select(Unit.code).where(Unit.province_code != app.config["PROVINCE_CODE"]).limit(1)
        )


def token_of(client: FlaskClient, url: str) -> str:
    return parse(client.get(url)).select_one("[name=csrf_token]")["value"]


def test_the_province_administrator_opens_accounts_in_any_unit_of_the_province(
    app: Flask,
) -> None:
    province = staff_client(app, "quan_tri_tinh")
    page = parse(province.get("/can-bo/nguoi-dung"))
    check_page(page)
    units = [o["value"] for o in page.select("select#don-vi option")]
    assert len(units) == 148 and str(TAN_HOA) in units
    assert page.select_one("input[name=role][value=quan_tri_tinh]")
    made = post_form(
        province,
        page,
        "form[action$='/nguoi-dung'][method=post]",
        {"username": "ha.thi.lan", "full_name": "Hà Thị Lan", "role": "quan_tri", "don-vi": "4792"},
    )
    assert made.status_code == 200
    assert account(app, "ha.thi.lan").unit_code == TAN_HOA
    assert log(app, "ha.thi.lan") == [(TAN_HOA, "created", "quan_tri")]
    listed = parse(province.get("/can-bo/nguoi-dung", query_string={"xa": TAN_HOA}))
    assert "ha.thi.lan" in listed.select_one("table.inbox").get_text()
    # A unit outside the province is not one of its units: not found, nothing made.
    outside = foreign_unit(app)
    token = token_of(province, "/can-bo/nguoi-dung")
    fields = {"username": "ngoai.tinh", "full_name": "Lê Văn Tư", "role": "tiep_nhan"}
    answer = province.post(
        "/can-bo/nguoi-dung", data={"csrf_token": token, **fields, "don-vi": str(outside)}
    )
    assert answer.status_code == 404
    assert province.get("/can-bo/nguoi-dung", query_string={"xa": outside}).status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(sa.select(StaffUser.id).where(StaffUser.username == "ngoai.tinh"))
            is None
        )


def test_moving_a_member_of_staff_is_logged_in_both_units(app: Flask) -> None:
    province = staff_client(app, "quan_tri_tinh")
    clerk_name = make_user(app, "tiep_nhan")
    clerk = app.test_client()
    assert sign_in(clerk, clerk_name).status_code == 303
    clerk_id = account(app, clerk_name).id
    page = parse(province.get(f"/can-bo/nguoi-dung/{clerk_id}"))
    check_page(page)
    moved = post_form(province, page, "form:has(input[name=doi][value=don-vi])", {"don-vi": "4792"})
    assert moved.status_code == 303
    assert account(app, clerk_name).unit_code == TAN_HOA
    assert log(app, clerk_name) == [(8566, "moved_out", "4792"), (TAN_HOA, "moved_in", "8566")]
    # Their pages open with the old unit's dossiers stop working: they sign in again.
    assert "/dang-nhap" in clerk.get("/can-bo/").headers["Location"]
    shown = parse(province.get(f"/can-bo/nguoi-dung/{clerk_id}")).select_one("ul.changes")
    assert "Phường Tân Hòa" in shown.get_text() and "Xã Tân Sơn" in shown.get_text()
    # Each commune's administrator reads the move in their own log.
    for unit, words in ((8566, "chuyển sang đơn vị khác"), (TAN_HOA, "chuyển đến từ đơn vị khác")):
        admin = staff_client(app, "quan_tri", unit=unit)
        assert words in parse(admin.get("/can-bo/nguoi-dung")).select_one("ul.changes").text
    # The log keeps the move: it cannot be rewritten.
    with app.app_context():
        row = db.session.scalar(
            sa.select(LogEntry).where(LogEntry.subject == clerk_name, LogEntry.change == "moved_in")
        )
        row.detail = "8566"
        try:
            db.session.commit()
            raise AssertionError("the account log was rewritten")
        except PermissionError:
            db.session.rollback()


def test_a_commune_administrator_stays_within_their_own_unit(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    page = parse(admin.get("/can-bo/nguoi-dung"))
    assert not page.select("select#don-vi") and not page.select("input[value=quan_tri_tinh]")
    token = token_of(admin, "/can-bo/nguoi-dung")
    fields = {"username": "gia.mao", "full_name": "Lê Văn Năm", "role": "tiep_nhan"}
    # A unit forged into the form: not one of theirs, so not found; nothing is made.
    forged = admin.post(
        "/can-bo/nguoi-dung", data={"csrf_token": token, **fields, "don-vi": "4792"}
    )
    assert forged.status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(sa.select(StaffUser.id).where(StaffUser.username == "gia.mao"))
            is None
        )
    # Nor may they make a province administrator, by a forged role.
    promoted = admin.post(
        "/can-bo/nguoi-dung", data={"csrf_token": token, **fields, "role": "quan_tri_tinh"}
    )
    assert promoted.status_code == 422 and parse(promoted).select_one("#role-error")

    # Another unit's account, by URL: not found, for reading, changing or moving it.
    other_id = account(app, make_user(app, "tiep_nhan", unit=TAN_HOA)).id
    assert admin.get(f"/can-bo/nguoi-dung/{other_id}").status_code == 404
    for change in ({"doi": "khoa"}, {"doi": "vai-tro", "role": "lanh_dao"}, {"doi": "mat-khau"}):
        answer = admin.post(f"/can-bo/nguoi-dung/{other_id}", data={"csrf_token": token, **change})
        assert answer.status_code == 404, change
    # Their own unit's account: they may not move it to another unit.
    own_name = make_user(app, "chuyen_vien")
    own_id = account(app, own_name).id
    assert not parse(admin.get(f"/can-bo/nguoi-dung/{own_id}")).select("[name=doi][value=don-vi]")
    moved = admin.post(
        f"/can-bo/nguoi-dung/{own_id}",
        data={"csrf_token": token, "doi": "don-vi", "don-vi": "4792"},
    )
    assert moved.status_code == 403
    assert account(app, own_name).unit_code == 8566 and log(app, own_name) == []
    # Nor give their own staff the province role.
    raised = admin.post(
        f"/can-bo/nguoi-dung/{own_id}",
        data={"csrf_token": token, "doi": "vai-tro", "role": "quan_tri_tinh"},
    )
    assert raised.status_code == 422 and account(app, own_name).role == "chuyen_vien"


def test_a_commune_administrator_cannot_touch_a_province_administrator_of_their_unit(
    app: Flask,
) -> None:
    province_name = make_user(app, "quan_tri_tinh")  # attached to Xã Tân Sơn
    province_id = account(app, province_name).id
    admin = staff_client(app, "quan_tri")
    listed = parse(admin.get("/can-bo/nguoi-dung")).select_one("table.inbox").get_text()
    assert province_name not in listed
    assert admin.get(f"/can-bo/nguoi-dung/{province_id}").status_code == 404
    token = token_of(admin, "/can-bo/nguoi-dung")
    for change in ({"doi": "khoa"}, {"doi": "mat-khau"}):
        answer = admin.post(
            f"/can-bo/nguoi-dung/{province_id}", data={"csrf_token": token, **change}
        )
        assert answer.status_code == 404, change
    assert account(app, province_name).active


def test_the_province_administrator_cannot_lock_themselves_out(app: Flask) -> None:
    name = make_user(app, "quan_tri_tinh")
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    own = account(app, name).id
    token = token_of(client, f"/can-bo/nguoi-dung/{own}")
    demoted = client.post(
        f"/can-bo/nguoi-dung/{own}",
        data={"csrf_token": token, "doi": "vai-tro", "role": "quan_tri"},
    )
    assert demoted.status_code == 422 and account(app, name).role == "quan_tri_tinh"
