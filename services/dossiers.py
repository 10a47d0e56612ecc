"""Dossiers: codes, idempotent submission, expected due dates."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from domain import procedures as rules
from domain.channels import Channel
from domain.formatting import LOCAL
from domain.formspec import YES
from domain.formspec import FormSpec
from domain.messages import Invalid
from domain.references import dossier_code
from domain.search import fold
from domain.workflow import Status
from extensions import db
from models import Dossier
from models import DossierEvent
from models import DossierRating
from models import DossierSequence
from models import Draft
from models import Procedure
from models import StaffUser
from models import utcnow
from services import notify
from services.calendar import work_calendar
from services.drafts import receiving_unit
from services.drafts import visible_answers
from services.limits import processing_limit


def next_number(unit_code: int, day: date) -> int:
    """The next number of the day for a unit, in one atomic statement (no gaps on retry)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(DossierSequence)
        .values(unit_code=unit_code, day=day, last=1)
        .on_conflict_do_update(
            index_elements=["unit_code", "day"], set_={"last": DossierSequence.last + 1}
        )
        .returning(DossierSequence.last)
    )
    return db.session.execute(statement).scalar_one()


def expected_due(
    proc: Procedure, received_at: datetime, unit_code: int, channel: Channel = Channel.ONLINE
) -> date | None:
    limit = processing_limit(proc, channel)
    if limit is None:
        return None
    return work_calendar(unit_code).due_date(received_at, limit.qty, limit.unit)


def submit(
    draft: Draft, form: FormSpec, now: datetime | None = None, helper_user_id: int | None = None
) -> Dossier:
    """Turn a complete draft into a dossier (status 1, online). Replaying returns the same one.

    helper_user_id: the signed-in community helper who sent it, who then follows it.
    """
    existing = draft.dossier
    if existing is not None:
        return existing
    now = now or utcnow()
    unit_code = receiving_unit(draft, form)
    answers = visible_answers(form, draft.answers)
    local_day = now.astimezone(LOCAL).date()
    dossier = Dossier(
        code=dossier_code(unit_code, local_day, next_number(unit_code, local_day)),
        draft_id=draft.id,
        unit_code=unit_code,
        procedure_code=draft.procedure_code,
        status=Status.NEW,
        channel=Channel.ONLINE,
        applicant_name=answers.get(form.applicant_name) or "",
        applicant_name_folded=fold(answers.get(form.applicant_name) or "")[:100],
        applicant_id_number=answers.get(form.applicant_id) or "",
        applicant_phone=draft.phone,
        applicant_email=(answers.get(form.applicant_email) or "") if form.applicant_email else "",
        answers=answers,
        form_version=form.version,
        submitted_at=now,
        expected_due=expected_due(draft.procedure, now, unit_code),
    )
    dossier.helper_user_id = helper_user_id
    if answers.get("filler") == "helper":
        dossier.helper_name = answers.get("helper_name") or ""
        dossier.helper_phone = answers.get("helper_phone") or ""
        dossier.helper_consent_at = now if answers.get("helper_consent") == YES else None
    db.session.add(dossier)
    try:
        # Dossier.draft_id is unique: of two sends racing, the second fails here and rolls
        # back whole, its number included.
        db.session.flush()
        # A paper uploaded for an answer since changed (an authorisation, then "I am the
        # mother") is not part of this dossier; it goes with the draft when that is purged.
        wanted = form.visible_upload_slots(draft.answers)
        for stored in draft.files:
            if stored.slot in wanted:
                stored.dossier_id = dossier.id
        record_submission(
            dossier,
            now,
            actor_name=dossier.helper_name or dossier.applicant_name,
            actor_role="helper" if dossier.helper_name else "citizen",
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(sa.select(Dossier).where(Dossier.draft_id == draft.id))
        if existing is None:
            raise
        return existing
    return dossier


def record_submission(dossier: Dossier, now: datetime, **actor: Any) -> None:
    """The dossier's first event, and its first message to the person.

    Online or at the counter alike: the code and the link are how the person follows a
    dossier without coming back to the desk.
    """
    event = DossierEvent(
        dossier_id=dossier.id,
        at=now,
        action="submit",
        from_status=None,
        to_status=Status.NEW,
        **actor,
    )
    db.session.add(event)
    notify.queue(dossier, event)


def new_at_counter(
    values: dict[str, Any], clerk: StaffUser, now: datetime | None = None
) -> Dossier:
    """A paper dossier handed in at the desk (channel 1), recorded like any other.

    Written into the session, not committed: services.counter.register owns the transaction.
    Raises Invalid (about the procedure field) for a procedure without a time limit.
    """
    proc = db.session.get(Procedure, values["procedure"])
    if proc is None or processing_limit(proc, Channel.DIRECT) is None:
        # No time limit, no appointment to give: the desk cannot take it in (DESIGN.md).
        raise Invalid(rules.NO_TIME_LIMIT, field="procedure")
    now = now or utcnow()
    local_day = now.astimezone(LOCAL).date()
    dossier = Dossier(
        code=dossier_code(clerk.unit_code, local_day, next_number(clerk.unit_code, local_day)),
        unit_code=clerk.unit_code,
        procedure_code=values["procedure"],
        status=Status.NEW,
        channel=Channel.DIRECT,
        applicant_name=values["name"],
        applicant_name_folded=fold(values["name"])[:100],
        applicant_id_number=values["cccd"],
        applicant_phone=values["phone"],
        applicant_email=values.get("email", ""),
        answers={"note": values.get("note", "")} if values.get("note") else {},
        submitted_at=now,
        expected_due=expected_due(proc, now, clerk.unit_code, Channel.DIRECT),
    )
    db.session.add(dossier)
    db.session.flush()
    record_submission(
        dossier, now, actor_id=clerk.id, actor_name=clerk.full_name, actor_role=clerk.role
    )
    return dossier


def rate(dossier: Dossier, value: str, comment: str) -> None:
    """Keep the person's rating of a dossier, once: a second one changes nothing.

    Two sent at once (a double tap on a slow link) can both find no rating yet; the unique
    dossier_id keeps one, and the other is answered as a replay is, not with an error.
    """
    exists = db.session.scalar(
        sa.select(DossierRating.id).where(DossierRating.dossier_id == dossier.id)
    )
    if exists is not None:
        return
    db.session.add(DossierRating(dossier_id=dossier.id, value=value, comment=comment))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
