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
