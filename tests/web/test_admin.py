"""Administration on the web: accounts, one's own password, published procedures, the log."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain.changelog import ACCOUNTS
from domain.changelog import AREAS
from domain.changelog import OFFER
from extensions import db
from models import CalendarDay
from models import LogEntry
from models import Procedure
from models import StaffUser
from services.workflow import local_today
from tests.pages import check_page
from tests.pages import parse
from tests.staff import make_user
from tests.staff import post_form
from tests.staff import sign_in
from tests.staff import staff_client


def account(app: Flask, username: str) -> StaffUser:
    with app.app_context():
        found = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username))
        db.session.expunge(found)
        return found


def changes(app: Flask, username: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(LogEntry.change)
                .where(LogEntry.subject == username, LogEntry.change.in_(AREAS[ACCOUNTS]))
                .order_by(LogEntry.id)
            )
        )


def create(admin: FlaskClient, **fields: str):
    page = parse(admin.get("/can-bo/nguoi-dung"))
    return post_form(admin, page, "form[action$='/nguoi-dung']", fields)


def temporary_password(response) -> str:
    page = parse(response)
    check_page(page)
    return page.select_one(".resume-code").get_text(strip=True)


def press(client: FlaskClient, user_id: int, button: str, extra: dict | None = None):
    page = parse(client.get(f"/can-bo/nguoi-dung/{user_id}"))
    token = page.select_one("[name=csrf_token]")["value"]
    return client.post(
        f"/can-bo/nguoi-dung/{user_id}", data={"csrf_token": token, "doi": button, **(extra or {})}
    )


def change_password(client: FlaskClient, current: str, new: str, again: str | None = None):
    page = parse(client.get("/can-bo/mat-khau"))
    return post_form(
        client,
        page,
        "form[action$='/mat-khau']",
        {"current": current, "new": new, "again": new if again is None else again},
    )


def test_an_administrator_opens_an_account_and_the_person_sets_their_own_password(
    app: Flask,
) -> None:
    admin = staff_client(app, "quan_tri")
    shown = create(
        admin, username="Tran.Thi.Binh", full_name="Trần Thị Bình", phone="0912 345 678",
        role="tiep_nhan",
    )  # fmt: skip
    assert shown.status_code == 200
    temporary = temporary_password(shown)
    assert len(temporary) == 14 and temporary.count("-") == 2
    made = account(app, "tran.thi.binh")
    assert (made.role, made.unit_code, made.phone) == ("tiep_nhan", 8566, "0912345678")
    assert made.must_change_password
    assert temporary not in made.password_hash
    assert changes(app, "tran.thi.binh") == ["created"]

    person = app.test_client()
    assert sign_in(person, "tran.thi.binh", temporary).status_code == 303
    # Every page sends them to choose their own password first.
    to_choose = person.get("/can-bo/")
    assert to_choose.status_code == 303 and to_choose.headers["Location"].endswith("/mat-khau")
    page = parse(person.get("/can-bo/mat-khau"))
    check_page(page)
    assert not page.select(".staff-nav"), "nothing else to open before the password is chosen"

    wrong = change_password(person, "doan-sai-mat-khau", "ca-phe-sang-thu-hai")
    assert wrong.status_code == 422
    assert parse(wrong).select_one("#current-error")
    mismatch = change_password(person, temporary, "ca-phe-sang-thu-hai", "ca-phe-sang-thu-ba")
    assert parse(mismatch).select_one("#again-error")
    short = change_password(person, temporary, "ngan")
    assert "10 ký tự" in parse(short).select_one("#new-error").get_text()
    with_name = change_password(person, temporary, "tran.thi.binh-2026")
    assert parse(with_name).select_one("#new-error")

    done = change_password(person, temporary, "ca-phe-sang-thu-hai")
    assert done.status_code == 303
    assert person.get("/can-bo/").status_code == 200  # still signed in, now free to work
    assert not account(app, "tran.thi.binh").must_change_password
    assert changes(app, "tran.thi.binh") == ["created", "password_changed"]
    assert sign_in(app.test_client(), "tran.thi.binh", temporary).status_code == 422
    assert sign_in(app.test_client(), "tran.thi.binh", "ca-phe-sang-thu-hai").status_code == 303


def test_bad_account_details_are_explained_and_nothing_typed_is_lost(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    taken = make_user(app, "chuyen_vien")
    answer = create(admin, username="Nguyễn An", full_name="Nguyễn Văn An", phone="123", role="")
    assert answer.status_code == 422
    page = parse(answer)
    check_page(page)
    for name in ("username", "phone", "role"):
        assert page.select_one(f"#{name}-error"), name
    assert page.select_one("#full_name")["value"] == "Nguyễn Văn An"
    assert page.select_one("#username")["value"] == "Nguyễn An"
    assert len(page.select(".error-summary li")) == 3
    again = parse(create(admin, username=taken, full_name="Lê Văn Cường", role="tiep_nhan"))
    assert "đã có người dùng" in again.select_one("#username-error").get_text()
    assert again.select_one("input[name=role][value=tiep_nhan]").has_attr("checked")


def test_closing_an_account_ends_its_sessions_and_it_can_be_reopened(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    clerk_name = make_user(app, "tiep_nhan")
    clerk = app.test_client()
    assert sign_in(clerk, clerk_name).status_code == 303
    clerk_id = account(app, clerk_name).id

    assert press(admin, clerk_id, "khoa").status_code == 303
    assert not account(app, clerk_name).active
    assert "/dang-nhap" in clerk.get("/can-bo/").headers["Location"]
    assert sign_in(app.test_client(), clerk_name).status_code == 422

    page = parse(admin.get(f"/can-bo/nguoi-dung/{clerk_id}"))
    check_page(page)
    assert page.select_one("button[value=mo]")
    press(admin, clerk_id, "mo")
    assert sign_in(app.test_client(), clerk_name).status_code == 303
    assert changes(app, clerk_name) == ["deactivated", "reactivated"]


def test_a_new_role_or_a_temporary_password_signs_the_person_out(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    clerk_name = make_user(app, "tiep_nhan")
    clerk = app.test_client()
    sign_in(clerk, clerk_name)
    clerk_id = account(app, clerk_name).id

    press(admin, clerk_id, "vai-tro", {"role": "lanh_dao"})
    assert account(app, clerk_name).role == "lanh_dao"
    assert clerk.get("/can-bo/").status_code == 302

    sign_in(clerk, clerk_name)
    shown = press(admin, clerk_id, "mat-khau")
    temporary = temporary_password(shown)
    assert clerk.get("/can-bo/").status_code == 302
    assert sign_in(app.test_client(), clerk_name).status_code == 422  # the old one is gone
    assert sign_in(clerk, clerk_name, temporary).status_code == 303
    assert clerk.get("/can-bo/").headers["Location"].endswith("/mat-khau")
    assert changes(app, clerk_name) == ["role", "password_reset"]
    log = parse(admin.get("/can-bo/nguoi-dung")).select_one("ul.changes").get_text()
    assert "cấp mật khẩu tạm" in log and "đổi vai trò" in log and "Lãnh đạo" in log


def test_an_administrator_cannot_lock_themselves_out(app: Flask) -> None:
    admin_name = make_user(app, "quan_tri")
    admin = app.test_client()
    sign_in(admin, admin_name)
    admin_id = account(app, admin_name).id
    locked = press(admin, admin_id, "khoa")
    assert locked.status_code == 422
    assert "tự khóa" in parse(locked).select_one(".error-summary").get_text()
    demoted = press(admin, admin_id, "vai-tro", {"role": "tiep_nhan"})
    assert demoted.status_code == 422
    found = account(app, admin_name)
    assert found.active and found.role == "quan_tri"


def test_accounts_of_another_commune_are_out_of_reach(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    other_name = make_user(app, "tiep_nhan", unit=4792)
    other_id = account(app, other_name).id
    assert admin.get(f"/can-bo/nguoi-dung/{other_id}").status_code == 404
    listed = parse(admin.get("/can-bo/nguoi-dung")).select_one("table.inbox").get_text()
    assert other_name not in listed
    token = parse(admin.get("/can-bo/nguoi-dung")).select_one("[name=csrf_token]")["value"]
    response = admin.post(
        f"/can-bo/nguoi-dung/{other_id}", data={"csrf_token": token, "doi": "khoa"}
    )
    assert response.status_code == 404
    assert account(app, other_name).active


@pytest.fixture
def restore_procedure(app: Flask):
    yield
    with app.app_context():
        proc = db.session.get(Procedure, "1.001193")
        proc.published = proc.online_open = True
        db.session.commit()


def toggle(admin: FlaskClient, code: str, what: str, value: str):
    """Press the button of one procedure's row on the publishing page."""
    page = parse(admin.get("/can-bo/thu-tuc"))
    check_page(page)
    row = page.select_one("#p-" + code.replace(".", "\\."))
    form = next(f for f in row.select("form") if f.select_one(f"input[name=doi][value={what}]"))
    assert form.select_one("button")["value"] == value
    return post_form(admin, row, f"form:has(input[value={what}])", {"gia-tri": value})


def test_pausing_online_submission_sends_new_people_to_the_counter(
    app: Flask, client: FlaskClient, restore_procedure: None
) -> None:
    admin = staff_client(app, "quan_tri")
    assert toggle(admin, "1.001193", "truc-tuyen", "khong").status_code == 303
    detail = parse(client.get("/thu-tuc/1.001193"))
    assert "tạm ngừng nhận hồ sơ trực tuyến" in detail.select_one(".notice").get_text()
    assert not detail.select("a[href='/nop-ho-so/1.001193']")
    start = parse(client.get("/nop-ho-so/1.001193"))
    assert "tạm ngừng" in start.select_one("h1").get_text()
    assert not start.select("input[name=phone]")

    toggle(admin, "1.001193", "truc-tuyen", "co")
    assert parse(client.get("/thu-tuc/1.001193")).select("a[href='/nop-ho-so/1.001193']")
    assert parse(client.get("/nop-ho-so/1.001193")).select("input[name=phone]")


def test_a_hidden_procedure_leaves_the_communes_list(
    app: Flask, client: FlaskClient, restore_procedure: None
) -> None:
    def listed(url: str) -> bool:
        return bool(parse(client.get(url)).select("a[href='/thu-tuc/1.001193']"))

    assert listed("/thu-tuc?q=khai+sinh") and listed("/")
    admin = staff_client(app, "quan_tri")
    toggle(admin, "1.001193", "cong-bo", "khong")
    assert not listed("/thu-tuc?q=khai+sinh") and not listed("/")
    detail = parse(client.get("/thu-tuc/1.001193"))
    assert "không nhận thủ tục này" in detail.select_one(".notice").get_text()
    assert "Đang ẩn" in parse(admin.get("/can-bo/thu-tuc")).select_one("#p-1\\.001193").get_text()
    toggle(admin, "1.001193", "cong-bo", "co")
    assert listed("/thu-tuc?q=khai+sinh")


# --- The administrative log: procedures and days off --------------------------------------------


def admin_log(app: Flask, unit: int = 8566) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (row.actor, row.subject, row.change)
            for row in db.session.scalars(
                sa.select(LogEntry)
                .where(LogEntry.unit_code == unit, LogEntry.change.in_(AREAS[OFFER]))
                .order_by(LogEntry.id)
            )
        ]


def signed_in_admin(app: Flask, unit: int = 8566) -> tuple[FlaskClient, str]:
    name = make_user(app, "quan_tri", unit)
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client, name


def test_publishing_and_online_switches_are_logged_where_accounts_are(
    app: Flask, restore_procedure: None
) -> None:
    admin, name = signed_in_admin(app)
    toggle(admin, "1.001193", "cong-bo", "khong")
    toggle(admin, "1.001193", "truc-tuyen", "khong")
    toggle(admin, "1.001193", "truc-tuyen", "co")
    toggle(admin, "1.001193", "cong-bo", "co")
    assert admin_log(app) == [
        (name, "1.001193", "unpublished"),
        (name, "1.001193", "online_closed"),
        (name, "1.001193", "online_opened"),
        (name, "1.001193", "published"),
    ]
    # A second press on a page left open changes nothing, and so logs nothing.
    token = parse(admin.get("/can-bo/thu-tuc")).select_one("[name=csrf_token]")["value"]
    again = {"csrf_token": token, "code": "1.001193", "doi": "cong-bo", "gia-tri": "co"}
    assert admin.post("/can-bo/thu-tuc", data=again).status_code == 303
    assert len(admin_log(app)) == 4

    page = parse(admin.get("/can-bo/nguoi-dung"))
    check_page(page)
    shown = page.select("ul.changes")[1].get_text()
    for words in ("ẩn thủ tục khỏi danh sách của xã", "tạm ngừng nhận hồ sơ trực tuyến", name):
        assert words in shown
    assert "Khai sinh" in shown or "khai sinh" in shown  # the procedure's name, beside its code
    # Another commune's administrator does not read this commune's log.
    other, _name = signed_in_admin(app, unit=4792)
    assert "1.001193" not in parse(other.get("/can-bo/nguoi-dung")).select("ul.changes")[1].text


def test_days_off_added_and_removed_are_logged(app: Flask) -> None:
    admin, name = signed_in_admin(app)
    page = parse(admin.get("/can-bo/ngay-nghi"))
    day = date(local_today().year + 1, 6, 2)
    form = "form[action$='/ngay-nghi']:not(.inline)"
    post_form(admin, page, form, {"day": day.isoformat(), "note": "Bão"})
    post_form(admin, page, form, {"day": day.isoformat(), "working": "co"})
    listed = parse(admin.get("/can-bo/ngay-nghi"))
    post_form(admin, listed, "form.inline[action$='/ngay-nghi']", {"xoa": "1"})
    with app.app_context():
        assert db.session.get(CalendarDay, (8566, day)) is None
    shown = day.strftime("%d/%m/%Y")
    assert admin_log(app) == [
        (name, shown, "day_off"),
        (name, shown, "working_day"),
        (name, shown, "day_removed"),
    ]
    log = parse(admin.get("/can-bo/nguoi-dung")).select("ul.changes")[1].get_text()
    assert "thêm ngày nghỉ" in log and "(Bão)" in log and "bỏ ngày đã thêm" in log


def refuse_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second half of a change fails: its log row is refused by the database."""
    from services import admin as admin_service

    def unwritable(actor: StaffUser, subject: str, change: str, detail: str = "") -> None:
        db.session.add(LogEntry(unit_code=actor.unit_code, actor=None, subject=subject,
                                change=change, detail=detail))  # fmt: skip

    monkeypatch.setattr(admin_service, "log", unwritable)


def test_a_day_whose_log_row_fails_is_not_kept(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    admin, _name = signed_in_admin(app)
    page = parse(admin.get("/can-bo/ngay-nghi"))
    day = date(local_today().year + 1, 6, 3)
    form = "form[action$='/ngay-nghi']:not(.inline)"
    post_form(admin, page, form, {"day": day.isoformat(), "note": "Bão"})
    refuse_the_log(monkeypatch)
    with pytest.raises(sa.exc.IntegrityError):
        post_form(admin, page, form, {"day": (day + timedelta(days=1)).isoformat()})
    with pytest.raises(sa.exc.IntegrityError):
        post_form(
            admin,
            parse(admin.get("/can-bo/ngay-nghi")),
            "form.inline[action$='/ngay-nghi']",
            {"xoa": "1"},
        )
    with app.app_context():
        assert db.session.get(CalendarDay, (8566, day + timedelta(days=1))) is None
        assert db.session.get(CalendarDay, (8566, day)) is not None  # its removal undone
    assert [change for _actor, _day, change in admin_log(app)] == ["day_off"]


def test_a_procedure_switch_whose_log_row_fails_is_not_kept(
    app: Flask, monkeypatch: pytest.MonkeyPatch, restore_procedure: None
) -> None:
    admin, _name = signed_in_admin(app)
    refuse_the_log(monkeypatch)
    with pytest.raises(sa.exc.IntegrityError):
        toggle(admin, "1.001193", "cong-bo", "khong")
    with app.app_context():
        assert db.session.get(Procedure, "1.001193").published
    assert admin_log(app) == []


def test_a_name_taken_between_the_check_and_the_insert_is_refused_about_the_username(
    app: Flask,
) -> None:
    from domain.messages import Invalid
    from services import staff as staff_service

    with app.app_context():
        admin = db.session.scalar(
            sa.select(StaffUser).where(StaffUser.username == make_user(app, "quan_tri"))
        )
        details = {"full_name": "Lê Thị Hai", "phone": "", "role": "tiep_nhan"}
        staff_service.create_account(admin, "le.thi.hai", **details)
        # The second of two administrators, whose check for a free name ran before the insert.
        with pytest.raises(Invalid) as refused:
            staff_service.create_account(admin, "le.thi.hai", **details)
        assert refused.value.field == "username"
        assert refused.value.problem.message == staff_service.USERNAME_TAKEN
    assert changes(app, "le.thi.hai") == ["created"]
