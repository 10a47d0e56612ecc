"""What the outbox queues for each change: SMS texts, e-mails, and the dossier's own commune."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask

from domain import workflow
from extensions import db
from models import Dossier
from models import DossierEvent
from models import OutboxMessage
from models import utcnow
from services import notify
from tests.pages import parse
from tests.staff import post_form
from tests.staff import staff_client
from tests.web.test_backoffice import submitted

# A commune's own address, as long as real ones get (the link adds /tra-cuu?ma=<code>).
LONG_PUBLIC_URL = "https://xa-tan-son.phutho.dichvucong.gov.vn"


def queued(app: Flask, code: str, status: int, action: str, **fields) -> list[OutboxMessage]:
    """The messages one change would queue; nothing is kept."""
    with app.test_request_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        row.status = status
        for key, value in fields.items():
            setattr(row, key, value)
        event = DossierEvent(
            dossier_id=row.id, action=action, to_status=status, public=True, reason="Ảnh mờ"
        )
        notify.queue(row, event)
        messages = [m for m in db.session.new if isinstance(m, OutboxMessage)]
        for message in messages:
            db.session.expunge(message)
        db.session.rollback()
        return messages


def test_every_sms_keeps_the_whole_link_within_160_characters(app: Flask) -> None:
    app.config["PUBLIC_URL"] = LONG_PUBLIC_URL
    code = submitted(app)
    link = f"{LONG_PUBLIC_URL}/tra-cuu?ma={code}"
    dates = {
        "due_date": date(2026, 12, 4),
        "supplement_deadline": date(2026, 12, 11),
        "unit_code": 4792,  # the longest names make the longest texts
    }
    actions = ["submit", *(key for key in workflow.ACTIONS if key != "note")]
    for status in workflow.Status:
        for action in actions:
            (sms,) = queued(app, code, status.value, action, **dates)
            assert len(sms.body) <= 160 and sms.body.isascii(), (status, action, sms.body)
            assert sms.body.endswith(f"Xem: {link}"), (status, action, sms.body)
            assert sms.body.startswith("Ho so " + code), (status, action, sms.body)


def test_messages_name_the_dossiers_own_commune(app: Flask) -> None:
    code = submitted(app)
    sms, email = queued(app, code, 1, "submit", unit_code=4792, applicant_email="mai@example.com")
    assert "Phuong Tan Hoa" in sms.body and "Tan Son" not in sms.body
    assert email.body.count("Phường Tân Hòa") == 2 and "Tân Sơn" not in email.body


def test_a_dossier_registered_at_the_counter_gets_its_first_sms(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    page = parse(clerk.get("/can-bo/tiep-nhan-truc-tiep"))
    response = post_form(
        clerk,
        page,
        "form[action$='/tiep-nhan-truc-tiep']",
        {
            "procedure": "1.004884",
            "name": "Lò Văn Páo",
            "cccd": "025080001234",
            "phone": "0987654321",
            "email": "pao@example.com",
            "receive_now": "",
        },
    )
    assert response.status_code == 303
    code = response.headers["Location"].rsplit("/", 1)[-1]
    with app.app_context():
        messages = db.session.scalars(
            sa.select(OutboxMessage)
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(Dossier.code == code)
            .order_by(OutboxMessage.id)
        ).all()
        assert [(m.channel, m.recipient) for m in messages] == [
            ("sms", "0987654321"),
            ("email", "pao@example.com"),
        ]
        assert messages[0].body.startswith(f"Ho so {code} da gui toi Xa Tan Son.")
        assert messages[0].body.endswith(f"/tra-cuu?ma={code}")


class Recording:
    def __init__(self, sent: list[int]) -> None:
        self.sent = sent

    def send(self, message) -> None:
        self.sent.append(message.id)


def due_ids(now) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(OutboxMessage.id).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now
            )
        )
    )


def test_two_overlapping_runs_send_each_message_once(app: Flask) -> None:
    submitted(app)
    submitted(app)
    sent: list[int] = []

    class StartsAnotherRun(Recording):
        """While the first message is on its way, cron starts the next run."""

        def send(self, message) -> None:
            super().send(message)
            if len(sent) == 1:
                with app.app_context():  # its own session and connection, like another process
                    both = Recording(sent)
                    notify.send_due(now, {"sms": both, "email": both}, limit=10_000)

    with app.app_context():
        now = utcnow()
        waiting = due_ids(now)
        assert len(waiting) == 2  # one SMS for each dossier sent
        first = StartsAnotherRun(sent)
        notify.send_due(now, {"sms": first, "email": first}, limit=10_000)
        assert sorted(sent) == sorted(waiting)  # each once, none left out
        assert due_ids(now) == set()


def test_the_log_sender_shows_each_message(app: Flask) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).values(sent_at=utcnow())
        )
        db.session.commit()
    code = submitted(app)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "Sent 1, will retry 0." in result.stdout
    assert "[sms] 0912…78" in result.stderr
    assert f"Ho so {code} da gui toi Xa Tan Son." in result.stderr
    assert "0912345678" not in result.stderr  # cron mails this output: half the number only
