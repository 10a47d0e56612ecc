"""A procedure's online form as data: steps, fields, conditions, upload slots; and its checks.

Forms live in data/forms/<code>.json and are checked here when loaded, so a mistake in a form
(an unknown field type, a condition on a field that does not exist, an upload slot that is
not one of the procedure's real documents) stops the loader instead of reaching a citizen.
Labels are Vietnamese message ids, extracted for translation (tools/babel_forms.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from typing import Protocol

from domain import numbers
from domain import validators
from domain.messages import N_
from domain.messages import Invalid
from domain.messages import Problem

FIELD_TYPES = frozenset(
    "text textarea number date choice yesno consent "
    "cccd phone email name address upload group".split()
)
YES, NO = "co", "khong"
# Step ids share the URL space of a draft with these pages.
RESERVED_STEP_IDS = frozenset(
    {
        "kiem-tra",
        "gui",
        "xong",
        "bien-nhan",
        "tep",
        "dia-chi",
        "thoat",
        "tiep",
        "truong",
        "trung-tam",
    }
)


class FormSpecError(ValueError):
    """A form definition that cannot be used."""


# The keys each part of a definition may have. A key outside these (a typo such as "requried",
# or "min" on a date) is refused: ignored, it would silently leave the default in force.
# Keys starting with "_" are comments.
FORM_KEYS = frozenset(
    "procedure version title minutes applicant_name applicant_id applicant_email bring "
    "competent_address steps".split()
)
STEP_KEYS = frozenset({"id", "title", "intro", "when", "fields"})
FIELD_KEYS = frozenset(
    {"name", "type", "label", "hint", "required", "when", "required_when", "autocomplete"}
)
TYPE_KEYS: dict[str, frozenset[str]] = {
    "text": frozenset({"max_length"}),
    "textarea": frozenset({"max_length"}),
    "name": frozenset({"max_length"}),
    "email": frozenset({"max_length"}),
    "number": frozenset({"min", "max"}),
    "date": frozenset({"past", "min_age", "late_after_days", "late_notice", "order"}),
    "choice": frozenset({"options"}),
    "cccd": frozenset({"cccd_birth_field"}),
    "upload": frozenset({"document", "max_files"}),
    "group": frozenset({"fields", "min_items", "max_items", "item_label"}),
}
OPTION_KEYS = frozenset({"value", "label"})
CONDITION_KEYS = frozenset({"field", "equals", "in"})
ORDER_KEYS = frozenset({"field", "must_be", "message"})


class Units(Protocol):
    """The official unit list, as the form needs it for addresses."""

    def province_name(self, code: int) -> str | None: ...

    def unit_name(self, code: int, province: int) -> str | None: ...


@dataclass(frozen=True)
class Condition:
    """Shown only when an earlier answer equals one of some values."""

    field: str
    values: tuple[str, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        return str(answers.get(self.field, "")) in self.values


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: str
    hint: str = ""
    required: bool = True
    when: Condition | None = None
    required_when: Condition | None = None  # optional, except after some earlier answers
    options: tuple[Option, ...] = ()
    past: bool = False  # a date that cannot be after today (birth, death)
    min_age: int | None = None  # a birth date: at least this old today
    late_after_days: int | None = None  # a date this many days ago or more gets a notice
    late_notice: str = ""
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    autocomplete: str = ""
    document: str = ""  # upload: the component code of the procedure's document
    max_files: int = 4
    fields: tuple[FieldSpec, ...] = ()  # group: the fields of one item
    min_items: int = 1
    max_items: int = 5
    item_label: str = ""
    cccd_birth_field: str = ""  # cccd: the birth date field whose year the number must fit
    # date: an earlier-asked date this one cannot come before ("after") or after ("before")
    order: tuple[str, str, str] | None = None  # (field, "after" | "before", message)

    def shown(self, answers: Mapping[str, Any]) -> bool:
        return self.when is None or self.when.holds(answers)

    def is_required(self, answers: Mapping[str, Any]) -> bool:
        return self.required or (
            self.required_when is not None and self.required_when.holds(answers)
        )

    def least_items(self, answers: Mapping[str, Any]) -> int:
        """A group's smallest number of items: at least one whenever an answer is required."""
        return max(self.min_items, 1) if self.is_required(answers) else self.min_items

    def label_of(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value


@dataclass(frozen=True)
class StepSpec:
    id: str
    title: str
    fields: tuple[FieldSpec, ...]
    intro: str = ""
    when: Condition | None = None

    def shown(self, answers: Mapping[str, Any]) -> bool:
        # A page whose every question is hidden (papers needed only in some cases) is skipped.
        return (self.when is None or self.when.holds(answers)) and any(
            f.shown(answers) for f in self.fields
        )

    def visible_fields(self, answers: Mapping[str, Any]) -> list[FieldSpec]:
        return [f for f in self.fields if f.shown(answers)]

    @property
    def is_upload(self) -> bool:
        return any(f.type == "upload" for f in self.fields)


@dataclass(frozen=True)
class FormSpec:
    procedure: str
    version: int
    title: str
    minutes: int
    steps: tuple[StepSpec, ...]
    applicant_name: str  # which field holds the applicant's (người yêu cầu) name …
    applicant_id: str  # … CCCD …
    applicant_email: str = ""  # … and e-mail, copied onto the dossier for staff lists
    bring: tuple[str, ...] = ()  # what to have at hand, shown on the start page
    # The address whose commune is competent when the procedure is bound to the territory
    # (khai sinh: the mother's residence); empty: the centre chosen.
    competent_address: str = ""

    def step(self, step_id: str) -> StepSpec | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def visible_steps(self, answers: Mapping[str, Any]) -> list[StepSpec]:
        return [s for s in self.steps if s.shown(answers)]

    def next_step(self, step_id: str, answers: Mapping[str, Any]) -> StepSpec | None:
        visible = self.visible_steps(answers)
        ids = [s.id for s in visible]
        if step_id not in ids:
            return visible[0] if visible else None
        index = ids.index(step_id)
        return visible[index + 1] if index + 1 < len(visible) else None

    def previous_step(self, step_id: str, answers: Mapping[str, Any]) -> StepSpec | None:
        visible = self.visible_steps(answers)
        ids = [s.id for s in visible]
        if step_id not in ids or ids.index(step_id) == 0:
            return None
        return visible[ids.index(step_id) - 1]

    def visible_upload_slots(self, answers: Mapping[str, Any]) -> set[str]:
        """The document slots the answers ask for; files in any other slot are not sent."""
        return {
            f.name
            for s in self.visible_steps(answers)
            for f in s.visible_fields(answers)
            if f.type == "upload"
        }

    def upload_fields(self) -> list[FieldSpec]:
        return [f for s in self.steps for f in s.fields if f.type == "upload"]

    def all_fields(self) -> list[FieldSpec]:
        return [f for s in self.steps for f in s.fields]

    @property
    def competent_field(self) -> FieldSpec | None:
        """The address question whose commune is competent, if the form names one."""
        return next((f for f in self.all_fields() if f.name == self.competent_address), None)


# --- Loading -----------------------------------------------------------------------------------


def _check_keys(raw: Any, allowed: frozenset[str], where: str, what: str) -> None:
    if not isinstance(raw, dict):
        raise FormSpecError(f"{where}: {what} must be an object")
    unknown = sorted(k for k in raw if not k.startswith("_") and k not in allowed)
    if unknown:
        raise FormSpecError(
            f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} in {what}"
        )


def _condition(raw: Any, known: set[str], where: str, key: str = "when") -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "field" not in raw:
        raise FormSpecError(f"{where}: '{key}' needs a field")
    _check_keys(raw, CONDITION_KEYS, where, f"'{key}'")
    if "equals" in raw and "in" in raw:
        raise FormSpecError(f"{where}: '{key}' has 'equals' or 'in', not both")
    if raw["field"] not in known:
        raise FormSpecError(f"{where}: '{key}' refers to {raw['field']!r}, not asked before")
    values = raw.get("in", [raw.get("equals")])
    if not isinstance(values, list) or not values or any(v is None for v in values):
        raise FormSpecError(f"{where}: '{key}' needs 'equals' or a list 'in'")
    return Condition(raw["field"], tuple(str(v) for v in values))


def _options(raw: dict[str, Any], where: str) -> tuple[Option, ...]:
    if raw["type"] == "yesno":
        return (Option(YES, N_("Có")), Option(NO, N_("Không")))
    if raw["type"] != "choice":
        return ()
    options: list[Option] = []
    for raw_option in raw.get("options", []):
        _check_keys(raw_option, OPTION_KEYS, where, "an option")
        if "value" not in raw_option or not raw_option.get("label"):
            raise FormSpecError(f"{where}: an option needs a value and a label")
        value = str(raw_option["value"])
        if value in {o.value for o in options}:
            raise FormSpecError(f"{where}: the option value {value!r} is used twice")
        options.append(Option(value, raw_option["label"]))
    if len(options) < 2:
        raise FormSpecError(f"{where}: a choice needs at least two options")
    return tuple(options)


def _order(raw: Any, known: set[str], kind: str, where: str) -> tuple[str, str, str] | None:
    if raw is None:
        return None
    if kind != "date" or not isinstance(raw, dict) or raw.get("field") not in known:
        raise FormSpecError(f"{where}: 'order' compares a date with a date asked before")
    _check_keys(raw, ORDER_KEYS, where, "'order'")
    if raw.get("must_be") not in {"after", "before"} or not raw.get("message"):
        raise FormSpecError(f"{where}: 'order' needs must_be after or before, and a message")
    return (raw["field"], raw["must_be"], raw["message"])


def _check_values(raw: dict[str, Any], kind: str, where: str) -> None:
    """Flags are true or false; limits are whole numbers, the smaller one first."""
    for flag in ("required", "past"):
        if not isinstance(raw.get(flag, False), bool):
            raise FormSpecError(f"{where}: {flag!r} is true or false")
    if kind == "group":
        least, most = raw.get("min_items", 1), raw.get("max_items", 5)
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (least, most)):
            raise FormSpecError(f"{where}: min_items and max_items are whole numbers")
        if least < 0 or most < 1 or least > most:
            raise FormSpecError(
                f"{where}: min_items ({least}) must be 0 or more and at most max_items ({most})"
            )
    low, high = raw.get("min"), raw.get("max")
    if kind == "number" and low is not None and high is not None and low > high:
        raise FormSpecError(f"{where}: min ({low}) is more than max ({high})")


def _field(
    raw: dict[str, Any], known: set[str], documents: Mapping[str, str], where: str
) -> FieldSpec:
    name, kind = raw.get("name", ""), raw.get("type", "")
    where = f"{where}.{name}"
    if not name or not name.replace("_", "").isalnum() or not name.islower():
        raise FormSpecError(f"{where}: a field name is lower-case letters, digits and _")
    if name in known:
        raise FormSpecError(f"{where}: the name is used twice")
    if kind not in FIELD_TYPES:
        raise FormSpecError(f"{where}: unknown type {kind!r}")
    _check_keys(
        raw, FIELD_KEYS | TYPE_KEYS.get(kind, frozenset()), where, f"a field of type {kind!r}"
    )
    _check_values(raw, kind, where)
    if not raw.get("label"):
        raise FormSpecError(f"{where}: a field needs a label")
    when = _condition(raw.get("when"), known, where)
    document = raw.get("document", "")
    if kind == "upload":
        group = documents.get(document)
        if group is None:
            raise FormSpecError(f"{where}: {document!r} is not a document of the procedure")
        if group == "note":
            raise FormSpecError(f"{where}: {document!r} is a note, not a paper to upload")
    sub_fields: tuple[FieldSpec, ...] = ()
    if kind == "group":
        inner: set[str] = set(known)
        sub_fields = tuple(_field(f, inner, documents, where) for f in raw.get("fields", []))
        for sub in sub_fields:
            inner.add(sub.name)
        if not sub_fields or any(f.type in {"group", "upload"} for f in sub_fields):
            raise FormSpecError(f"{where}: a group holds simple fields")
        if any(f.order or f.cccd_birth_field for f in sub_fields):
            # Only a step's own fields are compared with other answers (_cross_checks).
            raise FormSpecError(f"{where}: a group's fields cannot have order or cccd_birth_field")
    return FieldSpec(
        name=name,
        type=kind,
        label=raw["label"],
        hint=raw.get("hint", ""),
        required=bool(raw.get("required", True)),
        when=when,
        required_when=_condition(raw.get("required_when"), known, where, "required_when"),
        options=_options(raw, where),
        past=bool(raw.get("past", False)),
        min_age=raw.get("min_age"),
        late_after_days=raw.get("late_after_days"),
        late_notice=raw.get("late_notice", ""),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        max_length=int(raw.get("max_length", 1000 if kind == "textarea" else 200)),
        autocomplete=raw.get("autocomplete", ""),
        document=document,
        max_files=int(raw.get("max_files", 4)),
        fields=sub_fields,
        min_items=int(raw.get("min_items", 1)),
        max_items=int(raw.get("max_items", 5)),
        item_label=raw.get("item_label", ""),
        cccd_birth_field=raw.get("cccd_birth_field", ""),
        order=_order(raw.get("order"), known, kind, where),
    )


def load_form(
    raw: dict[str, Any], documents: Mapping[str, str], common_steps: Sequence[dict] = ()
) -> FormSpec:
    """Check a form definition against the procedure's documents {component code: group}."""
    where = raw.get("procedure", "?")
    _check_keys(raw, FORM_KEYS, where, "the form")
    known: set[str] = set()
    steps = []
    step_ids: set[str] = set()
    for raw_step in [*common_steps, *raw.get("steps", [])]:
        step_id = raw_step.get("id", "")
        step_where = f"{where}/{step_id}"
        if not step_id or step_id in step_ids or not step_id.replace("-", "").isalnum():
            raise FormSpecError(f"{step_where}: a step needs a unique id of letters and -")
        if step_id in RESERVED_STEP_IDS:
            raise FormSpecError(f"{step_where}: {step_id!r} is the name of another page")
        _check_keys(raw_step, STEP_KEYS, step_where, "a step")
        when = _condition(raw_step.get("when"), known, step_where)
        fields = []
        for raw_field in raw_step.get("fields", []):
            spec = _field(raw_field, known, documents, step_where)
            known.add(spec.name)
            fields.append(spec)
        if not fields or not raw_step.get("title"):
            raise FormSpecError(f"{step_where}: a step needs a title and fields")
        steps.append(
            StepSpec(step_id, raw_step["title"], tuple(fields), raw_step.get("intro", ""), when)
        )
        step_ids.add(step_id)
    for key in ("applicant_name", "applicant_id"):
        if raw.get(key) not in known:
            raise FormSpecError(f"{where}: {key} must name a field")
    fields_by_name = {f.name: f for s in steps for f in s.fields}
    for step in steps:
        for spec in (f for f in step.fields if f.cccd_birth_field):
            birth = fields_by_name.get(spec.cccd_birth_field)
            here = f"{where}/{step.id}.{spec.name}: cccd_birth_field {spec.cccd_birth_field!r}"
            if birth is None:
                raise FormSpecError(f"{here} is not a field of the form")
            if birth.type != "date":
                raise FormSpecError(f"{here} is a {birth.type} field, not a date")
    competent = _check_competent_address(raw.get("competent_address", ""), steps, where)
    return FormSpec(
        procedure=raw["procedure"],
        version=int(raw.get("version", 1)),
        title=raw["title"],
        minutes=int(raw.get("minutes", 10)),
        steps=tuple(steps),
        applicant_name=raw["applicant_name"],
        applicant_id=raw["applicant_id"],
        applicant_email=raw.get("applicant_email", ""),
        bring=tuple(raw.get("bring", [])),
        competent_address=competent,
    )


def _check_competent_address(name: Any, steps: Sequence[StepSpec], where: str) -> str:
    """The address that decides competence is always asked: a dossier never lacks its unit."""
    if name == "":
        return ""
    here = f"{where}: competent_address {name!r}"
    for step in steps:
        spec = next((f for f in step.fields if f.name == name), None)
        if spec is None:
            continue
        if spec.type != "address":
            raise FormSpecError(f"{here} is a {spec.type} field, not an address")
        if not spec.required or spec.when is not None or step.when is not None:
            raise FormSpecError(f"{here} must be required and asked of everyone")
        return str(name)
    raise FormSpecError(f"{here} is not a field of a step")


# --- Competence --------------------------------------------------------------------------------


def competent_unit(
    form: FormSpec, answers: Mapping[str, Any], chosen: int, province: int, boundary_free: bool
) -> int:
    """The unit a dossier goes to.

    A boundary-free procedure (Nghị định 118/2025/NĐ-CP) may be submitted at any centre of the
    province: the one chosen. Any other goes to the commune of the address that decides
    competence, whatever centre was chosen; until that address is given, the chosen one.
    """
    if boundary_free or not form.competent_address:
        return chosen
    address = answers.get(form.competent_address)
    if isinstance(address, dict) and address.get("province") == province:
        return int(address["unit"])
    return chosen


def outside_province(
    form: FormSpec, name: str, value: Any, province: int, boundary_free: bool
) -> bool:
    """An address that decides competence, in another province: it cannot be submitted here."""
    return (
        not boundary_free
        and name == form.competent_address
        and isinstance(value, dict)
        and value.get("province") != province
    )


# --- Reading answers ---------------------------------------------------------------------------


@dataclass
class StepResult:
    """What a posted step gave: clean values, problems by field, notices, and what was typed."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Problem] = field(default_factory=dict)
    notices: dict[str, Problem] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # items each group kept

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(
    spec: FieldSpec, form: Mapping[str, str], prefix: str, today: date, result: StepResult
) -> Any:
    parts = [form.get(f"{prefix}-{part}", "") for part in ("ngay", "thang", "nam")]
    if not any(p.strip() for p in parts) and not spec.required:
        return None
    value = validators.day(*parts)
    if spec.past:
        validators.not_in_future(value, today)
    if spec.min_age is not None and validators.age_on(value, today) < spec.min_age:
        raise Invalid(N_("Người này phải đủ %(age)s tuổi trở lên."), age=spec.min_age)
    if spec.late_after_days is not None and (today - value).days > spec.late_after_days:
        result.notices[prefix] = Problem(
            spec.late_notice or N_("Đã quá thời hạn đăng ký."), {"days": spec.late_after_days}
        )
    return value.isoformat()


def _address(spec: FieldSpec, form: Mapping[str, str], prefix: str, units: Units) -> Any:
    province_raw = form.get(f"{prefix}-tinh", "").strip()
    unit_raw = form.get(f"{prefix}-xa", "").strip()
    detail = validators.text(form.get(f"{prefix}-chi-tiet", ""), 200)
    if not (province_raw or unit_raw or detail) and not spec.required:
        return None
    province = numbers.whole(province_raw)
    if province is None or units.province_name(province) is None:
        raise Invalid(N_("Bạn hãy chọn tỉnh, thành phố."))
    unit = numbers.whole(unit_raw)
    unit_name = units.unit_name(unit, province) if unit is not None else None
    if unit_name is None:
        raise Invalid(N_("Bạn hãy chọn xã, phường hoặc đặc khu thuộc tỉnh đã chọn."))
    if not detail:
        raise Invalid(N_("Bạn hãy ghi số nhà, thôn, xóm hoặc tổ dân phố."))
    province_name = units.province_name(province)
    return {
        "province": province,
        "unit": unit,
        "detail": detail,
        "text": f"{detail}, {unit_name}, {province_name}",
    }


def _simple(spec: FieldSpec, raw: str) -> Any:
    kind = spec.type
    if kind == "cccd":
        return validators.cccd(raw)
    if kind == "phone":
        return validators.phone(raw)
    if kind == "email":
        return validators.email(raw)
    if kind == "name":
        return validators.person_name(raw)
    if kind == "number":
        return validators.number(raw, spec.minimum, spec.maximum)
    if kind in {"choice", "yesno"}:
        if raw not in {o.value for o in spec.options}:
            raise Invalid(N_("Bạn hãy chọn một câu trả lời."))
        return raw
    if kind == "consent":
        return YES
    return validators.text(raw, spec.max_length)


TYPED_PARTS = {"date": ("ngay", "thang", "nam"), "address": ("tinh", "xa", "chi-tiet")}


def _typed(spec: FieldSpec, form: Mapping[str, str], prefix: str) -> dict[str, str]:
    parts = TYPED_PARTS.get(spec.type)
    if parts:
        return {f"{prefix}-{p}": form.get(f"{prefix}-{p}", "") for p in parts}
    return {prefix: form.get(prefix, "")}


def read_value(
    spec: FieldSpec,
    form: Mapping[str, str],
    prefix: str,
    today: date,
    units: Units,
    result: StepResult,
) -> Any:
    """One field's clean value from the posted form, or Invalid."""
    if spec.type == "date":
        return _date(spec, form, prefix, today, result)
    if spec.type == "address":
        return _address(spec, form, prefix, units)
    raw = form.get(prefix, "")
    if spec.type == "consent" and raw != YES:
        raw = ""
    if not raw.strip():
        if spec.required:
            if spec.type in {"choice", "yesno"}:
                raise Invalid(N_("Bạn hãy chọn một câu trả lời."))
            if spec.type == "consent":
                raise Invalid(N_("Bạn hãy đánh dấu vào ô này để tiếp tục."))
            raise Invalid(N_("Bạn hãy điền mục này."))
        return None
    return _simple(spec, raw)


def item_counts(
    fields: Iterable[FieldSpec], answers: Mapping[str, Any], posted: Mapping[str, str]
) -> dict[str, int]:
    """How many items each repeatable group shows: as posted (or kept typed), else as saved."""
    counts = {}
    for spec in fields:
        if spec.type != "group":
            continue
        raw = posted.get(f"{spec.name}-count", "")
        saved = len(answers.get(spec.name) or [])
        posted_count = numbers.whole(raw)
        count = max(saved, spec.least_items(answers)) if posted_count is None else posted_count
        counts[spec.name] = max(0, min(count, spec.max_items))
    return counts


def read_step(
    step: StepSpec,
    form: Mapping[str, str],
    answers: Mapping[str, Any],
    today: date,
    units: Units,
    group_counts: Mapping[str, int] | None = None,
) -> StepResult:
    """Check a posted step. Fields hidden by earlier answers (or this step's) are skipped."""
    result = StepResult()
    merged = dict(answers)
    for spec in step.fields:
        if spec.type in {"choice", "yesno"}:
            merged[spec.name] = form.get(spec.name, "")
    for spec in step.fields:
        if not spec.shown(merged) or spec.type == "upload":
            continue
        if spec.type == "group":
            count = (group_counts or {}).get(spec.name, spec.least_items(merged))
            _read_group(spec, form, count, today, units, result, merged)
            continue
        result.typed.update(_typed(spec, form, spec.name))
        try:
            result.values[spec.name] = read_value(spec, form, spec.name, today, units, result)
        except Invalid as problem:
            result.errors[spec.name] = problem.problem
    _cross_checks(step, result, {**answers, **result.values})
    return result


def _read_group(
    spec: FieldSpec,
    form: Mapping[str, str],
    count: int,
    today: date,
    units: Units,
    result: StepResult,
    answers: Mapping[str, Any],
) -> None:
    items: list[dict[str, Any]] = []
    for index in range(count):
        if form.get(f"{spec.name}-{index}-bo") == YES:
            continue  # "remove this item" was ticked
        # The items after a removed one move up, so that what was typed, its messages and
        # the rows shown again all use the same numbers as the items kept.
        kept = len(items)
        item: dict[str, Any] = {}
        for sub in spec.fields:
            posted = f"{spec.name}-{index}-{sub.name}"
            prefix = f"{spec.name}-{kept}-{sub.name}"
            typed = _typed(sub, form, posted)
            result.typed.update({prefix + k[len(posted) :]: v for k, v in typed.items()})
            try:
                item[sub.name] = read_value(sub, form, posted, today, units, result)
            except Invalid as problem:
                result.errors[prefix] = problem.problem
            if posted in result.notices and posted != prefix:
                result.notices[prefix] = result.notices.pop(posted)
        items.append(item)
    least = spec.least_items(answers)
    # A group that needs an item always shows one to fill in, even after its last was removed.
    result.counts[spec.name] = max(len(items), least)
    result.typed[f"{spec.name}-count"] = str(result.counts[spec.name])
    if len(items) < least:
        result.errors[spec.name] = (
            Problem(N_("Bạn hãy thêm ít nhất một mục."))
            if least == 1
            else Problem(N_("Bạn hãy ghi ít nhất %(count)s mục."), {"count": least})
        )
    result.values[spec.name] = items


def _cross_checks(step: StepSpec, result: StepResult, answers: Mapping[str, Any]) -> None:
    for spec in step.fields:
        if spec.order is None or spec.name in result.errors or not answers.get(spec.name):
            continue
        other, must_be, message = spec.order
        if not answers.get(other) or other in result.errors:
            continue
        mine, theirs = date.fromisoformat(answers[spec.name]), date.fromisoformat(answers[other])
        if (mine < theirs) if must_be == "after" else (mine >= theirs):
            result.errors[spec.name] = Problem(message, {"date": theirs.strftime("%d/%m/%Y")})
    for spec in step.fields:
        if spec.type != "cccd" or not spec.cccd_birth_field or spec.name in result.errors:
            continue
        number, born = answers.get(spec.name), answers.get(spec.cccd_birth_field)
        if number and born and validators.cccd_birth_year(number) != date.fromisoformat(born).year:
            result.errors[spec.name] = Problem(
                N_("Số CCCD này không khớp với năm sinh %(year)s. Bạn hãy kiểm tra lại."),
                {"year": date.fromisoformat(born).year},
            )


def late_notices(
    form: FormSpec, answers: Mapping[str, Any], today: date
) -> list[tuple[FieldSpec, Problem]]:
    """The notices the answers call for (a birth or death registered late), for the check page."""
    found = []
    for step in form.visible_steps(answers):
        for spec in step.visible_fields(answers):
            value = answers.get(spec.name)
            if spec.type != "date" or spec.late_after_days is None or not value:
                continue
            if (today - date.fromisoformat(value)).days > spec.late_after_days:
                message = spec.late_notice or N_("Đã quá thời hạn đăng ký.")
                found.append((spec, Problem(message, {"days": spec.late_after_days})))
    return found


def missing_answers(
    form: FormSpec, answers: Mapping[str, Any], files: Mapping[str, int]
) -> list[StepSpec]:
    """Visible steps with a required answer or upload still missing, in order."""
    incomplete = []
    for step in form.visible_steps(answers):
        for spec in step.visible_fields(answers):
            if not spec.is_required(answers):
                continue
            if spec.type == "upload":
                missing = files.get(spec.name, 0) == 0
            else:
                missing = answers.get(spec.name) in (None, "", [])
            if missing:
                incomplete.append(step)
                break
    return incomplete
