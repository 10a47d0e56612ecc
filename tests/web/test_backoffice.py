"""The back office: who may open what, the inbox, the workflow, slips, the clock, figures."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain import workflow
from domain.calendar import LOCAL
from extensions import db
from models import CalendarDay
from models import Dossier
from models import DossierEvent
from models import StaffUser
from models import StoredFile
from services.workflow import Request
from services.workflow import act
from services.workflow import local_today
from tests.append_only import assert_cannot_be_rewritten
from tests.journeys import KHAI_SINH_UPLOADS
from tests.journeys import submitted
from tests.objectstore import both_stores
from tests.pages import check_page
from tests.pages import gzipped_size
from tests.pages import parse
from tests.staff import PASSWORD
from tests.staff import make_user
from tests.staff import post_form
from tests.staff import sign_in
from tests.staff import staff_client


def dossier(app: Flask, code: str) -> Dossier:
    with app.app_context():
        found = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        db.session.expunge(found)
        return found


def events(app: Flask, code: str) -> list[tuple[str, int | None, int, bool]]:
    with app.app_context():
        return [
            (e.action, e.from_status, e.to_status, e.public)
            for e in db.session.scalars(
                sa.select(DossierEvent)
                .join(Dossier)
                .where(Dossier.code == code)
                .order_by(DossierEvent.id)
            )
        ]


def do(client: FlaskClient, code: str, key: str, changes: dict | None = None):
    page = parse(client.get(f"/can-bo/ho-so/{code}"))
    return post_form(client, page, f"form[action$='/{key}']", changes)


# --- Access ------------------------------------------------------------------------------------


ROLES = ("tiep_nhan", "chuyen_vien", "lanh_dao", "quan_tri", "to_cong_nghe_so", "quan_tri_tinh")
DOSSIER_ENDPOINTS = {
    "backoffice.dossier",
    "backoffice.action",
    "backoffice.document",
    "backoffice.print_slip",
}


def backoffice_routes(
    app: Flask, code: str = "08566-260101-9999", file_id: int = 1
) -> list[tuple[str, str, str, tuple[str, ...] | None]]:
    """Every back-office route and method: (endpoint, method, url, roles allowed)."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("backoffice."):
            continue
        view = app.view_functions[rule.endpoint]
        allowed = getattr(view, "allowed_roles", None)
        url = rule.rule.replace("<code>", code).replace("<key>", "receive")
        url = url.replace("<id:file_id>", str(file_id)).replace("<slip>", "01")
        url = url.replace("<id:user_id>", "1")
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule.endpoint, method, url, allowed))
    return found


def csrf_token(client: FlaskClient) -> str:
    """A token from a page every signed-in account may open."""
    return parse(client.get("/can-bo/mat-khau")).select_one("[name=csrf_token]")["value"]


def test_every_back_office_route_needs_a_signed_in_member_of_staff(app: Flask) -> None:
    client = app.test_client()
    # A valid token, so that a POST passes the CSRF check and reaches the access check.
    token = parse(client.get("/can-bo/dang-nhap")).select_one("[name=csrf_token]")["value"]
    open_to_all = {"backoffice.login", "backoffice.logout"}
    routes = backoffice_routes(app)
    assert len({endpoint for endpoint, *_ in routes}) >= 16
    assert any(method == "POST" for endpoint, method, *_ in routes if endpoint not in open_to_all)
    for endpoint, method, url, allowed in routes:
        if endpoint in open_to_all:
            continue
        assert allowed, f"{endpoint} has no @roles"
        data = {"csrf_token": token, "version": "1"} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url, response.status_code)
        assert "/can-bo/dang-nhap" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_refuses_the_roles_it_is_not_for(app: Flask, role: str) -> None:
    code = submitted(app)
    client = staff_client(app, role)
    token = csrf_token(client)
    refused = [
        (method, url)
        for _endpoint, method, url, allowed in backoffice_routes(app, code)
        if allowed and role not in allowed
    ]
    assert refused  # even a leader: the administrator's pages
    before = dossier(app, code)
    for method, url in refused:
        data = {"csrf_token": token, "version": str(before.version)} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (role, method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert before.applicant_name not in body and before.applicant_phone not in body
    after = dossier(app, code)
    assert (after.status, after.version) == (before.status, before.version)


def test_the_administrator_runs_the_system_and_opens_no_dossier(app: Flask) -> None:
    code = submitted(app)
    do(staff_client(app, "tiep_nhan"), code, "receive")
    found = dossier(app, code)
    admin = staff_client(app, "quan_tri")
    for url in (f"/can-bo/ho-so/{code}", f"/can-bo/ho-so/{code}/phieu/01"):
        assert admin.get(url).status_code == 403, url
    inbox = admin.get("/can-bo/", query_string={"q": code, "tab": "dang-xu-ly"})
    assert inbox.status_code == 200
    page = parse(inbox)
    check_page(page)
    assert not page.select("table.inbox") and not page.select("#q")
    body = inbox.get_data(as_text=True)
    assert code not in page.select_one("main").get_text() and found.applicant_name not in body
    tabs = {a.get_text(" ", strip=True).split(" (")[0]: a for a in page.select(".tabs a")}
    assert int(tabs["Đang xử lý"].select_one(".count").get_text().strip("()")) == 1
    nav = [a.get_text(strip=True) for a in page.select(".staff-nav a")]
    assert "Thống kê đúng hạn" in nav and "Ngày nghỉ" in nav and "Người dùng" in nav
    log = parse(admin.get("/can-bo/nhat-ky"))
    assert code in log.get_text() and not log.select(f"a[href*='{code}']")
    for url in ("/can-bo/thong-ke", "/can-bo/ngay-nghi", "/can-bo/nguoi-dung", "/can-bo/thu-tuc"):
        assert admin.get(url).status_code == 200, url


def every_slip(app: Flask) -> dict[str, str]:
    """Dossiers of Xã Tân Sơn with each slip 01–05 printed; slip number → dossier code."""
    clerk, specialist = staff_client(app, "tiep_nhan"), staff_client(app, "chuyen_vien")
    leader = staff_client(app, "lanh_dao")
    kept, refused = submitted(app), submitted(app)
    do(clerk, kept, "receive")
    deadline = (date.today() + timedelta(days=10)).isoformat()
    asked = {"items": "birth_certificate", "reason": "Ảnh mờ", "deadline": deadline}
    assert do(specialist, kept, "request_supplement", asked).status_code == 303
    do(clerk, kept, "supplement_received")
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == kept))
        row.due_date = date.today() - timedelta(days=1)  # it ran late
        db.session.commit()
    from domain.calendar import WorkCalendar

    new_date = WorkCalendar().add_working_days(date.today(), 5).isoformat()
    apology = {"reason": "Chờ xác minh", "new_date": new_date}
    assert do(leader, kept, "apologise", apology).status_code == 303
    assert do(leader, kept, "stop", {"reason": "Không đủ điều kiện"}).status_code == 303
    assert do(clerk, refused, "refuse", {"reason": "Sai thủ tục"}).status_code == 303
    return {"01": kept, "02": kept, "03": refused, "04": kept, "05": kept}


def test_staff_of_another_commune_see_nothing_of_this_one(app: Flask) -> None:
    slips = every_slip(app)
    code = slips["01"]
    with app.app_context():
        file_id = db.session.scalar(
            sa.select(StoredFile.id).join(Dossier).where(Dossier.code == code)
        )
    home = staff_client(app, "lanh_dao")
    urls = [f"/can-bo/ho-so/{code}", f"/can-bo/ho-so/{code}/tep/{file_id}"]
    urls += [f"/can-bo/ho-so/{slips[n]}/phieu/{n}" for n in sorted(slips)]
    for url in urls:  # they exist, for the commune's own staff
        response = home.get(url)
        assert response.status_code == 200, url
        response.close()
    bound = [r for r in backoffice_routes(app, code, file_id) if r[0] in DOSSIER_ENDPOINTS]
    assert {r[0] for r in bound} == DOSSIER_ENDPOINTS  # a new dossier route joins this test
    before = {c: dossier(app, c) for c in set(slips.values())}
    history = {c: events(app, c) for c in before}
    for role in ("tiep_nhan", "chuyen_vien", "lanh_dao", "to_cong_nghe_so"):
        other = staff_client(app, role, unit=4792)  # Phường Tân Hòa
        token = csrf_token(other)
        answers = [other.get(url) for url in urls]
        for key in workflow.ACTIONS:
            for c, found in before.items():
                data = {"csrf_token": token, "version": str(found.version), "reason": "x"}
                answers.append(other.post(f"/can-bo/ho-so/{c}/{key}", data=data))
        for response in answers:
            # Helpers are turned away by role on pages they never open, others by commune.
            expected = {404, 403} if role == "to_cong_nghe_so" else {404}
            assert response.status_code in expected, (role, response.request.path)
            body = response.get_data(as_text=True)
            main = parse(response).select_one("main")
            for found in before.values():
                # The code is in the address they typed (the language link repeats it) and
                # nowhere else.
                assert main is None or found.code not in main.get_text()
                assert found.applicant_name not in body
                assert found.applicant_phone not in body and found.applicant_id_number not in body
        listed = parse(other.get("/can-bo/", query_string={"q": code}))
        assert not listed.select("table.inbox tbody a")
    for c, found in before.items():
        assert (dossier(app, c).status, dossier(app, c).version) == (found.status, found.version)
        assert events(app, c) == history[c]


# --- Signing in --------------------------------------------------------------------------------


def test_login_page_and_wrong_password(app: Flask) -> None:
    client = app.test_client()
    soup = parse(client.get("/can-bo/dang-nhap"))
    check_page(soup)
    username = make_user(app, "tiep_nhan")
    response = sign_in(client, username, "wrong-password")
    assert response.status_code == 422
    assert "không đúng" in parse(response).select_one("#error-summary").get_text()


def test_five_wrong_tries_make_that_name_wait_at_that_address(app: Flask) -> None:
    username = make_user(app, "tiep_nhan")
    client = app.test_client()
    for _ in range(5):
        sign_in(client, username, "wrong-password")
    waiting = sign_in(client, username, PASSWORD)  # even the right password waits now
    assert waiting.status_code == 422
    assert "1 phút" in parse(waiting).select_one("#error-summary").get_text()
    # A colleague at the same office address, and the person from another address, go in.
    assert sign_in(app.test_client(), make_user(app, "tiep_nhan")).status_code == 303
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.7.7.7"
    assert sign_in(elsewhere, username).status_code == 303
    with app.app_context():
        from models import LoginThrottle
        from models import utcnow

        for row in db.session.scalars(sa.select(LoginThrottle)):
            row.locked_until = utcnow() - timedelta(seconds=1)  # a minute later
        db.session.commit()
    assert sign_in(client, username, PASSWORD).status_code == 303


def test_wrong_tries_under_other_names_never_refuse_a_colleague(app_context: Flask) -> None:
    from services.staff import authenticate

    colleague = make_user(app_context, "tiep_nhan")
    for number in range(5):  # five wrong passwords under five names, from the office
        name = make_user(app_context, "tiep_nhan")
        assert authenticate(name, "sai", "10.9.8.1") == (None, None), number
    user, wait = authenticate(colleague, PASSWORD, "10.9.8.1")
    assert user is not None and wait is None


def test_guessing_one_name_from_many_addresses_never_refuses_its_owner(
    app_context: Flask,
) -> None:
    from domain.accounts import ACCOUNT_TRIES
    from models import utcnow
    from services.staff import authenticate

    username = make_user(app_context, "tiep_nhan")
    now = utcnow()
    for number in range(ACCOUNT_TRIES + 10):  # five addresses, then a whole botnet
        authenticate(username, "sai", f"10.66.{number // 250}.{number % 250}", now)
    user, wait = authenticate(username, PASSWORD, "10.9.8.2", now)  # the owner's own PC
    assert user is not None and wait is None
    # Under attack, each address has one try at that name before it waits.
    user, wait = authenticate(username, "sai", "10.77.0.1", now)
    assert user is None and wait is not None
    assert authenticate(username, PASSWORD, "10.77.0.1", now)[0] is None


def test_waits_grow_then_are_forgotten(app_context: Flask) -> None:
    from domain.accounts import FREE_TRIES
    from models import utcnow
    from services.staff import authenticate

    username = make_user(app_context, "tiep_nhan")
    now = utcnow()
    for _ in range(FREE_TRIES - 1):
        assert authenticate(username, "sai", "10.9.8.3", now) == (None, None)
    waits = []
    for _ in range(7):
        _user, until = authenticate(username, "sai", "10.9.8.3", now)
        waits.append(round((until - now).total_seconds() / 60))
        now = until  # tried again as soon as allowed
    assert waits == [1, 2, 4, 8, 15, 15, 15]
    user, _wait = authenticate(username, PASSWORD, "10.9.8.3", now - timedelta(seconds=1))
    assert user is None  # still waiting
    quiet = now + timedelta(minutes=16)  # a quarter of an hour with no wrong try
    assert authenticate(username, "sai", "10.9.8.3", quiet) == (None, None)


def test_spraying_from_one_address_makes_only_that_address_wait(app_context: Flask) -> None:
    from domain.accounts import ADDRESS_TRIES
    from services.staff import authenticate

    names = [make_user(app_context, "tiep_nhan") for _ in range(3)]
    for number in range(ADDRESS_TRIES):
        authenticate(f"khong-co-{number}", "mat-khau-thuong-gap", "10.9.8.4")
    user, wait = authenticate(names[0], PASSWORD, "10.9.8.4")
    assert user is None and wait is not None  # right or wrong, this address learns nothing
    assert authenticate(names[1], PASSWORD, "10.9.8.5")[0] is not None


def test_only_failures_close_together_count(app: Flask) -> None:
    from models import utcnow
    from services.staff import authenticate

    username = make_user(app, "tiep_nhan")
    long_ago = utcnow() - timedelta(days=30)
    with app.app_context():
        for minute in range(4):  # four typos a month ago
            assert authenticate(username, "sai", "10.9.9.1", long_ago + timedelta(minutes=minute))
        now = utcnow()
        assert authenticate(username, "sai", "10.9.9.1", now) == (None, None)  # not waiting
        user, lock = authenticate(username, PASSWORD, "10.9.9.1", now)
        assert user is not None and lock is None
        # Five within a quarter of an hour still make that address wait.
        for minute in range(5):
            user, lock = authenticate(username, "sai", "10.9.9.2", now + timedelta(minutes=minute))
        assert user is None and lock is not None


def test_a_sign_in_lasts_a_working_day(app: Flask) -> None:
    from models import utcnow

    assert app.permanent_session_lifetime == timedelta(hours=12)
    client = app.test_client()
    response = sign_in(client, make_user(app, "tiep_nhan"))
    cookie = response.headers["Set-Cookie"]
    expires = datetime.strptime(
        cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT"
    )
    left = expires - utcnow().replace(tzinfo=None)
    assert timedelta(hours=11) < left <= timedelta(hours=12)
    assert client.get("/can-bo/").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] -= 12 * 3600 + 60  # busy all day, and the night too
    expired = client.get("/can-bo/")
    assert expired.status_code == 302 and "/can-bo/dang-nhap" in expired.headers["Location"]
    assert client.get("/can-bo/").status_code == 302  # signed out, not just turned away


def test_session_cookie_is_httponly_and_samesite(app: Flask) -> None:
    client = app.test_client()
    response = sign_in(client, make_user(app, "lanh_dao"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_out_everywhere_ends_every_session(app: Flask) -> None:
    username = make_user(app, "tiep_nhan")
    office, home = app.test_client(), app.test_client()
    assert sign_in(office, username).status_code == 303
    assert sign_in(home, username).status_code == 303
    assert home.get("/can-bo/").status_code == 200
    page = parse(office.get("/can-bo/"))
    post_form(office, page, "form[action$='/dang-xuat-moi-noi']")
    assert home.get("/can-bo/").status_code == 302
    assert office.get("/can-bo/").status_code == 302


def copy_of(client: FlaskClient, app: Flask, address: str) -> FlaskClient:
    """Another browser, at another address, holding a copy of this browser's cookie."""
    thief = app.test_client()
    thief.environ_base["REMOTE_ADDR"] = address
    thief.environ_base["HTTP_USER_AGENT"] = client.environ_base.get("HTTP_USER_AGENT", "")
    for cookie in client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


@pytest.mark.parametrize("address", ["127.0.0.1", "10.20.30.40"])
def test_signing_out_ends_the_session_on_the_server(app: Flask, address: str) -> None:
    username = make_user(app, "tiep_nhan")
    clerk = app.test_client()
    assert sign_in(clerk, username).status_code == 303
    code = submitted(app)
    page = parse(clerk.get("/can-bo/"))
    copied = copy_of(clerk, app, address)
    if address == "127.0.0.1":  # the copy works until then: the test would show nothing else
        assert copied.get(f"/can-bo/ho-so/{code}").status_code == 200
    post_form(clerk, page, "form[action$='/dang-xuat']")
    for path in ("/can-bo/", f"/can-bo/ho-so/{code}"):
        response = copied.get(path)
        assert response.status_code == 302, path
        assert "/can-bo/dang-nhap" in response.headers["Location"]
    with app.app_context():
        from models import StaffSession
        from models import StaffUser

        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username))
        assert db.session.scalars(sa.select(StaffSession).filter_by(user_id=user.id)).all() == []


def test_a_session_is_bound_to_its_server_record(app: Flask) -> None:
    username = make_user(app, "tiep_nhan")
    office, home = app.test_client(), app.test_client()
    assert sign_in(office, username).status_code == 303
    assert sign_in(home, username).status_code == 303
    post_form(home, parse(home.get("/can-bo/")), "form[action$='/dang-xuat']")
    assert office.get("/can-bo/").status_code == 200  # signing out at home ends home only
    with office.session_transaction() as session:
        session["staff_session"] = "a token the server never issued"
    assert office.get("/can-bo/").status_code == 302


def test_create_user_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "Admin-Tan-Son",
            "--role",
            "quan_tri",
            "--unit",
            "8566",
            "--password",
            "mot-mat-khau-dai",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == "admin-tan-son"))
        assert user.role == "quan_tri" and user.password_hash.startswith("scrypt:")
    again = runner.invoke(
        args=[
            "create-user",
            "admin-tan-son",
            "--role",
            "quan_tri",
            "--unit",
            "8566",
            "--password",
            "mot-mat-khau-dai",
        ]
    )
    assert again.exit_code != 0 and "taken" in again.output
    short = runner.invoke(
        args=["create-user", "x", "--role", "quan_tri", "--unit", "8566", "--password", "short"]
    )
    assert short.exit_code != 0


# --- Inbox -------------------------------------------------------------------------------------


def test_inbox_tabs_counts_and_search(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    response = clerk.get("/can-bo/")
    soup = parse(response)
    check_page(soup)
    tabs = {a.get_text(" ", strip=True).split(" (")[0]: a for a in soup.select(".tabs a")}
    assert set(tabs) == {
        "Mới",
        "Đang xử lý",
        "Chờ bổ sung",
        "Chờ trả kết quả",
        "Quá hạn",
        "Đến hạn trong 1 ngày làm việc",
        "Tất cả",
        "Đã chuyển đi",
    }
    assert tabs["Mới"].has_attr("aria-current")
    codes = [a.get_text() for a in soup.select("table.inbox tbody a")]
    assert codes == [code]
    found = parse(clerk.get("/can-bo/", query_string={"q": code.replace("-", " ")}))
    assert [a.get_text() for a in found.select("table.inbox tbody a")] == [code]
    by_name = parse(clerk.get("/can-bo/", query_string={"q": "ha thi mai"}))
    assert [a.get_text() for a in by_name.select("table.inbox tbody a")] == [code]
    fragment = clerk.get("/can-bo/?tab=dang-xu-ly", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)


def inbox_codes(page) -> list[str]:
    return [a.get_text() for a in page.select("table.inbox tbody a")]


def test_a_search_looks_at_every_dossier_whatever_its_status(app: Flask) -> None:
    received, refused = submitted(app), submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, received, "receive")
    do(clerk, refused, "refuse", {"reason": "Giấy chứng sinh không đúng người"})
    # From the default tab (the new ones), the code of a received dossier is found.
    found = parse(clerk.get("/can-bo/", query_string={"q": received}))
    check_page(found)
    assert inbox_codes(found) == [received]
    assert found.select_one(".tabs a[aria-current]").get_text().startswith("Tất cả")
    assert "mọi hồ sơ" in found.select_one("[role=status]").get_text()
    # Even with a tab chosen; a refused dossier (status 3, in no working tab) too.
    for tab in ("moi", "dang-xu-ly"):
        page = parse(clerk.get("/can-bo/", query_string={"q": refused.lower(), "tab": tab}))
        assert inbox_codes(page) == [refused]
        assert "Không được tiếp nhận" in page.select_one("table.inbox tbody").get_text()
    by_name = inbox_codes(parse(clerk.get("/can-bo/", query_string={"q": "HA THI MAI"})))
    assert received in by_name and refused in by_name
    # The tab of every dossier lists closed ones, with its count; tabs leave the search.
    every = parse(clerk.get("/can-bo/", query_string={"tab": "tat-ca"}))
    assert refused in inbox_codes(every)
    tabs = {a.get_text(" ", strip=True).split(" (")[0]: a for a in every.select(".tabs a")}
    count = int(tabs["Tất cả"].select_one(".count").get_text().strip("()"))
    with app.app_context():
        assert count == db.session.scalar(
            sa.select(sa.func.count()).select_from(Dossier).where(Dossier.unit_code == 8566)
        )
    assert "q=" not in tabs["Mới"]["href"]
    assert every.select_one("input[type=hidden][name=tab]")["value"] == "tat-ca"
    fragment = clerk.get("/can-bo/", query_string={"q": refused}, headers={"HX-Request": "true"})
    assert refused in fragment.get_data(as_text=True)
    # Another commune's staff find nothing of it, even in every dossier.
    other = staff_client(app, "tiep_nhan", unit=4792)
    assert not inbox_codes(parse(other.get("/can-bo/", query_string={"q": refused})))
    assert refused not in inbox_codes(parse(other.get("/can-bo/?tab=tat-ca")))


def test_staff_pages_are_light(app: Flask) -> None:
    submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    inbox = clerk.get("/can-bo/")
    css = clerk.get(
        parse(inbox).select_one("link[rel=stylesheet]")["href"], headers={"Accept-Encoding": "gzip"}
    )
    htmx = clerk.get(
        parse(inbox).select_one("script[src]")["src"], headers={"Accept-Encoding": "gzip"}
    )
    first_visit = gzipped_size(inbox) + len(css.data) + len(htmx.data)
    assert first_visit <= 30 * 1024 + 17 * 1024  # htmx (17 KB, cached a year) aside, ≤ 30 KB
    assert gzipped_size(inbox) + len(css.data) <= 30 * 1024


# --- The workflow, end to end ------------------------------------------------------------------


def test_receive_sets_the_due_date_and_prints_slip_01(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    check_page(page)
    buttons = [b.get_text(strip=True) for b in page.select(".actions-panel button")]
    assert buttons == [
        "Tiếp nhận",
        "Từ chối tiếp nhận",
        "Yêu cầu bổ sung",
        "Chuyển đến xã, phường có thẩm quyền",
        "Ghi chú nội bộ",
    ]
    assert page.select_one(".documents img")  # the photos, for staff
    response = do(clerk, code, "receive")
    assert response.status_code == 303
    found = dossier(app, code)
    assert found.status == 2 and found.due_date is not None and found.received_at is not None
    slip = parse(clerk.get(f"/can-bo/ho-so/{code}/phieu/01"))
    check_page(slip)
    text = slip.get_text(" ", strip=True)
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam".upper() in text.upper()
    assert code in text and found.due_date.strftime("%d/%m/%Y") in text
    assert slip.select_one("svg.qr")
    assert "kho=a5" in slip.select_one(".no-print a[href*='kho']")["href"]
    # Mẫu 01 lists what was received: each paper sent online, with its number of files.
    table = slip.select_one("table.docs")
    assert table.caption.get_text(strip=True) == "Thành phần hồ sơ đã nhận"
    received = [
        [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in table.tbody("tr")
    ]
    assert len(received) == len(KHAI_SINH_UPLOADS)
    assert received[0][0].startswith("Giấy chứng sinh") and received[0][1].startswith("1 tệp")


def test_refusal_needs_a_reason_and_gives_slip_03(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    missing = do(clerk, code, "refuse")
    assert missing.status_code == 422
    assert "lý do" in parse(missing).select_one("#error-summary").get_text()
    assert dossier(app, code).status == 1
    assert (
        do(clerk, code, "refuse", {"reason": "Giấy chứng sinh không đúng người"}).status_code == 303
    )
    assert dossier(app, code).status == 3
    slip = clerk.get(f"/can-bo/ho-so/{code}/phieu/03").get_data(as_text=True)
    assert "Giấy chứng sinh không đúng người" in slip


def test_supplement_pauses_the_clock_and_the_return_restarts_it(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "receive")
    due = dossier(app, code).due_date
    deadline = (date.today() + timedelta(days=10)).isoformat()
    response = do(
        clerk,
        code,
        "request_supplement",
        {"items": "birth_certificate", "reason": "Ảnh mờ, không đọc được", "deadline": deadline},
    )
    assert response.status_code == 303
    paused = dossier(app, code)
    assert paused.status == 5 and paused.paused_on is not None
    assert paused.supplement_items[0]["key"] == "birth_certificate"
    slip = clerk.get(f"/can-bo/ho-so/{code}/phieu/02").get_data(as_text=True)
    assert "Giấy chứng sinh" in slip and "Ảnh mờ" in slip
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        row.paused_on = row.paused_on - timedelta(days=7)  # the person took a week
        db.session.commit()
    do(clerk, code, "supplement_received")
    back = dossier(app, code)
    assert back.status == 4 and back.paused_on is None
    assert back.due_date > due  # a pause never shortens a deadline
    assert back.original_due_date == back.due_date  # the figures judge against the paused one


def test_the_whole_way_to_returning_the_result(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    leader = staff_client(app, "lanh_dao")
    do(clerk, code, "receive")
    do(clerk, code, "forward")
    assert do(leader, code, "finish").status_code == 303
    missing = do(clerk, code, "return_result")
    assert missing.status_code == 422
    assert do(clerk, code, "return_result", {"channel": "tai_quay"}).status_code == 303
    final = dossier(app, code)
    assert final.status == 10 and final.result_channel == "tai_quay" and final.finished_at
    assert [e[0] for e in events(app, code)] == [
        "submit",
        "receive",
        "forward",
        "finish",
        "return_result",
    ]
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    assert [b.get_text(strip=True) for b in page.select(".actions-panel button")] == [
        "Ghi chú nội bộ"
    ]


def test_two_clerks_at_once_one_wins_the_other_is_told(app: Flask) -> None:
    code = submitted(app)
    first, second = staff_client(app, "tiep_nhan"), staff_client(app, "tiep_nhan")
    page_one = parse(first.get(f"/can-bo/ho-so/{code}"))
    page_two = parse(second.get(f"/can-bo/ho-so/{code}"))
    assert post_form(first, page_one, "form[action$='/receive']").status_code == 303
    late = post_form(second, page_two, "form[action$='/refuse']", {"reason": "Thiếu giấy tờ"})
    assert late.status_code == 409
    assert "cán bộ khác" in parse(late).select_one("#error-summary").get_text()
    assert dossier(app, code).status == 2
    assert [e[0] for e in events(app, code)] == ["submit", "receive"]


def test_internal_notes_stay_internal(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "note", {"reason": "Gọi lại cho chị Mai sau 14 giờ"})
    assert events(app, code)[-1] == ("note", 1, 1, False)
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    assert "Gọi lại cho chị Mai" in page.select_one(".timeline .internal").get_text()


def test_an_apology_once_with_a_later_date(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    leader = staff_client(app, "lanh_dao")
    do(clerk, code, "receive")
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        row.due_date = date.today() - timedelta(days=1)  # it is late
        db.session.commit()
    page = parse(leader.get(f"/can-bo/ho-so/{code}"))
    assert page.select_one("form[action$='/apologise']")
    same_day = do(
        leader,
        code,
        "apologise",
        {"reason": "Chờ xác minh", "new_date": (date.today() - timedelta(days=1)).isoformat()},
    )
    assert same_day.status_code == 422
    from domain.calendar import WorkCalendar

    saturday = date.today() + timedelta(days=(5 - date.today().weekday()) % 7 or 7)
    weekend = do(
        leader, code, "apologise", {"reason": "Chờ xác minh", "new_date": saturday.isoformat()}
    )
    assert weekend.status_code == 422
    page = parse(weekend)
    check_page(page)
    said = page.select_one("#apologise-new-date-error").get_text(" ", strip=True)
    assert "là ngày nghỉ" in said and saturday.strftime("%d/%m/%Y") in said
    field = page.select_one("#apologise-new-date")
    assert field["aria-invalid"] == "true" and field["value"] == saturday.isoformat()
    assert page.select_one("#apologise-reason").get_text() == "Chờ xác minh"  # nothing lost
    assert page.select_one("#error-summary a")["href"] == "#apologise-new-date"
    assert dossier(app, code).due_date == date.today() - timedelta(days=1)
    new_date = WorkCalendar().add_working_days(date.today(), 5).isoformat()
    assert (
        do(leader, code, "apologise", {"reason": "Chờ xác minh", "new_date": new_date}).status_code
        == 303
    )
    assert dossier(app, code).due_date.isoformat() == new_date
    slip = leader.get(f"/can-bo/ho-so/{code}/phieu/04").get_data(as_text=True)
    assert "Chờ xác minh" in slip
    page = parse(leader.get(f"/can-bo/ho-so/{code}"))
    assert not page.select_one("form[action$='/apologise']")  # once only


def test_counter_registration(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    page = parse(clerk.get("/can-bo/tiep-nhan-truc-tiep"))
    check_page(page)
    bad = post_form(
        clerk,
        page,
        "form[action$='/tiep-nhan-truc-tiep']",
        {"procedure": "2.000815", "name": "Lò Văn Páo", "cccd": "123", "phone": "0912345678"},
    )
    assert bad.status_code == 422
    assert parse(bad).select_one("#name")["value"] == "Lò Văn Páo"
    good = post_form(
        clerk,
        page,
        "form[action$='/tiep-nhan-truc-tiep']",
        {
            "procedure": "1.004884",
            "name": "Lò Văn Páo",
            "cccd": "025080001234",
            "phone": "0912345678",
        },
    )
    assert good.status_code == 303
    code = good.headers["Location"].rsplit("/", 1)[-1]
    found = dossier(app, code)
    assert (found.channel, found.status) == (1, 2) and found.due_date is not None


def test_a_counter_receipt_that_fails_half_way_leaves_no_dossier(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models import OutboxMessage
    from services import notify

    queue = notify.queue

    def refuse_the_receipt(row: Dossier, event: DossierEvent) -> None:
        # The last step of the second half: registering went through, receiving fails.
        if event.action == "receive":
            raise RuntimeError("the receipt fails")
        queue(row, event)

    monkeypatch.setattr(notify, "queue", refuse_the_receipt)
    clerk = staff_client(app, "tiep_nhan")
    name = "Lò Thị Nửa Chừng"
    with pytest.raises(RuntimeError, match="the receipt fails"):
        counter_dossier(clerk, name=name)
    with app.app_context():
        left = db.session.scalars(sa.select(Dossier.id).where(Dossier.applicant_name == name))
        assert left.all() == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DossierEvent)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    monkeypatch.undo()
    # Nothing of the first try stayed, its number of the day included: the next one is 0001.
    code = counter_dossier(clerk, name=name)
    assert code.endswith("-0001")
    assert (dossier(app, code).status, len(events(app, code))) == (2, 2)


@both_stores
def test_staff_see_the_photos_and_nobody_else_does(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    url = page.select_one(".documents a")["href"]
    response = clerk.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    # The very bytes the citizen's upload was stored as, read back from the store.
    with app.app_context():
        stored = db.session.get(StoredFile, int(url.rsplit("/", 1)[1]))
    assert response.is_streamed  # sent block by block from the stream, not as one byte string
    body = response.get_data()
    assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert int(response.headers["Content-Length"]) == stored.size == len(body)
    assert response.headers["ETag"] == f'"{stored.sha256}"'
    response.close()
    # The browser that has it already gets a 304; a range is sent as one.
    again = clerk.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    part = clerk.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.get_data() == body[10:20]
    again.close()  # as the server does once it has sent an answer
    part.close()
    assert app.test_client().get(url).status_code == 302


# --- Calendar and figures ----------------------------------------------------------------------


def test_a_day_off_added_by_the_administrator_moves_due_dates(app: Flask) -> None:
    admin = staff_client(app, "quan_tri")
    page = parse(admin.get("/can-bo/ngay-nghi"))
    check_page(page)
    # A Monday of next June: within the year ahead an administrator may mark.
    june = date(local_today().year + 1, 6, 1)
    day = june + timedelta(days=(7 - june.weekday()) % 7)
    post_form(
        admin,
        page,
        "form[action$='/ngay-nghi']:not(.inline)",
        {"day": day.isoformat(), "note": "Nghỉ bù"},
    )
    with app.app_context():
        assert db.session.get(CalendarDay, (8566, day)) is not None
        from services.calendar import work_calendar

        assert not work_calendar(8566).is_working_day(day)
        friday = day - timedelta(days=3)
        received = datetime(friday.year, friday.month, friday.day, 9, 0, tzinfo=LOCAL)
        # Friday, the day of receipt, is not counted and Monday is off: Tuesday is day 1.
        assert work_calendar(8566).due_date(received, 1, "WORKING_DAY") == day + timedelta(days=1)


def test_another_communes_day_off_does_not_move_this_communes_due_dates(app: Flask) -> None:
    from domain.calendar import WorkCalendar

    tan_son, tan_hoa = staff_client(app, "tiep_nhan"), staff_client(app, "tiep_nhan", unit=4792)
    before = dossier(app, counter_dossier(tan_son)).due_date
    # Phường Tân Hòa closes for the next two working days (a storm, say).
    admin = staff_client(app, "quan_tri", unit=4792)
    plain = WorkCalendar()
    first = plain.next_working_day(date.today())
    closed = [first, plain.next_working_day(first)]
    for day in closed:
        page = parse(admin.get("/can-bo/ngay-nghi"))
        post_form(admin, page, "form[action$='/ngay-nghi']:not(.inline)", {"day": day.isoformat()})
    try:
        assert dossier(app, counter_dossier(tan_son)).due_date == before
        assert dossier(app, counter_dossier(tan_hoa)).due_date > before
        listed = parse(staff_client(app, "quan_tri").get("/can-bo/ngay-nghi"))
        assert not [li for li in listed.select("li") if closed[0].strftime("%d/%m/%Y") in li.text]
        with app.app_context():
            from services.calendar import work_calendar

            assert work_calendar(8566).is_working_day(first)
            assert not work_calendar(4792).is_working_day(first)
    finally:
        with app.app_context():
            db.session.execute(sa.delete(CalendarDay).where(CalendarDay.unit_code == 4792))
            db.session.commit()


def test_on_time_figures_count_by_calendar_day(app: Flask) -> None:
    code = submitted(app)
    username = make_user(app, "tiep_nhan")
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        clerk = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username))
        act(row, Request("receive", row.version), clerk)
        row.finished_at = datetime.now(LOCAL)
        row.due_date = row.original_due_date = date.today() + timedelta(days=2)
        row.status = 9
        db.session.commit()
    leader = staff_client(app, "lanh_dao")
    page = parse(leader.get("/can-bo/thong-ke"))
    check_page(page)
    rows = {r.th.get_text(): r.td.get_text() for r in page.select("table.figures tr")}
    assert int(rows["Trước hạn"]) == 1


def test_a_dossier_that_needed_an_apology_counts_as_late(app: Flask) -> None:
    from domain.calendar import WorkCalendar
    from services.figures import on_time_figures

    code = submitted(app)
    clerk, leader = make_user(app, "tiep_nhan"), make_user(app, "lanh_dao")
    today = date.today()
    finished_on = today + timedelta(days=1)
    with app.app_context():
        staff = {
            u.role: u
            for u in db.session.scalars(
                sa.select(StaffUser).where(StaffUser.username.in_([clerk, leader]))
            )
        }
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        act(row, Request("receive", row.version), staff["tiep_nhan"])
        row.due_date = row.original_due_date = today - timedelta(days=2)  # it ran late
        db.session.commit()
        before = on_time_figures(8566, finished_on, finished_on)
        new_date = WorkCalendar().add_working_days(today, 5)
        act(
            row,
            Request("apologise", row.version, reason="Chờ xác minh", new_date=new_date),
            staff["lanh_dao"],
        )
        assert (row.due_date, row.original_due_date) == (new_date, today - timedelta(days=2))
        row.finished_at = datetime.combine(finished_on, datetime.min.time(), LOCAL)
        row.status = 9  # finished before the new date, after the one the law set
        db.session.commit()
        after = on_time_figures(8566, finished_on, finished_on)
    assert (after.finished - before.finished, after.late - before.late) == (1, 1)
    assert after.early == before.early and after.on_time == before.on_time


def test_event_log_is_for_administrators(app: Flask) -> None:
    code = submitted(app)
    admin = staff_client(app, "quan_tri")
    page = parse(admin.get("/can-bo/nhat-ky"))
    check_page(page)
    assert len(page.select("table.inbox tbody tr")) == len(events(app, code))


def test_events_cannot_be_changed_or_deleted(app: Flask) -> None:
    code = submitted(app)
    with app.app_context():
        event = db.session.scalar(sa.select(DossierEvent).join(Dossier).where(Dossier.code == code))
        assert_cannot_be_rewritten(event, "reason", "x")
        assert db.session.get(DossierEvent, event.id).reason != "x"


def test_satisfaction_feeds_the_figures(app: Flask) -> None:
    from models import DossierRating

    code = submitted(app)
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        db.session.add(DossierRating(dossier_id=row.id, value="hai_long"))
        db.session.commit()
    page = parse(staff_client(app, "lanh_dao").get("/can-bo/thong-ke"))
    rows = {r.th.get_text(): r.td.get_text() for r in page.select("table.figures tr")}
    assert int(rows["Lượt đánh giá của người dân"].split()[0]) == 1
    assert rows["Tỷ lệ hài lòng"] == "100.0%"


def htmx_swaps(page, status: int) -> bool:
    """Whether htmx, configured as the page says, puts an answer with this status on the page."""
    config = json.loads(page.select_one("meta[name=htmx-config]")["content"])
    for rule in config["responseHandling"]:
        if re.fullmatch(rule["code"], str(status)):
            return rule["swap"]
    raise AssertionError(f"htmx has no rule for {status}")


def boosted_post(client: FlaskClient, page, selector: str, changes: dict | None = None):
    """Send a form of an hx-boost region as htmx does, following the redirect as XHR does."""
    from tests.journeys import form_values

    form = page.select_one(selector)
    assert form is not None, selector
    region = form.find_parent(attrs={"data-hx-boost": "true"})
    assert region is not None, f"{selector} is not boosted"
    headers = {
        "HX-Request": "true",
        "HX-Boosted": "true",
        "HX-Target": region["data-hx-target"].lstrip("#"),
    }
    return client.post(
        form["action"],
        data={**form_values(form), **(changes or {})},
        headers=headers,
        follow_redirects=True,
    )


def swapped_in(page, response):
    """The element htmx takes from the answer (hx-select) and puts in place of its target."""
    panel = page.select_one(".actions-panel")
    assert panel["data-hx-swap"] == "outerHTML" and panel["data-hx-target"] == "#main"
    assert htmx_swaps(page, response.status_code), response.status_code
    taken = parse(response).select(panel["data-hx-select"])
    assert len(taken) == 1, f"{panel['data-hx-select']} found {len(taken)} times"
    return taken[0]


def test_actions_are_partial_updates_with_htmx(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    assert page.select_one(".actions-panel form[action$='/receive']")

    # A boosted action: htmx swaps the #main of the dossier as it now is; nothing else moves.
    response = boosted_post(clerk, page, "form[action$='/receive']")
    assert response.request.path == f"/can-bo/ho-so/{code}"
    main = swapped_in(page, response)
    assert "Được tiếp nhận" in main.select_one(".status-facts").get_text()
    assert not main.select("form[action$='/receive']")
    assert dossier(app, code).status == workflow.Status.RECEIVED

    # Refused by a rule (422) or by a colleague acting first (409): still swapped in, with why.
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    version = dossier(app, code).version
    refused = boosted_post(clerk, page, "form[action$='/request_supplement']", {"reason": "x"})
    assert refused.status_code == 422
    main = swapped_in(page, refused)
    assert main.select_one("#error-summary")
    assert main.select_one("#request_supplement-reason").get_text() == "x"  # kept as typed
    stale = boosted_post(clerk, page, "form[action$='/note']", {"reason": "Đã gọi", "version": "0"})
    assert stale.status_code == 409
    assert "Một cán bộ khác" in swapped_in(page, stale).select_one("#error-summary").get_text()
    assert dossier(app, code).version == version


# --- Slips -------------------------------------------------------------------------------------


def counter_dossier(clerk: FlaskClient, procedure: str = "1.004884", **changes: str) -> str:
    """A paper dossier registered and received at the desk; returns its code."""
    page = parse(clerk.get("/can-bo/tiep-nhan-truc-tiep"))
    values = {
        "procedure": procedure,
        "name": "Lò Văn Páo",
        "cccd": "025080001234",
        "phone": "0912345678",
        **changes,
    }
    response = post_form(clerk, page, "form[action$='/tiep-nhan-truc-tiep']", values)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_slips_carry_the_dossiers_own_commune(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan", unit=4792)  # Phường Tân Hòa, not the deployment's
    code = counter_dossier(clerk)
    assert code.startswith("04792-")
    slip = parse(clerk.get(f"/can-bo/ho-so/{code}/phieu/01"))
    check_page(slip)
    text = slip.get_text(" ", strip=True)
    assert "Tân Sơn" not in text
    head = slip.select_one(".slip-head").get_text(" ", strip=True)
    assert "Ủy ban nhân dân Phường Tân Hòa" in head and "Tỉnh Phú Thọ" in head
    assert head.count("Phường Tân Hòa, ngày") == 1
    assert "Trung tâm Phục vụ hành chính công Phường Tân Hòa, Tỉnh Phú Thọ" in text
    # A paper dossier: the papers the procedure asks to submit, originals and copies.
    with app.app_context():
        from models import Procedure

        asked = [
            d.name for d in db.session.get(Procedure, "1.004884").documents if d.group == "submit"
        ]
    assert asked
    rows = slip.select("table.docs tbody tr")
    assert [r.td.get_text(strip=True) for r in rows] == asked
    assert all("bản" in r.select("td")[1].get_text() for r in rows)


def test_inbox_search_never_echoes_control_characters(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    response = clerk.get("/can-bo/", query_string={"q": "Lò\x00Thị\x01 Hoa" + "x" * 300})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "\x00" not in html and "\x01" not in html
    assert len(parse(response).select_one("input[name=q]")["value"]) <= 100
