"""Drafts: started, saved at every step, resumed with code and phone, files kept, purged."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from domain.formspec import FieldSpec
from domain.formspec import FormSpec
from domain.formspec import StepResult
from domain.formspec import StepSpec
from domain.formspec import competent_unit
from domain.formspec import missing_answers
from domain.messages import Problem
from domain.references import new_resume_code
from domain.uploads import NOT_REMOVED
from domain.uploads import CleanFile
from extensions import db
from models import Dossier
from models import Draft
from models import StoredFile
from models import utcnow
from services import centres
from services.files import remove_partial_files
from services.files import remove_stored
from services.files import store_all
from services.forms import form_for
from services.storage import StoreUnavailable


class NeedsResume(Exception):
    """Not a draft this browser holds: the resume code and phone number open it."""


class AlreadySent(Exception):
    """The draft was sent (and may be purged since): its dossier's confirmation."""

    def __init__(self, draft_id: str) -> None:
        super().__init__(draft_id)
        self.draft_id = draft_id


class Expired(Exception):
    """The draft was never sent and its days are over."""


class NoForm(Exception):
    """The draft's procedure has no online form any more."""


def start(
    procedure_code: str,
    phone: str,
    form: FormSpec,
    unit_code: int | None = None,
    now: datetime | None = None,
) -> Draft:
    """A new draft with a fresh resume code, to be submitted to a centre of the province."""
    now = now or utcnow()
    days = current_app.config["DRAFT_DAYS"]
    for _ in range(10):
        code = new_resume_code()
        if db.session.scalar(sa.select(Draft.id).where(Draft.resume_code == code)) is None:
            break
    draft = Draft(
        id=secrets.token_urlsafe(16),
        resume_code=code,
        phone=phone,
        procedure_code=procedure_code,
        unit_code=unit_code or current_app.config["UNIT_CODE"],
        form_version=form.version,
        answers={},
        typed={},
        done_steps=[],
        current_step=form.steps[0].id,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(draft)
    db.session.commit()
    return draft


def is_expired(draft: Draft, now: datetime | None = None) -> bool:
    return draft.expires_at <= (now or utcnow())


def sent_dossier(draft_id: str, held: Collection[str]) -> Dossier | None:
    """The dossier sent from a draft the browser holds, even once the draft is purged."""
    if draft_id not in held:
        return None
    return db.session.scalar(sa.select(Dossier).where(Dossier.draft_id == draft_id))


def open_held(draft_id: str, held: Collection[str]) -> tuple[Draft, FormSpec]:
    """The draft and its form, if it is one of `held` (the browser's); else why not."""
    draft = db.session.get(Draft, draft_id) if len(draft_id) <= 32 else None
    bound = draft_id in held
    if (draft is None or is_expired(draft)) and bound and sent_dossier(draft_id, held):
        # Once sent, the dossier outlives its draft: never suggest starting again.
        raise AlreadySent(draft_id)
    if draft is None or not bound:
        raise NeedsResume
    if is_expired(draft):
        raise Expired
    form = form_for(draft.procedure_code)
    if form is None:
        raise NoForm
    return draft, form


def in_progress(procedure_code: str, held: Collection[str]) -> Draft | None:
    """The latest unsent, unexpired draft of this procedure among `held` (in opening order)."""
    for draft_id in reversed(list(held)):
        draft = db.session.get(Draft, draft_id)
        if (
            draft is not None
            and draft.procedure_code == procedure_code
            and draft.dossier is None
            and not is_expired(draft)
        ):
            return draft
    return None


def home_centre(held: Collection[str]) -> centres.Centre | None:
    """The person's own commune, when an earlier form on this device gave their address."""
    province = current_app.config["PROVINCE_CODE"]
    for draft_id in reversed(list(held)):
        draft = db.session.get(Draft, draft_id)
        form = form_for(draft.procedure_code) if draft is not None else None
        if draft is None or form is None:
            continue
        for spec in form.all_fields():
            address = draft.answers.get(spec.name) if spec.type == "address" else None
            if isinstance(address, dict) and address.get("province") == province:
                return centres.find(int(address["unit"]))
    return None


def find_for_resume(resume_code: str, phone: str) -> Draft | None:
    """The draft with this code and phone; None if either is wrong, or it expired unsent."""
    draft = db.session.scalar(sa.select(Draft).where(Draft.resume_code == resume_code))
    if draft is None or not secrets.compare_digest(draft.phone, phone):
        return None
    if is_expired(draft) and draft.dossier is None:
        return None
    return draft


def first_unanswered(form: FormSpec, draft: Draft) -> StepSpec | None:
    """The first visible step never answered, or with a required answer or file missing."""
    counts = {slot: len(files) for slot, files in files_by_slot(draft).items()}
    missing = {s.id for s in missing_answers(form, draft.answers, counts)}
    for step in form.visible_steps(draft.answers):
        if step.id not in draft.done_steps or step.id in missing:
            return step
    return None


def save_step(draft: Draft, form: FormSpec, step_id: str, result: StepResult) -> str | None:
    """Keep what the step gave. Returns the next step's id (None: check answers) when valid.

    The draft's own place (where resuming goes) is the first step still to answer, so
    sending an earlier page again, in a second tab or as a retry, never moves it back.
    """
    answers = dict(draft.answers)
    answers.update(result.values)
    typed = dict(draft.typed)
    if result.ok:
        typed.pop(step_id, None)
        done = [s for s in draft.done_steps if s != step_id] + [step_id]
        draft.done_steps = done
    else:
        typed[step_id] = result.typed
    draft.answers = answers
    draft.typed = typed
    draft.unit_code = receiving_unit(draft, form)
    pending = first_unanswered(form, draft)
    draft.current_step = pending.id if pending else "kiem-tra"
    draft.updated_at = utcnow()
    db.session.commit()
    if not result.ok:
        return step_id
    following = form.next_step(step_id, answers)
    return following.id if following else None


def receiving_unit(draft: Draft, form: FormSpec) -> int:
    """The centre the draft goes to: the one chosen, or the competent one for its address."""
    chosen = draft.unit_code if centres.find(draft.unit_code) else current_app.config["UNIT_CODE"]
    return competent_unit(
        form,
        visible_answers(form, draft.answers),
        chosen,
        current_app.config["PROVINCE_CODE"],
        draft.procedure.is_non_territorial,
    )


def choose_centre(draft: Draft, unit_code: int) -> bool:
    """Send the draft to another centre of the province (before sending); False if not one."""
    if draft.dossier is not None or centres.find(unit_code) is None:
        return False
    draft.unit_code = unit_code
    draft.updated_at = utcnow()
    db.session.commit()
    return True


def keep_typed(draft: Draft, step_id: str, typed: dict[str, str]) -> None:
    """Save what was typed on a step without moving the draft on (add an item, pick a province)."""
    draft.typed = {**draft.typed, step_id: typed}
    draft.updated_at = utcnow()
    db.session.commit()


def stored_bytes(draft: Draft, form: FormSpec) -> int:
    """What counts toward the dossier's size limit: the files of the slots still asked for."""
    wanted = form.visible_upload_slots(draft.answers)
    return sum(f.size for f in draft.files if f.slot in wanted)


def upload_slot(form: FormSpec, draft: Draft, slot: str) -> tuple[StepSpec, FieldSpec] | None:
    """The step and field of a document slot the answers still ask for."""
    for step in form.visible_steps(draft.answers):
        for spec in step.visible_fields(draft.answers):
            if spec.type == "upload" and spec.name == slot:
                return step, spec
    return None


def room_left(draft: Draft, spec: FieldSpec) -> int:
    """How many more files the slot takes."""
    return spec.max_files - len(files_by_slot(draft).get(spec.name, []))


def files_by_slot(draft: Draft) -> dict[str, list[StoredFile]]:
    slots: dict[str, list[StoredFile]] = {}
    for stored in draft.files:
        slots.setdefault(stored.slot, []).append(stored)
    return slots


def keep_files(draft: Draft, slot: str, received: list[tuple[CleanFile, str]]) -> Problem | None:
    """Keep checked files with the draft; the problem when the disk refused one (the rest too)."""
    stored, problem = store_all(received, slot)
    for one in stored:
        one.draft_id = draft.id
    draft.updated_at = utcnow()
    db.session.commit()
    return problem


def remove_file(draft: Draft, file_id: int) -> Problem | None:
    """Take a file out of the draft; the problem to show when the store cannot delete it now."""
    stored = db.session.get(StoredFile, file_id)
    if stored is None or stored.draft_id != draft.id or stored.dossier_id is not None:
        return None
    try:
        remove_stored(stored.stored_name)
    except StoreUnavailable as error:
        # The file stays listed rather than left in the store with no record naming it.
        current_app.logger.error("file not removed from the draft: %s", error)
        return Problem(NOT_REMOVED)
    db.session.delete(stored)
    db.session.commit()
    return None


def purge_expired(now: datetime | None = None) -> int:
    """Delete expired drafts and the files no dossier took; returns how many drafts went.

    When the store cannot delete a file, the drafts with files wait for the next run; those
    without go now.
    """
    now = now or utcnow()
    expired = db.session.scalars(sa.select(Draft).where(Draft.expires_at <= now)).all()
    purged = 0
    store_down: StoreUnavailable | None = None
    for draft in expired:
        untaken = [stored for stored in draft.files if stored.dossier_id is None]
        if untaken and store_down:
            continue  # one failure a run: each would wait for the store's timeout again
        try:
            for stored in untaken:
                remove_stored(stored.stored_name)
        except StoreUnavailable as error:
            store_down = error
            continue
        for stored in list(draft.files):
            if stored.dossier_id is None:
                db.session.delete(stored)
            else:
                stored.draft_id = None
        db.session.delete(draft)
        purged += 1
    db.session.commit()
    if store_down:
        current_app.logger.error(
            "purge: %d expired drafts kept for the next run: %s", len(expired) - purged, store_down
        )
    remove_partial_files(older_than=timedelta(hours=1))
    return purged


def visible_answers(form: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """Only the answers to questions still asked (an earlier answer may have hidden some)."""
    kept: dict[str, Any] = {}
    for step in form.visible_steps(answers):
        for spec in step.visible_fields(answers):
            if spec.name in answers and spec.type != "upload":
                kept[spec.name] = answers[spec.name]
    return kept
