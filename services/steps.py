"""One page of the online form sent: read, checked, kept with the draft, and where it leads.

The view parses the request and renders or redirects; what happens to a sent page is decided
here, in one place. Whatever is sent, the outcome is one of four: the draft was sent already,
the page is not one of this draft's (any more), the answers are kept and the person goes on,
or the same page again (with its messages, a notice to read, or one more item to fill in),
never losing what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask import current_app

from domain.formspec import YES
from domain.formspec import FieldSpec
from domain.formspec import FormSpec
from domain.formspec import StepResult
from domain.formspec import StepSpec
from domain.formspec import item_counts
from domain.formspec import missing_answers
from domain.formspec import outside_province
from domain.formspec import read_step
from domain.formspec import read_value
from domain.messages import N_
from domain.messages import Invalid
from domain.messages import Problem
from models import Draft
from services import dossiers
from services import drafts
from services.units import directory

# A procedure bound to the territory is decided where the person lives; a province's portal
# cannot send it to another province.
OTHER_PROVINCE = N_(
    "Thủ tục này do Trung tâm của xã, phường nơi cư trú giải quyết. Địa chỉ này ở tỉnh khác:"
    " bạn hãy nộp hồ sơ tại tỉnh đó."
)

# The names the step page posts besides its fields.
ACTION = "hanh-dong"  # a button other than "Tiếp tục": "<verb>:<field name>"
ADD_ITEM = "them"  # one more item of a repeated group
PICK_PROVINCE = "tinh"  # show the communes of the province chosen (without JavaScript)
READ = "da-doc"  # the notice shown with the answers has been read

# What became of a sent page.
SENT = "sent"  # the draft is a dossier now: its confirmation
ELSEWHERE = "elsewhere"  # not a page of this draft, or one an answer has hidden since
ON = "on"  # kept: the next page, or the check page
AGAIN = "again"  # the same page again, with `page` saying what it shows


@dataclass
class StepPage:
    """What a step page shows: answers as typed, messages and notices, items in each group."""

    step: StepSpec
    result: StepResult = field(default_factory=StepResult)
    counts: dict[str, int] = field(default_factory=dict)
    acknowledge: bool = False  # kept, but a notice is to be read before going on


@dataclass
class StepOutcome:
    kind: str
    page: StepPage | None = None
    refused: bool = False  # the page was sent with mistakes: it is shown again with them
    following: str | None = None  # the next page's step id; None: the check page
    pending: str | None = None  # the first other step still to answer, if any

    def goes_to(self, returning: bool) -> str | None:
        """The step to show next (None: the check page).

        A change made from the check page goes back there, unless it asked new questions.
        """
        return self.pending if returning else self.following


def askable(draft: Draft, form: FormSpec, step_id: str) -> StepSpec | StepOutcome:
    """The step, or where to go instead (the dossier sent, or where the draft is now)."""
    if draft.dossier is not None:
        return StepOutcome(SENT)
    step = form.step(step_id)
    if step is None or not step.shown(draft.answers):
        return StepOutcome(ELSEWHERE)
    return step


def show_step(draft: Draft, form: FormSpec, step_id: str, today: date) -> StepOutcome:
    """The page as kept: last sent with mistakes, the same answers and the same messages."""
    step = askable(draft, form, step_id)
    if isinstance(step, StepOutcome):
        return step
    typed = draft.typed.get(step.id)
    if not typed:
        return StepOutcome(AGAIN, StepPage(step, counts=_counts(step, draft, {})))
    counts = _counts(step, draft, typed)
    result = read_step(step, typed, draft.answers, today, directory(), counts)
    return StepOutcome(AGAIN, StepPage(step, result, counts))


def submit_step(
    draft: Draft, form: FormSpec, step_id: str, posted: Mapping[str, str], today: date
) -> StepOutcome:
    """Read a sent page, keep it with the draft, and say where the person goes."""
    step = askable(draft, form, step_id)
    if isinstance(step, StepOutcome):
        return step
    verb, colon, target = posted.get(ACTION, "").partition(":")
    if colon and verb in {ADD_ITEM, PICK_PROVINCE}:
        return StepOutcome(AGAIN, _rework(draft, step, posted, today, verb, target))
    counts = _counts(step, draft, posted)
    result = read_step(step, posted, draft.answers, today, directory(), counts)
    result.errors.update(missing_uploads(step, draft))
    refuse_other_provinces(form, draft.procedure.is_non_territorial, result)
    counts.update(result.counts)
    following = drafts.save_step(draft, form, step.id, result)
    if not result.ok:
        return StepOutcome(AGAIN, StepPage(step, result, counts), refused=True)
    if result.notices and posted.get(READ) != YES:
        # Kept, but the notice (a late registration) must be read before going on.
        return StepOutcome(AGAIN, StepPage(step, result, counts, acknowledge=True))
    pending = form.step(draft.current_step)
    return StepOutcome(
        ON,
        following=following,
        pending=pending.id if pending is not None and pending.id != step.id else None,
    )


def refuse_other_provinces(form: FormSpec, boundary_free: bool, result: StepResult) -> None:
    """The address deciding competence, in another province: a message by it, nothing kept."""
    province = current_app.config["PROVINCE_CODE"]
    for name, value in list(result.values.items()):
        if outside_province(form, name, value, province, boundary_free):
            del result.values[name]
            result.errors[name] = Problem(OTHER_PROVINCE)


def as_sent(draft: Draft, step: StepSpec, posted: Mapping[str, str], today: date) -> StepPage:
    """The page as it was sent, unsaved and without messages (to send again)."""
    counts = _counts(step, draft, posted)
    result = read_step(step, posted, draft.answers, today, directory(), counts)
    counts.update(result.counts)
    return StepPage(step, StepResult(values=result.values, typed=result.typed), counts)


def with_problems(draft: Draft, step: StepSpec, errors: dict[str, Problem]) -> StepPage:
    """The page as kept, with only these messages (a refused upload)."""
    typed = dict(draft.typed.get(step.id) or {})
    return StepPage(step, StepResult(typed=typed, errors=errors), _counts(step, draft, {}))


def missing_uploads(step: StepSpec, draft: Draft) -> dict[str, Problem]:
    have = drafts.files_by_slot(draft)
    return {
        spec.name: Problem(N_("Bạn hãy tải lên ảnh chụp hoặc tệp PDF của giấy tờ này."))
        for spec in step.visible_fields(draft.answers)
        if spec.type == "upload" and spec.required and not have.get(spec.name)
    }


def _counts(step: StepSpec, draft: Draft, posted: Mapping[str, str]) -> dict[str, int]:
    return item_counts(step.fields, draft.answers, posted)


def _rework(
    draft: Draft, step: StepSpec, posted: Mapping[str, str], today: date, verb: str, target: str
) -> StepPage:
    """One more item, or another province's communes; nothing typed is lost."""
    counts = _counts(step, draft, posted)
    result = read_step(step, posted, draft.answers, today, directory(), counts)
    counts.update(result.counts)
    spec = next((f for f in step.fields if f.name == target), None)
    if verb == ADD_ITEM and spec is not None and spec.type == "group":
        counts[spec.name] = min(counts.get(spec.name, 0) + 1, spec.max_items)
        result.typed[f"{spec.name}-count"] = str(counts[spec.name])
    # Keep what was typed, but no messages for a page still being filled in.
    drafts.keep_typed(draft, step.id, result.typed)
    return StepPage(step, StepResult(values=result.values, typed=result.typed), counts)


def missing_steps(draft: Draft, form: FormSpec) -> set[str]:
    """The visible steps with a required answer or document still missing."""
    counts = {slot: len(items) for slot, items in drafts.files_by_slot(draft).items()}
    return {s.id for s in missing_answers(form, draft.answers, counts)}


def send(
    draft: Draft, form: FormSpec, declared: bool, helper_user_id: int | None = None
) -> Problem | None:
    """Send the draft as a dossier, or say why not yet. Sent already: the same dossier stays."""
    if draft.dossier is not None:
        return None
    if missing_steps(draft, form):
        return Problem(N_("Hồ sơ còn thiếu thông tin. Bạn hãy bổ sung các mục được đánh dấu."))
    if not declared:
        return Problem(N_("Bạn hãy đánh dấu vào ô cam đoan để gửi hồ sơ."))
    dossiers.submit(draft, form, helper_user_id=helper_user_id)
    return None


@dataclass
class FieldCheck:
    """One field checked as it is typed (htmx): its message, or its notice, or neither."""

    step: StepSpec
    spec: FieldSpec
    error: Problem | None = None
    notice: Problem | None = None


def check_field(
    form: FormSpec,
    step_id: str,
    name: str,
    posted: Mapping[str, str],
    today: date,
    boundary_free: bool = False,
) -> FieldCheck | None:
    """Check one simple field of a step; None when the step has no such field."""
    step = form.step(step_id)
    spec = next((f for f in step.fields if f.name == name), None) if step else None
    if step is None or spec is None or spec.type in {"group", "upload"}:
        return None
    result = StepResult()
    checked = FieldCheck(step, spec)
    try:
        result.values[name] = read_value(spec, posted, name, today, directory(), result)
    except Invalid as problem:
        checked.error = problem.problem
    refuse_other_provinces(form, boundary_free, result)
    checked.error = checked.error or result.errors.get(name)
    checked.notice = result.notices.get(name)
    return checked
