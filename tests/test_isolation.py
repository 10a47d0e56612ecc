"""Each test starts from the loaded catalogue alone: the rows a test writes are gone after it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from extensions import db
from models import Dossier
from models import DossierEvent
from models import Procedure
from models import StaffUser
from tests.conftest import Cleaner
from tests.journeys import KHAI_SINH
from tests.journeys import KHAI_SINH_UPLOADS
from tests.journeys import Applicant
from tests.staff import make_user


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def submit(app: Flask) -> None:
    person = Applicant(app.test_client())
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    person.submit("form[action$='/gui']", {"declaration": "co"})


def test_cleaning_removes_what_a_test_wrote_and_keeps_the_catalogue(
    app: Flask, cleaner: Cleaner
) -> None:
    procedures = count(app, Procedure)
    submit(app)
    make_user(app, "tiep_nhan")
    assert (count(app, Dossier), count(app, StaffUser)) == (1, 1)
    assert count(app, DossierEvent) >= 1
    cleaner.clean()
    for model in (Dossier, DossierEvent, StaffUser):
        assert count(app, model) == 0, model
    assert count(app, Procedure) == procedures > 0


def test_the_append_only_triggers_are_back_after_cleaning(app: Flask, cleaner: Cleaner) -> None:
    submit(app)
    cleaner.clean()
    submit(app)
    with app.app_context(), pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.delete(DossierEvent))
