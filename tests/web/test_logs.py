"""Logs never carry CCCD numbers, phone numbers or names."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from extensions import db
from models import Dossier
from models import DossierEvent
from models import OutboxMessage
from models import utcnow
from services import notify
from tests.web.test_backoffice import submitted

CCCD = "025195012345"


def test_a_failed_statement_does_not_print_its_parameters(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError) as caught:
            db.session.execute(
                sa.text("SELECT * FROM no_such_table WHERE x = :cccd"), {"cccd": CCCD}
            )
        db.session.rollback()
    said = str(caught.value)
    assert "no_such_table" in said  # the statement is still there to debug with
    assert CCCD not in said


def test_the_log_sender_hides_numbers_and_names(app: Flask) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).values(sent_at=utcnow())
        )
        db.session.commit()
    code = submitted(app)
    with app.test_request_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        row.applicant_email = "ha.thi.mai@example.vn"
        name = row.applicant_name
        reason = f"Chị gọi lại số 0912 345 678 hoặc 0987.654.321; CCCD {CCCD} sai một số."
        event = DossierEvent(
            dossier_id=row.id, action="refuse", to_status=3, public=True, reason=reason
        )
        notify.queue(row, event)
        db.session.commit()
    assert name and len(name.split()) >= 2
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    log = result.stderr
    assert f"Kính gửi {'. '.join(w[0] for w in name.split())}." in log  # the e-mail was there
    assert name not in log and "Mai" not in log
    for number in ("0912345678", "0912 345 678", "0987.654.321", "0987654321", CCCD):
        assert number not in log, number
    assert "0912…78" in log and "0251…45" in log  # half shown, as recipients are
    assert "ha.thi.mai" not in log
    assert code in log  # the dossier code stays readable


def test_an_unexpected_error_is_logged_without_the_numbers_it_quotes(make_app, caplog) -> None:
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/thu-loi")
    def fails() -> str:
        # An error quoting the input that caused it, as int() and date() do.
        raise ValueError(f"not a date: {CCCD!r}, phone 0912 345 678")

    with caplog.at_level("ERROR"):
        response = app.test_client().get("/thu-loi")
    assert response.status_code == 500
    logged = caplog.text
    assert "Exception on /thu-loi [GET]" in logged and "ValueError" in logged
    assert CCCD not in logged and "0912 345 678" not in logged
    assert "'0251…45', phone 0912…78" in logged
