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

from extensions import db
from models import Dossier
from models import DossierRating
from models import StaffUser
from tests.pages import parse
from tests.staff import staff_client
from tests.web.test_admin import create
from tests.web.test_backoffice import submitted
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
