"""The status lookup: what the page shows of a dossier, and what the person does there.

The page gets plain values (labels to translate, days left, the papers asked for and the
files sent for each), never functions to call. Each action (a supplement, a paper, a
withdrawal, a rating) is one transaction and returns an Outcome: done, or the problems to
show by their fields, with nothing written.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from domain import validators
from domain import workflow
from domain.formatting import day
from domain.formatting import without_marks
from domain.formspec import FieldSpec
from domain.formspec import StepSpec
from domain.formspec import item_counts
from domain.formspec import read_step
from domain.messages import N_
from domain.messages import Invalid
from domain.messages import Problem
from domain.uploads import CleanFile
from extensions import db
from models import Dossier
from models import DossierRating
from models import StoredFile
from services import dossiers as dossiers_service
from services import files as files_service
from services.calendar import work_calendar
from services.forms import form_for
from services.units import directory
from services.workflow import Conflict
from services.workflow import Request
from services.workflow import act
from services.workflow import local_today

RATINGS = ("rat_hai_long", "hai_long", "khong_hai_long")
# The key of a problem about the whole dossier, not one field: shown at the top of the page.
WHOLE = ""
CHANGED = N_(
    "Hồ sơ vừa được Trung tâm cập nhật nên việc bạn vừa làm chưa được ghi lại. Bạn hãy xem"
    " trạng thái mới rồi làm lại nếu vẫn cần."
)
PHONE_MISMATCH = N_("Số điện thoại không khớp với số đã ghi khi nộp hồ sơ.")
PAPER_MISSING = N_("Bạn hãy tải lên ảnh chụp hoặc tệp PDF của giấy tờ này.")
RATING_MISSING = N_("Bạn hãy chọn một câu trả lời.")  # as a question of the online form says
# Why the centre refused, stopped, asked for more, asked for money or set a new date: the
# person needs these words to act, and sees them only with the phone number.
REASONS_SHOWN = frozenset(
    {"refuse", "stop", "request_supplement", "request_fee", "apologise", "transfer"}
)
# A transfer on the timeline says where the dossier went: the person deals with that commune now.
TRANSFERRED = N_("Đã chuyển đến UBND %(unit)s")


@dataclass(frozen=True)
class Outcome:
    """What one action came to: done when no problem is left to show by its field."""

    problems: Mapping[str, Problem] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return not self.problems

    @property
    def changed_meanwhile(self) -> bool:
        """Someone else changed the dossier first; nothing of this action was kept."""
        return self.problems.get(WHOLE) == Problem(CHANGED)


DONE = Outcome()


def changed() -> Outcome:
    db.session.rollback()
    return Outcome({WHOLE: Problem(CHANGED)})


@dataclass(frozen=True)
class Step:
    """One public step of the dossier's history."""

    at: datetime
    label: str  # to translate
    params: Mapping[str, str] = field(default_factory=dict)  # what the label names


@dataclass(frozen=True)
class Reason:
    """The centre's words to the person about one step."""

    label: str  # the step's, to translate
    text: str


@dataclass(frozen=True)
class Paper:
    """A paper the supplement request asks for, and the files sent for it since."""

    key: str
    label: str  # to translate
    files: list[StoredFile]


@dataclass(frozen=True)
class StatusPage:
    """What the status page shows; the personal part only to whoever gave the phone number."""

    dossier: Dossier
    label: str  # to translate
    help: str  # to translate
    days_left: int | None  # working days to the due date while the clock runs
    timeline: list[Step]
    personal: bool
    reasons: list[Reason]  # personal
    papers: list[Paper]  # personal, while a supplement is awaited
    rated: bool  # personal


def find(code: str | None) -> Dossier | None:
    """The dossier of a code as printed (already normalised), with its history and files."""
    if not code:
        return None
    # The procedure's name heads the page: read with the dossier, not by a query of its own
    # (each query is a round trip, and a lookup is a handful of them).
    return db.session.scalar(
        sa.select(Dossier)
        .where(Dossier.code == code)
        .options(
            joinedload(Dossier.procedure),
            selectinload(Dossier.events),
            selectinload(Dossier.files),
        )
    )


def timeline(dossier: Dossier) -> list[Step]:
    """What the person may see of the history: public steps, no notes, no staff names."""
    return [_step(e) for e in dossier.events if e.public]


def _step(event: Any) -> Step:
    if event.action == "transfer":
        return Step(event.at, TRANSFERRED, {"unit": commune(event.details.get("to_name", ""))})
    return Step(event.at, workflow.action_label(event.action))


def commune(name: str) -> str:
    """A unit's name after "UBND": "Xã Thanh Ba" reads "UBND xã Thanh Ba"."""
    for kind in ("Xã ", "Phường ", "Đặc khu "):
        if name.startswith(kind):
            return kind.lower() + name[len(kind) :]
    return name


def reasons(dossier: Dossier) -> list[Reason]:
    return [
        Reason(workflow.action_label(e.action), e.reason)
        for e in dossier.events
        if e.public and e.reason and e.action in REASONS_SHOWN
    ]


def days_left(dossier: Dossier, today: date) -> int | None:
    if dossier.due_date is None or not dossier.is_running:
        return None
    return work_calendar(dossier.unit_code).working_days_left(today, dossier.due_date)


def status_page(dossier: Dossier, personal: bool) -> StatusPage:
    return StatusPage(
        dossier=dossier,
        label=workflow.label(dossier.status),
        help=workflow.help_text(dossier.status),
        days_left=days_left(dossier, local_today()),
        timeline=timeline(dossier),
        personal=personal,
        reasons=reasons(dossier) if personal else [],
        papers=papers(dossier) if personal and dossier.awaits_supplement else [],
        rated=personal and rated(dossier),
    )


def plain_status(dossier: Dossier | None) -> str:
    """A few words without marks, for the lightest phones and an SMS gateway: nothing personal."""
    if dossier is None:
        text = "Khong tim thay ho so nay."
    else:
        parts = [f"Ho so {dossier.code}: {workflow.label(dossier.status)}."]
        if dossier.unit_code != dossier.received_unit_code:
            parts.append(f"Da chuyen den UBND {commune(dossier.unit.name)}.")
        if dossier.due_date and dossier.is_running:
            parts.append(f"Hen tra {day(dossier.due_date)}.")
        if dossier.awaits_supplement and dossier.supplement_deadline:
            parts.append(f"Can bo sung truoc {day(dossier.supplement_deadline)}.")
        text = " ".join(parts)
    return without_marks(text)[:280] + "\n"


def check_phone(dossier: Dossier, typed: str) -> Outcome:
    """Whether the number typed is the one given at submission."""
    try:
        phone = validators.phone(typed)
    except Invalid as problem:
        return Outcome({"phone": problem.problem})
    if not secrets.compare_digest(phone, dossier.applicant_phone or "-"):
        return Outcome({"phone": Problem(PHONE_MISMATCH)})
    return DONE


# --- A supplement: the items asked for ---------------------------------------------------------


def asked(dossier: Dossier) -> list[tuple[dict[str, Any], FieldSpec | None]]:
    """(item asked for, its form field or None) for each item of the request."""
    form = form_for(dossier.procedure_code)
    fields = {f.name: f for f in form.all_fields()} if form else {}
    return [(item, fields.get(item["key"])) for item in dossier.supplement_items]


def asked_answers(dossier: Dossier) -> list[FieldSpec]:
    """The answers (not papers) the request asks to correct."""
    return [spec for _item, spec in asked(dossier) if spec and spec.type != "upload"]


def paper_keys(dossier: Dossier) -> list[str]:
    """The papers asked for: an item with no form field is a paper too."""
    return [item["key"] for item, spec in asked(dossier) if spec is None or spec.type == "upload"]


def files_since_request(dossier: Dossier, key: str) -> list[StoredFile]:
    """The files sent for a paper since the supplement was asked for (not the first ones)."""
    since = next((e.at for e in reversed(dossier.events) if e.action == "request_supplement"), None)
    if since is None:
        return []
    return [f for f in dossier.files if f.slot == key and f.created_at >= since]


def papers(dossier: Dossier) -> list[Paper]:
    labels = {item["key"]: item["label"] for item in dossier.supplement_items}
    return [Paper(k, labels[k], files_since_request(dossier, k)) for k in paper_keys(dossier)]


def read_corrections(
    dossier: Dossier, form: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Problem]]:
    """Clean corrections of the asked answers, read and checked as a step of the online form."""
    specs = asked_answers(dossier)
    step = StepSpec(id="bo-sung", title="", fields=tuple(specs))
    counts = item_counts(specs, dossier.answers, form)
    result = read_step(step, form, dossier.answers, local_today(), directory(), counts)
    return result.values, result.errors


def add_papers(dossier: Dossier, key: str, received: list[tuple[CleanFile, str]]) -> Outcome:
    """Keep the files checked for a paper asked for; those the disk took stay if one fails."""
    stored, refused = files_service.store_all(received, key)
    for one in stored:
        one.dossier_id = dossier.id
    db.session.commit()
    return Outcome({key: refused}) if refused else DONE


def answer_supplement(dossier: Dossier, form: Mapping[str, str]) -> Outcome:
    """Send what was asked for, the caller having seen dossier.awaits_supplement: the
    corrections and the return to the centre are one change, or none when any is missing."""
    corrections, problems = read_corrections(dossier, form)
    for key in paper_keys(dossier):
        if not files_since_request(dossier, key):
            problems[key] = Problem(PAPER_MISSING)
    if problems:
        return Outcome(problems)
    # No flush before act's commit: a change made meanwhile must surface there, as Conflict.
    with db.session.no_autoflush:
        if corrections:
            dossier.answers = {**dossier.answers, **corrections}
        try:
            act(dossier, Request("supplement_received", dossier.version), None)
        except Conflict:
            return changed()
    return DONE


# --- Withdrawing and rating --------------------------------------------------------------------


def withdraw(dossier: Dossier, reason: str, confirmed: bool) -> Outcome:
    """Withdraw, once the person ticked that they are sure; the caller saw dossier.can_withdraw."""
    request = Request("withdraw", dossier.version, reason=reason, confirmed=confirmed)
    with db.session.no_autoflush:
        try:
            act(dossier, request, None)
        except Invalid as refused:
            # The tick is the page's one field; any other refusal is about the whole dossier.
            field = "confirmed" if refused.field == "confirmed" else WHOLE
            return Outcome({field: refused.problem})
        except Conflict:
            return changed()
    return DONE


def rated(dossier: Dossier) -> bool:
    return (
        db.session.scalar(sa.select(DossierRating.id).where(DossierRating.dossier_id == dossier.id))
        is not None
    )


def rate(dossier: Dossier, value: str, comment: str) -> Outcome:
    """Keep how satisfied the person was, the caller having seen dossier.can_rate; once only,
    so a second rating (or two sent at once) is answered as done and changes nothing."""
    if value not in RATINGS:
        return Outcome({"value": Problem(RATING_MISSING)})
    dossiers_service.rate(dossier, value, comment)
    return DONE
