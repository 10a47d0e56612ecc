"""A database that is busy or down: a 503 in Vietnamese with the form again as typed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from extensions import db
from models import Dossier
from models import Draft
from settings import engine_options
from tests.conftest import HX
from tests.journeys import KHAI_SINH
from tests.journeys import KHAI_SINH_UPLOADS
from tests.journeys import Applicant
from tests.journeys import form_values
from tests.pages import check_page
from tests.pages import fragment
from tests.pages import parse
from tests.staff import staff_client

# Nothing listens on port 1: every connection is refused at once.
DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere_test"
WAIT = 0.3  # seconds the app under test waits for a lock: short, to keep the suite fast


@contextmanager
def writers_locked_out(url: str) -> Iterator[None]:
    """Another process holds the write lock (readers go on), as a long import would."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        other = sqlite3.connect(parsed.database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as other:
        # EXCLUSIVE lets plain reads through and stops every write, like SQLite's lock.
        other.execute("LOCK TABLE drafts, dossiers IN EXCLUSIVE MODE")
        yield
        other.rollback()


@pytest.fixture
def busy_app(make_app) -> Flask:
    return make_app(DB_WAIT_SECONDS=WAIT)


def at_step(client: FlaskClient, step: str) -> Applicant:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS, until=step)
    return person


def typed_in(page, name: str) -> str | None:
    tag = page.select_one(f"#step-form [name='{name}']")
    if tag is None:
        return None
    if tag.name == "select":
        chosen = tag.select_one("option[selected]")
        return chosen.get("value") if chosen else None
    return tag.get("value")


def primary_label(form) -> str:
    """The label of the form's visible main button (the last that is not a side action)."""
    buttons = [b for b in form.select("button") if b.get("name") != "hanh-dong"]
    return buttons[-1].get_text(strip=True)


def test_a_locked_database_gives_the_step_back_as_typed(busy_app: Flask, database: str) -> None:
    person = at_step(busy_app.test_client(), "nguoi-yeu-cau")
    typed = {**KHAI_SINH["nguoi-yeu-cau"], "requester_name": "Hà Thị Mai Anh"}
    with writers_locked_out(database):
        page = person.submit(changes=typed)
        assert person.response.status_code == 503
        assert person.response.headers["Retry-After"]
    check_page(page)
    assert page.select_one("#unavailable-summary[role=alert]")
    assert "Hệ thống đang bận" in page.select_one("#unavailable-summary").get_text()
    for name in ("requester_name", "requester_cccd", "requester_address-chi-tiet"):
        assert typed_in(page, name) == typed[name], name
    assert typed_in(page, "requester_address-xa") == "8566"
    assert primary_label(page.select_one("#step-form")) == "Thử lại"
    draft_id = person.path.split("/")[2]
    with busy_app.app_context():
        answers = db.session.get(Draft, draft_id).answers
        assert answers.get("requester_name") != "Hà Thị Mai Anh"  # nothing was saved
    # The lock is gone: "Thử lại" sends the same answers, with the page's fresh token.
    person.submit()
    assert person.response.status_code == 200 and person.step_id == "tre-em"
    with busy_app.app_context():
        assert db.session.get(Draft, draft_id).answers["requester_name"] == "Hà Thị Mai Anh"


def test_a_boosted_step_gets_the_whole_page_back(busy_app: Flask, database: str) -> None:
    person = at_step(busy_app.test_client(), "nguoi-yeu-cau")
    form = person.page.select_one("#step-form")
    data = {**form_values(form), **KHAI_SINH["nguoi-yeu-cau"]}
    with writers_locked_out(database):
        response = person.client.post(
            form["action"], data=data, headers={**HX, "HX-Boosted": "true"}
        )
    assert response.status_code == 503
    page = parse(response)
    check_page(page)
    assert typed_in(page, "requester_name") == "Hà Thị Mai"


def test_a_retried_send_makes_one_dossier(busy_app: Flask, database: str) -> None:
    person = at_step(busy_app.test_client(), "kiem-tra")
    draft_id = person.path.split("/")[2]
    with writers_locked_out(database):
        page = person.submit("form[action$='/gui']", {"declaration": "co"})
        assert person.response.status_code == 503
    check_page(page)
    form = page.select_one("form[action$='/gui']")
    assert form.select_one("[name=declaration]").has_attr("checked")
    assert primary_label(form) == "Thử lại"
    with busy_app.app_context():
        assert db.session.scalar(sa.select(Dossier).where(Dossier.draft_id == draft_id)) is None
    retry = form_values(form)
    for _ in range(2):  # pressed again, or the page reloaded: still one dossier
        response = person.client.post(form["action"], data=retry, follow_redirects=True)
        assert response.status_code == 200
        assert parse(response).select_one(".dossier-code")
    with busy_app.app_context():
        count = sa.select(sa.func.count()).select_from(Dossier).where(Dossier.draft_id == draft_id)
        assert db.session.scalar(count) == 1


@pytest.fixture
def dead_app(database: str, uploads) -> Iterator[Flask]:
    """The same portal (same secret key, so the same sessions) whose database is down."""
    from tests.conftest import base_config

    # The limiter is one object shared by every app of the process: counters in the dead
    # database would make the live app's requests fail too.
    config = {**base_config(DEAD_DATABASE, uploads), "DB_WAIT_SECONDS": WAIT}
    application = create_app({**config, "RATELIMIT_STORAGE_URI": "memory://"})
    yield application
    with application.app_context():
        db.engine.dispose()


def moved(source: FlaskClient, target: FlaskClient) -> FlaskClient:
    """The same browser pointed at another app: its session cookie goes along."""
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)
    return target


def test_a_database_that_is_down_keeps_the_resume_form(dead_app: Flask) -> None:
    client = dead_app.test_client()
    page = parse(client.get("/tiep-tuc"))
    token = page.select_one("[name=csrf_token]")["value"]
    response = client.post(
        "/tiep-tuc", data={"csrf_token": token, "ma": "ACDE 3479", "phone": "0912 345 678"}
    )
    assert response.status_code == 503
    page = parse(response)
    check_page(page)
    assert page.select_one("#ma")["value"] == "ACDE 3479"
    assert page.select_one("#phone")["value"] == "0912 345 678"
    assert primary_label(page.select_one("form[action='/tiep-tuc']")) == "Thử lại"


def test_a_database_that_is_down_keeps_the_code_being_looked_up(dead_app: Flask) -> None:
    client = dead_app.test_client()
    response = client.get("/tra-cuu?ma=08566-261128-0001")
    assert response.status_code == 503
    page = parse(response)
    check_page(page)
    assert page.select_one("#ma")["value"] == "08566-261128-0001"
    assert page.select_one("form.lookup button").get_text(strip=True) == "Thử lại"
    assert not page.select_one("#lookup-result .empty"), "no 'not found' while nothing was read"


def test_htmx_gets_a_notice_for_the_page_notice_area(dead_app: Flask) -> None:
    response = dead_app.test_client().get("/tra-cuu?ma=08566-261128-0001", headers=HX)
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "#outage"
    assert "Hệ thống đang bận" in fragment(response).get_text()


def test_a_step_sent_while_the_database_is_down_can_be_sent_again(
    app: Flask, dead_app: Flask
) -> None:
    person = at_step(app.test_client(), "nguoi-yeu-cau")
    form = person.page.select_one("#step-form")
    typed = {**form_values(form), **KHAI_SINH["nguoi-yeu-cau"]}
    down = moved(person.client, dead_app.test_client())
    response = down.post(form["action"], data=typed)
    assert response.status_code == 503
    page = parse(response)
    check_page(page)
    retry = page.select_one("#retry-form")
    assert retry["action"] == form["action"]
    assert primary_label(retry) == "Thử lại"
    shown = [li.get_text() for li in retry.select("ul.typed li")]
    assert "Hà Thị Mai" in shown and "025195012345" in shown
    carried = form_values(retry)
    assert {k: v for k, v in carried.items() if k != "csrf_token"} == {
        k: v for k, v in typed.items() if k != "csrf_token"
    }
    # Back up: the retry form as it stands saves the step.
    response = person.client.post(retry["action"], data=carried, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path.endswith("/tre-em")


def test_every_page_is_busy_not_broken_while_the_database_is_down(
    app: Flask, dead_app: Flask
) -> None:
    clerk = staff_client(app, "tiep_nhan")
    client = moved(clerk, dead_app.test_client())
    for url in ("/thu-tuc/1.001193", "/nop-ho-so/1.001193", "/can-bo/"):
        response = client.get(url)
        assert response.status_code == 503, url
        page = parse(response)
        check_page(page)
        assert page.select_one("h1").get_text(strip=True) == "Hệ thống đang bận"
        assert page.select_one(f"a.button[href='{url}']"), "a 'Thử lại' link to the same page"


def test_a_staff_sign_in_while_down_never_writes_the_password_back(dead_app: Flask) -> None:
    client = dead_app.test_client()
    token = parse(client.get("/can-bo/dang-nhap")).select_one("[name=csrf_token]")["value"]
    data = {"csrf_token": token, "username": "tiepnhan1", "password": "bi-mat-lam-2026"}
    response = client.post("/can-bo/dang-nhap", data=data)
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "bi-mat-lam-2026" not in body
    assert parse(response).select_one("#retry-form [name=username]")["value"] == "tiepnhan1"


def test_the_wait_for_a_locked_database_is_a_few_seconds(app: Flask) -> None:
    assert app.config["DB_WAIT_SECONDS"] == 3
    assert engine_options("sqlite:///x.sqlite3", 3)["connect_args"]["timeout"] == 3
    postgres = engine_options("postgresql+psycopg://u@h/d", 3)["connect_args"]
    assert postgres["options"] == "-c lock_timeout=3000"
    assert postgres["connect_timeout"] == 3
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert busy == 3000
        else:
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "3s"
