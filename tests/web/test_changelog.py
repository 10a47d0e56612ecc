"""The one log of administrators' changes: each part read where it belongs, by whom it may be,
and nothing in it ever rewritten."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain import changelog as rules
from extensions import db
from models import LogEntry
from services import changelog
from services.workflow import local_today
from tests.append_only import assert_cannot_be_rewritten
from tests.kept import centres_kept
from tests.pages import check_page
from tests.pages import parse
from tests.staff import post_form
from tests.staff import staff_client

TAN_SON, TAN_HOA, THANH_BA = 8566, 4792, 8152
DAYS_OFF = "form[action$='/ngay-nghi']:not(.inline)"


def open_account(province: FlaskClient, username: str, unit: int) -> None:
    page = parse(province.get("/can-bo/nguoi-dung"))
    fields = {"username": username, "full_name": "Hà Thị Lan", "role": "tiep_nhan"}
    made = post_form(
        province, page, "form[action$='/nguoi-dung'][method=post]", {**fields, "don-vi": unit}
    )
    assert made.status_code == 200


def add_day_off(admin: FlaskClient, day: date, note: str) -> None:
    page = parse(admin.get("/can-bo/ngay-nghi"))
    assert (
        post_form(admin, page, DAYS_OFF, {"day": day.isoformat(), "note": note}).status_code == 303
    )


def logs_of(client: FlaskClient) -> list[str]:
    """The texts of the lists of changes on the accounts page, in the page's order."""
    page = parse(client.get("/can-bo/nguoi-dung"))
    check_page(page)
    return [shown.get_text() for shown in page.select("ul.changes")]


def test_the_province_reads_every_units_log_and_a_commune_only_its_own(app: Flask) -> None:
    province = staff_client(app, "quan_tri_tinh")
    open_account(province, "nguoi.tan.son", TAN_SON)
    open_account(province, "nguoi.tan.hoa", TAN_HOA)
    day = date(local_today().year + 1, 6, 8)
    communes = {unit: staff_client(app, "quan_tri", unit=unit) for unit in (TAN_SON, TAN_HOA)}
    add_day_off(communes[TAN_SON], day, "Bão ở Tân Sơn")
    add_day_off(communes[TAN_HOA], day, "Lũ ở Tân Hòa")

    # The province: every unit's accounts (its page has no procedures or days off of its own).
    [accounts] = logs_of(province)
    assert "nguoi.tan.son" in accounts and "nguoi.tan.hoa" in accounts
    picked = parse(province.get("/can-bo/nguoi-dung", query_string={"xa": TAN_HOA}))
    assert "nguoi.tan.son" not in picked.select_one("ul.changes").get_text()
    # Each commune: its own unit's accounts and days off, never the other's.
    for unit, own, other in ((TAN_SON, "tan.son", "tan.hoa"), (TAN_HOA, "tan.hoa", "tan.son")):
        accounts, offer = logs_of(communes[unit])
        assert f"nguoi.{own}" in accounts and f"nguoi.{other}" not in accounts
        assert "tạo tài khoản" in accounts and "(Cán bộ tiếp nhận)" in accounts
        assert "thêm ngày nghỉ" in offer and day.strftime("%d/%m/%Y") in offer
        assert ("Bão" in offer) == (unit == TAN_SON) and ("Lũ" in offer) == (unit == TAN_HOA)


def one_change_of_each_area(app: Flask) -> None:
    """An account opened, a day off added and a centre's phone changed, on the web."""
    province = staff_client(app, "quan_tri_tinh")
    open_account(province, "le.van.cuong", TAN_SON)
    add_day_off(staff_client(app, "quan_tri"), date(local_today().year + 1, 6, 9), "Bão")
    centre_admin = staff_client(app, "quan_tri", unit=THANH_BA)
    page = parse(centre_admin.get("/can-bo/trung-tam"))
    post_form(centre_admin, page, "form[action='/can-bo/trung-tam']", {"phone": "0210 3885 123"})


def test_no_change_of_any_area_can_be_rewritten_or_deleted(app: Flask) -> None:
    # The centres' rows outlive a test (the load seeds them): Thanh Ba's phone goes back.
    with centres_kept(app):
        one_change_of_each_area(app)
    with app.app_context():
        rows = db.session.scalars(sa.select(LogEntry).order_by(LogEntry.id)).all()
        assert {rules.area_of(row.change) for row in rows} == set(rules.AREAS)
        before = [(row.id, row.subject, row.change, row.detail, row.previous) for row in rows]
        for row in rows:
            assert_cannot_be_rewritten(row, "detail", "sửa lại")
        db.session.expire_all()
        rows = db.session.scalars(sa.select(LogEntry).order_by(LogEntry.id)).all()
        after = [(row.id, row.subject, row.change, row.detail, row.previous) for row in rows]
        assert after == before


def test_a_change_the_log_does_not_know_is_refused(app_context: Flask) -> None:
    with pytest.raises(KeyError):
        changelog.record("quantri", TAN_SON, "1.001193", "renamed", "Thủ tục khác")
    assert not db.session.new


def test_every_change_belongs_to_one_area_and_has_its_words() -> None:
    seen = [change for changes in rules.AREAS.values() for change in changes]
    assert len(seen) == len(set(seen))
    assert set(rules.WORDS) == set(seen) - {rules.SETTING}  # a setting shows its values
