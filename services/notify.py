"""Messages to people when their dossier moves: queued in the outbox, sent by `outbox send`.

Queuing happens in the same transaction as the status change, so a message is never lost and
never sent for a change that did not happen. Sending is a separate job (cron) that retries.
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from typing import Protocol
from typing import cast

import click
import sqlalchemy as sa
from flask import current_app
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext

from domain import workflow
from domain.formatting import sms
from domain.privacy import mask
from domain.privacy import redact
from extensions import db
from models import Dossier
from models import DossierEvent
from models import OutboxMessage
from models import utcnow
from services import centres
from services.links import public_url
from services.units import deployment

# Wait after the 1st, 2nd, … failure; then every 12 hours, for as long as it takes.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
LAST_BACKOFF = timedelta(hours=12)
# Long enough for one send (SMTP gives up after 20 s); a run that dies frees its message then.
LEASE = timedelta(minutes=5)


def status_url(dossier: Dossier) -> str:
    return public_url("lookup.index", ma=dossier.code)


def queue(dossier: Dossier, event: DossierEvent) -> None:
    """Add this change's SMS (and e-mail, when there is an address) to the outbox, unsent."""
    if event.public is False or event.action == "note":
        return
    url = status_url(dossier)
    context = {
        "dossier": dossier,
        "event": event,
        "url": url,
        "site": centres.find(dossier.unit_code) or deployment(),
        # The dossier's own commune: one deployment can hold dossiers of several units.
        "unit_name": dossier.unit.name,
        "status_label": workflow.label,
        "status_help": lambda status: workflow.STATUS_HELP[workflow.Status(status)],
    }
    with force_locale("vi"):
        text = render_template("notify/sms.txt", **context)
        link = f"{gettext('Xem:')} {url}"
        if dossier.applicant_email:
            body = render_template("notify/email.txt", **context)
            subject = f"Hồ sơ {dossier.code}: {workflow.label(dossier.status)}"
    if dossier.applicant_phone:
        db.session.add(
            OutboxMessage(
                dossier_id=dossier.id,
                channel="sms",
                recipient=dossier.applicant_phone,
                body=sms(text, link),
            )
        )
    if dossier.applicant_email:
        db.session.add(
            OutboxMessage(
                dossier_id=dossier.id,
                channel="email",
                recipient=dossier.applicant_email,
                subject=subject,
                body=body,
            )
        )


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class LogSender:
    """Writes the message to standard error: the default until a gateway is configured.

    Standard error, not a logger: `outbox send` runs from cron with no logging configured, so
    a logger would swallow every message and "Sent 7" would be all anyone saw. Cron mails
    what a job writes, hence the half-hidden recipient.
    """

    def send(self, message: OutboxMessage) -> None:
        dossier = db.session.get(Dossier, message.dossier_id) if message.dossier_id else None
        names = [dossier.applicant_name] if dossier and dossier.applicant_name else []
        head = f"[{message.channel}] {mask(message.recipient)}"
        if message.subject:
            head += f" | {redact(message.subject, names)}"
        click.echo(f"{head}\n{redact(message.body.rstrip(), names)}\n", err=True)


class SmtpSender:
    """E-mail through the SMTP server in the configuration."""

    def __init__(self, config: dict) -> None:
        self.config = config

    def send(self, message: OutboxMessage) -> None:
        config = self.config
        mail = EmailMessage()
        mail["From"] = config["SMTP_FROM"]
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as server:
            if config["SMTP_TLS"]:
                server.starttls()
            if config["SMTP_USER"]:
                server.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            server.send_message(mail)


def senders() -> dict[str, Sender]:
    config = current_app.config
    email: Sender = SmtpSender(config) if config.get("OUTBOX_EMAIL") == "smtp" else LogSender()
    return {"sms": LogSender(), "email": email}


def send_due(
    now: datetime | None = None, chosen: dict[str, Sender] | None = None, limit: int = 200
) -> tuple[int, int]:
    """Try every message that is due; returns (sent, failed). Failures wait and try again."""
    now = now or utcnow()
    chosen = chosen or senders()
    due = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.next_attempt_at)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for message_id, seen in due:
        if not claim(message_id, seen, now):
            continue  # another run took it since the list was read
        message = db.session.get_one(OutboxMessage, message_id)
        try:
            chosen[message.channel].send(message)
        except Exception as error:  # any failure of the gateway: keep the message, retry later
            message.attempts += 1
            wait = (
                BACKOFF[message.attempts - 1] if message.attempts <= len(BACKOFF) else LAST_BACKOFF
            )
            message.next_attempt_at = now + wait
            message.last_error = str(error)[:500]
            failed += 1
        else:
            message.attempts += 1
            message.sent_at = now
            sent += 1
        db.session.commit()
    return sent, failed


def claim(message_id: int, seen: datetime, now: datetime) -> bool:
    """Take one message for this run, or learn that another run has it.

    Two runs can overlap (a slow gateway, cron starting the next minute). Moving the next
    attempt past the lease in one conditional UPDATE lets only one of them match the row; the
    other sees rowcount 0. Should this run die before recording the outcome, the message is
    due again once the lease is over: sent twice at worst, never lost.
    """
    claimed = cast(
        "sa.CursorResult[Any]",
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.next_attempt_at == seen,
                OutboxMessage.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    db.session.commit()
    return claimed == 1
