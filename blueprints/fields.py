"""What a step page shows of each field: input names, values as typed, error, choices."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from flask import render_template
from flask import request
from flask_babel import gettext

from domain import numbers
from domain.formspec import YES
from domain.formspec import FieldSpec
from domain.formspec import FormSpec
from domain.messages import Problem
from services.units import UnitDirectory
from services.units import directory


@dataclass
class FieldView:
    spec: FieldSpec
    name: str  # the input name (prefix for several inputs)
    values: dict[str, str]  # input name → value to put back in the form
    error: Problem | None = None
    notice: Problem | None = None
    provinces: list[tuple[int, str]] = field(default_factory=list)
    units: list[tuple[int, str]] = field(default_factory=list)
    items: list[list[FieldView]] = field(default_factory=list)  # group: one list per item
    files: list[Any] = field(default_factory=list)  # upload: StoredFile rows
    condition: list[str] = field(default_factory=list)  # labels of the answers that ask it

    @property
    def anchor(self) -> str:
        """The id of the first input, for the error summary's link."""
        kind = self.spec.type
        if kind == "date":
            return f"{self.name}-ngay"
        if kind == "address":
            return f"{self.name}-tinh"
        if kind in {"choice", "yesno"} and self.spec.options:
            return f"{self.name}-{self.spec.options[0].value}"
        if kind == "upload":
            return f"{self.name}-tep"
        if kind == "group":
            return f"{self.name}-field"
        return self.name

    def value(self, suffix: str = "") -> str:
        key = f"{self.name}-{suffix}" if suffix else self.name
        return self.values.get(key, "")


def typed_from_answer(spec: FieldSpec, name: str, answer: Any) -> dict[str, str]:
    """An answer kept in the draft, written back into the inputs it came from."""
    if answer in (None, ""):
        return {}
    if spec.type == "date":
        day = date.fromisoformat(answer)
        return {
            f"{name}-ngay": str(day.day),
            f"{name}-thang": str(day.month),
            f"{name}-nam": str(day.year),
        }
    if spec.type == "address":
        return {
            f"{name}-tinh": str(answer.get("province", "")),
            f"{name}-xa": str(answer.get("unit", "")),
            f"{name}-chi-tiet": answer.get("detail", ""),
        }
    return {name: str(answer)}


def field_views(
    specs: list[FieldSpec],
    answers: dict[str, Any],
    typed: dict[str, str] | None,
    errors: dict[str, Problem],
    notices: dict[str, Problem],
    units: UnitDirectory,
    default_province: int,
    files: dict[str, list[Any]],
    group_counts: dict[str, int],
) -> list[FieldView]:
    """Views of a step's visible fields, filled from what was typed, else from the answers."""
    views = []
    for spec in specs:
        if spec.type == "group":
            views.append(
                _group_view(spec, answers, typed, errors, units, default_province, group_counts)
            )
            continue
        values = values_for(spec, spec.name, answers.get(spec.name), typed)
        view = FieldView(spec, spec.name, values, errors.get(spec.name), notices.get(spec.name))
        fill_choices(view, units, default_province)
        view.files = files.get(spec.name, [])
        views.append(view)
    return views


def values_for(
    spec: FieldSpec, name: str, answer: Any, typed: dict[str, str] | None
) -> dict[str, str]:
    if typed is not None and any(k == name or k.startswith(f"{name}-") for k in typed):
        return {k: v for k, v in typed.items() if k == name or k.startswith(f"{name}-")}
    return typed_from_answer(spec, name, answer)


def fill_choices(view: FieldView, units: UnitDirectory, default_province: int) -> None:
    if view.spec.type != "address":
        return
    view.provinces = units.sorted_provinces()
    chosen = view.value("tinh")
    province = numbers.whole(chosen) or default_province
    view.values.setdefault(f"{view.name}-tinh", str(province))
    view.units = units.sorted_units(province)


def _group_view(
    spec: FieldSpec,
    answers: dict[str, Any],
    typed: dict[str, str] | None,
    errors: dict[str, Problem],
    units: UnitDirectory,
    default_province: int,
    group_counts: dict[str, int],
) -> FieldView:
    saved = answers.get(spec.name) or []
    count = group_counts.get(spec.name, max(len(saved), spec.min_items))
    view = FieldView(spec, spec.name, {}, errors.get(spec.name))
    for index in range(count):
        item_answers = saved[index] if index < len(saved) else {}
        row = []
        for sub in spec.fields:
            name = f"{spec.name}-{index}-{sub.name}"
            values = values_for(sub, name, item_answers.get(sub.name), typed)
            sub_view = FieldView(sub, name, values, errors.get(name))
            fill_choices(sub_view, units, default_province)
            row.append(sub_view)
        view.items.append(row)
    return view


def display(spec: FieldSpec, answer: Any) -> str:
    """An answer as words (dates dd/mm/yyyy, choices by their label, addresses in full)."""
    if answer in (None, "", []):
        return ""
    if spec.type == "date":
        return date.fromisoformat(answer).strftime("%d/%m/%Y")
    if spec.type == "address":
        return answer.get("text", "")
    if spec.type == "consent":
        return "✓" if answer == YES else ""
    if spec.type == "group":
        return "; ".join(
            ", ".join(display(sub, item.get(sub.name)) for sub in spec.fields if item.get(sub.name))
            for item in answer
        )
    if spec.type in {"choice", "yesno"}:
        return gettext(spec.label_of(str(answer)))
    return str(answer)


def step_answers(
    form: FormSpec, step_id: str, answers: dict[str, Any], files: dict[str, list[Any]]
) -> list[tuple[FieldSpec, Any]]:
    """(field, answer or files) of a step's visible fields, for the check page."""
    step = form.step(step_id)
    if step is None:
        return []
    return [
        (spec, files.get(spec.name, []) if spec.type == "upload" else answers.get(spec.name))
        for spec in step.visible_fields(answers)
    ]


def commune_options() -> str:
    """The <option>s of the communes of the province an address field (?truong=) now names."""
    province = numbers.whole(request.args.get(f"{request.args.get('truong', '')}-tinh"))
    units = directory().sorted_units(province) if province is not None else []
    return render_template("apply/_communes.html", units=units)
