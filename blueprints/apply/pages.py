"""The step page and the check page, rendered from a draft, its form and what a step shows."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import render_template
from flask_babel import gettext as _

from blueprints import fields as views
from domain.formspec import FieldSpec
from domain.formspec import FormSpec
from domain.formspec import StepSpec
from domain.formspec import late_notices
from domain.messages import Problem
from domain.references import format_resume_code
from models import Draft
from services import centres
from services import drafts
from services import steps
from services.steps import FieldCheck
from services.steps import StepPage
from services.units import directory
from services.workflow import local_today


def step_page(
    draft: Draft,
    form: FormSpec,
    page: StepPage,
    *,
    returning: bool = False,
    stale: bool = False,
    unavailable: str = "",
) -> str:
    """One question page: the fields as typed (else as answered), messages first."""
    step, result = page.step, page.result
    answers = dict(draft.answers)
    answers.update({k: v for k, v in result.values.items() if v is not None})
    # A question that depends on an answer on this same page is always sent: without
    # JavaScript it shows with a note saying when to answer it; site.js hides it until then.
    here = {f.name: f for f in step.fields}
    visible = [f for f in step.fields if f.when is None or f.when.field in here or f.shown(answers)]
    field_list = views.field_views(
        visible,
        answers,
        result.typed,
        dict(result.errors),
        result.notices,
        directory(),
        current_app.config["PROVINCE_CODE"],
        drafts.files_by_slot(draft),
        page.counts,
    )
    note_conditions(field_list, step)
    shown = form.visible_steps(answers)
    return render_template(
        "apply/step.html",
        draft=draft,
        form=form,
        step=step,
        fields=field_list,
        errors=[(f, f.error) for f in flatten(field_list) if f.error],
        number=[s.id for s in shown].index(step.id) + 1 if step in shown else 1,
        total=len(shown),
        previous=form.previous_step(step.id, answers),
        returning=returning,
        resume_code=format_resume_code(draft.resume_code),
        stale=stale,
        acknowledge=page.acknowledge,
        unavailable=unavailable,
    )


def field_check(draft: Draft, checked: FieldCheck, posted: dict[str, str]) -> str:
    """One field with its message, or none, as htmx swaps it in while the person types."""
    step, spec = checked.step, checked.spec
    typed = views.values_for(spec, spec.name, None, posted)
    view = views.FieldView(spec, spec.name, typed, checked.error, checked.notice)
    views.fill_choices(view, directory(), current_app.config["PROVINCE_CODE"])
    note_conditions([view], step)
    names = [f.name for f in step.fields]
    return render_template("apply/_field.html", draft=draft, step=step, f=view, names=names)


def upload_slot(draft: Draft, step: StepSpec, spec: FieldSpec, errors: dict[str, Problem]) -> str:
    """A document's files and its upload form (htmx, site.js)."""
    view = views.FieldView(spec, spec.name, {}, errors.get(spec.name))
    view.files = drafts.files_by_slot(draft).get(spec.name, [])
    return render_template("apply/_upload.html", draft=draft, step=step, f=view)


def check_page(draft: Draft, form: FormSpec, error: Problem | None = None, **shown: Any) -> str:
    """Every answer with a change link, the missing ones marked; the declaration and send."""
    return render_template("apply/check.html", **check_context(draft, form), error=error, **shown)


def check_context(draft: Draft, form: FormSpec) -> dict[str, Any]:
    files = drafts.files_by_slot(draft)
    return {
        "draft": draft,
        "form": form,
        "steps": form.visible_steps(draft.answers),
        "missing": steps.missing_steps(draft, form),
        "answers_of": lambda step_id: views.step_answers(form, step_id, draft.answers, files),
        "display": views.display,
        "notices": late_notices(form, draft.answers, local_today()),
        "resume_code": format_resume_code(draft.resume_code),
        "receiving": centres.find(drafts.receiving_unit(draft, form)) or centres.default_centre(),
    }


def note_conditions(field_list: list[views.FieldView], step: StepSpec) -> None:
    """For a question asked only after some answer on the same page, say which answer."""
    here = {f.name: f for f in step.fields}
    for view in field_list:
        when = view.spec.when
        if when is not None and when.field in here:
            view.condition = [_(here[when.field].label_of(v)) for v in when.values]


def flatten(field_list: list[views.FieldView]) -> list[views.FieldView]:
    flat = []
    for view in field_list:
        flat.append(view)
        for item in view.items:
            flat.extend(item)
    return flat
