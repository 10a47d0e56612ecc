"""Two requests racing a check-then-insert: the second is answered as a replay, never a 500.

The race is forced: just before the request's own INSERT, another connection commits the
same row, as a second worker would between the request's check and its insert.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from extensions import db
from models import Dossier
from models import DossierRating
from models import StaffUser
from tests.pages import check_page
from tests.pages import parse
from tests.staff import staff_client
from tests.web.test_admin import create
from tests.web.test_backoffice import dossier
from tests.web.test_backoffice import events
from tests.web.test_backoffice import submitted
from tests.web.test_lookup import asked_to_correct
from tests.web.test_lookup import set_status
from tests.web.test_lookup import verify


@contextmanager
def racing(model: type, competitor: Callable[[sa.Connection, Any], None]) -> Iterator[list]:
    """Before the first INSERT of a `model` row, another connection commits `competitor`."""
    fired: list[bool] = []

    def before_insert(_mapper: Any, connection: sa.Connection, target: Any) -> None:
        if fired:
            return
        fired.append(True)
        with connection.engine.connect() as other:
            competitor(other, target)
            other.commit()

    sa.event.listen(model, "before_insert", before_insert)
    try:
        yield fired
    finally:
        sa.event.remove(model, "before_insert", before_insert)


@contextmanager
def racing_a_change(competitor: Callable[[sa.Connection, Dossier], None]) -> Iterator[list]:
    """Before the request writes a change to a dossier, another connection commits
    `competitor`, as a member of staff saving the same dossier a moment earlier would."""
    fired: list[bool] = []

    # Before the flush, not the row's UPDATE: on SQLite the flush's first INSERT already
    # holds the write lock that the competitor would wait for.
    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        changed = [row for row in session.dirty if isinstance(row, Dossier)]
        if fired or not changed:
            return
        fired.append(True)
        with db.engine.connect() as other:
            competitor(other, changed[0])
            other.commit()

    sa.event.listen(Session, "before_flush", before_flush)
    try:
        yield fired
    finally:
        sa.event.remove(Session, "before_flush", before_flush)


def ratings(app: Flask, code: str) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (r.value, r.comment)
            for r in db.session.scalars(
                sa.select(DossierRating)
                .join(Dossier, Dossier.id == DossierRating.dossier_id)
                .where(Dossier.code == code)
            )
        ]


def test_a_rating_sent_twice_at_once_is_kept_once_and_answered_as_a_replay(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 must show as a 500, not as a raise
    code = submitted(app)
    set_status(app, code, 10)
    citizen = app.test_client()
    verify(citizen, code)
    form = parse(citizen.get(f"/tra-cuu?ma={code}")).select_one("form[action$='/danh-gia']")
    data = {
        "csrf_token": form.select_one("[name=csrf_token]")["value"],
        "value": "rat_hai_long",
        "comment": "Nhanh",
    }

    def the_other_tap(other: sa.Connection, row: DossierRating) -> None:
        other.execute(
            sa.insert(DossierRating).values(
                dossier_id=row.dossier_id, value="hai_long", comment="Lần kia"
            )
        )

    with racing(DossierRating, the_other_tap) as fired:
        raced = citizen.post(form["action"], data=data)
    assert fired, "the race did not happen"
    replay = citizen.post(form["action"], data=data)
    assert raced.status_code == replay.status_code == 303
    assert raced.headers["Location"] == replay.headers["Location"]
    assert ratings(app, code) == [("hai_long", "Lần kia")]
    assert not parse(citizen.get(f"/tra-cuu?ma={code}")).select_one("form[action$='/danh-gia']")


def test_the_same_account_made_twice_at_once_is_answered_as_a_replay(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = staff_client(app, "quan_tri")
    fields = {"username": "vu.thi.dua", "full_name": "Vũ Thị Dừa", "role": "tiep_nhan"}

    def the_other_administrator(other: sa.Connection, row: StaffUser) -> None:
        other.execute(
            sa.insert(StaffUser).values(
                username=row.username,
                full_name="Vũ Thị Dừa",
                password_hash=row.password_hash,
                role=row.role,
                unit_code=row.unit_code,
            )
        )

    with racing(StaffUser, the_other_administrator) as fired:
        raced = create(admin, **fields)
    assert fired, "the race did not happen"
    replay = create(admin, **fields)
    assert raced.status_code == replay.status_code == 422
    for answer in (raced, replay):
        page = parse(answer)
        assert "đã có người dùng" in page.select_one("#username-error").get_text()
        assert page.select_one("#full_name")["value"] == "Vũ Thị Dừa"
        assert page.select_one("input[name=role][value=tiep_nhan]").has_attr("checked")
    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).where(StaffUser.username == "vu.thi.dua")
        )
    assert count == 1


def the_centre(**changes: Any) -> Callable[[sa.Connection, Dossier], None]:
    """A member of staff saving the dossier first (a new version), with these changes."""

    def save(other: sa.Connection, row: Dossier) -> None:
        other.execute(
            sa.update(Dossier)
            .where(Dossier.id == row.id)
            .values(version=Dossier.version + 1, **changes)
        )

    return save


def corrections(code: str, page) -> tuple[str, dict[str, str]]:
    form = page.select_one("form[action$='/bo-sung']")
    return form["action"], {
        "csrf_token": form.select_one("[name=csrf_token]")["value"],
        "child_sex": "nu",
    }


def test_a_supplement_sent_as_the_centre_stops_the_dossier_is_told_not_lost(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    code, citizen = asked_to_correct(app, ["child_sex"])
    action, data = corrections(code, parse(citizen.get(f"/tra-cuu?ma={code}")))
    with racing_a_change(the_centre(status=8)) as fired:
        raced = citizen.post(action, data=data)
    assert fired, "the race did not happen"
    assert raced.status_code == 409 and raced.headers["Cache-Control"] == "no-store"
    page = parse(raced)
    check_page(page)
    assert "vừa được Trung tâm cập nhật" in page.select_one("#error-summary").get_text()
    assert "Dừng xử lý" in page.select_one(".status-card").get_text()  # as it is now
    assert page.select_one("form[action$='/bo-sung']") is None
    kept = dossier(app, code)
    assert kept.status == 8 and kept.answers["child_sex"] != "nu"  # nothing of it was written
    assert events(app, code)[-1][0] == "request_supplement"


def test_a_supplement_sent_as_the_centre_saves_the_dossier_keeps_what_was_typed(
    app: Flask,
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    code, citizen = asked_to_correct(app, ["child_sex"])
    action, data = corrections(code, parse(citizen.get(f"/tra-cuu?ma={code}")))
    with racing_a_change(the_centre()) as fired:
        raced = citizen.post(action, data=data)
    assert fired and raced.status_code == 409
    page = parse(raced)
    check_page(page)
    assert page.select_one("#error-summary")
    assert page.select_one("#child_sex-nu").has_attr("checked")  # the correction, as typed
    assert dossier(app, code).status == 5
    again = citizen.post(action, data=data)  # sent again, it goes through
    assert again.status_code == 303 and dossier(app, code).answers["child_sex"] == "nu"


def test_a_withdrawal_as_the_centre_receives_the_dossier_is_told_and_keeps_the_reason(
    app: Flask,
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    code = submitted(app)
    citizen = app.test_client()
    verify(citizen, code)
    token = parse(citizen.get(f"/tra-cuu/{code}/rut")).select_one("[name=csrf_token]")["value"]
    data = {"csrf_token": token, "confirm": "co", "reason": "Nộp nhầm thủ tục"}
    with racing_a_change(the_centre(status=2)) as fired:
        raced = citizen.post(f"/tra-cuu/{code}/rut", data=data)
    assert fired and raced.status_code == 409
    page = parse(raced)
    check_page(page)
    assert "vừa được Trung tâm cập nhật" in page.select_one("#error-summary").get_text()
    assert page.select_one("#reason").get_text() == "Nộp nhầm thủ tục"
    assert dossier(app, code).status == 2 and events(app, code)[-1][0] == "submit"
    finished = citizen.post(f"/tra-cuu/{code}/rut", data=data)
    assert finished.status_code == 303 and dossier(app, code).status == 7


def test_a_withdrawal_as_the_result_is_approved_shows_the_dossier_as_it_is(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    code = submitted(app)
    citizen = app.test_client()
    verify(citizen, code)
    token = parse(citizen.get(f"/tra-cuu/{code}/rut")).select_one("[name=csrf_token]")["value"]
    data = {"csrf_token": token, "confirm": "co", "reason": ""}
    with racing_a_change(the_centre(status=9)) as fired:
        raced = citizen.post(f"/tra-cuu/{code}/rut", data=data)
    assert fired and raced.status_code == 409
    page = parse(raced)
    check_page(page)
    assert page.select_one("#error-summary") and "Đã xử lý xong" in page.get_text()
    assert page.select_one(f"a[href$='/{code}/rut']") is None  # too late to withdraw now
    assert dossier(app, code).status == 9
