"""Forms as data: what a definition may say, and how a posted step is read."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from domain.formspec import FormSpecError
from domain.formspec import load_form
from domain.formspec import missing_answers
from domain.formspec import read_step

DOCUMENTS = {"DOC-SUBMIT": "submit", "DOC-PRESENT": "present", "DOC-NOTE": "note"}
TODAY = date(2026, 11, 28)

RAW = {
    "procedure": "9.000001",
    "title": "Thủ tục thử",
    "applicant_name": "name",
    "applicant_id": "cccd",
    "steps": [
        {
            "id": "nguoi",
            "title": "Người yêu cầu",
            "fields": [
                {"name": "name", "type": "name", "label": "Họ tên"},
                {"name": "born", "type": "date", "label": "Ngày sinh", "past": True, "min_age": 18},
                {"name": "cccd", "type": "cccd", "label": "CCCD", "cccd_birth_field": "born"},
                {
                    "name": "for_whom",
                    "type": "choice",
                    "label": "Bạn nộp cho ai?",
                    "options": [
                        {"value": "me", "label": "Tôi"},
                        {"value": "other", "label": "Người khác"},
                    ],
                },
                {
                    "name": "other_name",
                    "type": "name",
                    "label": "Tên người đó",
                    "when": {"field": "for_whom", "equals": "other"},
                },
                {"name": "email", "type": "email", "label": "Thư", "required": False},
            ],
        },
        {
            "id": "uy-quyen",
            "title": "Giấy ủy quyền",
            "when": {"field": "for_whom", "equals": "other"},
            "fields": [
                {
                    "name": "authorisation",
                    "type": "upload",
                    "label": "Ủy quyền",
                    "document": "DOC-SUBMIT",
                }
            ],
        },
        {
            "id": "lan-truoc",
            "title": "Các lần kết hôn trước",
            "fields": [
                {
                    "name": "previous",
                    "type": "group",
                    "label": "Lần kết hôn trước",
                    "required": False,
                    "min_items": 0,
                    "fields": [
                        {"name": "spouse", "type": "name", "label": "Họ tên vợ hoặc chồng cũ"},
                        {"name": "ended", "type": "date", "label": "Ngày chấm dứt", "past": True},
                    ],
                }
            ],
        },
        {
            "id": "sinh",
            "title": "Trẻ",
            "fields": [
                {
                    "name": "birth",
                    "type": "date",
                    "label": "Ngày sinh",
                    "past": True,
                    "late_after_days": 60,
                    "late_notice": "Muộn",
                }
            ],
        },
    ],
}


class Units:
    def province_name(self, code: int) -> str | None:
        return {25: "Tỉnh Phú Thọ"}.get(code)

    def unit_name(self, code: int, province: int) -> str | None:
        return {(8566, 25): "Xã Tân Sơn"}.get((code, province))


@pytest.fixture
def form():
    return load_form(RAW, DOCUMENTS)


def broken(change) -> dict:
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda r: r["steps"][0]["fields"][0].update(type="colour"), "unknown type"),
        (
            lambda r: r["steps"][0]["fields"][4].update(when={"field": "later", "equals": "x"}),
            "not asked before",
        ),
        (lambda r: r["steps"][1]["fields"][0].update(document="DOC-NOTE"), "is a note"),
        (lambda r: r["steps"][1]["fields"][0].update(document="DOC-NOWHERE"), "not a document"),
        (lambda r: r["steps"][1].update(id="kiem-tra"), "another page"),
        (lambda r: r["steps"][2].update(id="nguoi"), "unique id"),
        (lambda r: r["steps"][0]["fields"][1].update(name="name"), "used twice"),
        (lambda r: r.update(applicant_id="nobody"), "applicant_id"),
        (
            lambda r: r["steps"][0]["fields"][3].update(options=[{"value": "x", "label": "X"}]),
            "two options",
        ),
    ],
)
def test_bad_definitions_are_refused_when_loaded(change, words: str) -> None:
    with pytest.raises(FormSpecError, match=words):
        load_form(broken(change), DOCUMENTS)


def test_present_documents_may_be_upload_slots() -> None:
    raw = broken(lambda r: r["steps"][1]["fields"][0].update(document="DOC-PRESENT"))
    assert load_form(raw, DOCUMENTS).upload_fields()[0].document == "DOC-PRESENT"


def test_common_steps_come_first(form) -> None:
    common = [
        {
            "id": "nguoi-dien",
            "title": "Ai điền",
            "fields": [{"name": "filler", "type": "text", "label": "Ai"}],
        }
    ]
    spec = load_form(RAW, DOCUMENTS, common)
    assert [s.id for s in spec.steps][:2] == ["nguoi-dien", "nguoi"]


def test_steps_follow_answers(form) -> None:
    assert [s.id for s in form.visible_steps({"for_whom": "me"})] == ["nguoi", "lan-truoc", "sinh"]
    assert [s.id for s in form.visible_steps({"for_whom": "other"})][1] == "uy-quyen"
    assert form.next_step("nguoi", {"for_whom": "me"}).id == "lan-truoc"
    assert form.previous_step("lan-truoc", {"for_whom": "other"}).id == "uy-quyen"
    assert form.next_step("sinh", {}) is None


GOOD = {
    "name": "Nguyễn Thị Lan",
    "born-ngay": "5",
    "born-thang": "9",
    "born-nam": "1990",
    "cccd": "025190001234",
    "for_whom": "me",
}


def test_a_good_step_gives_clean_values(form) -> None:
    result = read_step(form.steps[0], GOOD, {}, TODAY, Units())
    assert result.ok, result.errors
    assert result.values == {
        "name": "Nguyễn Thị Lan",
        "born": "1990-09-05",
        "cccd": "025190001234",
        "for_whom": "me",
        "email": None,
    }
    assert "other_name" not in result.values  # hidden by the answer on the same page


def test_errors_are_by_field_and_everything_typed_is_kept(form) -> None:
    posted = {**GOOD, "cccd": "12345", "born-ngay": "31", "born-thang": "2", "for_whom": "other"}
    result = read_step(form.steps[0], posted, {}, TODAY, Units())
    assert set(result.errors) == {"cccd", "born", "other_name"}
    assert result.values["name"] == "Nguyễn Thị Lan"
    assert result.typed["cccd"] == "12345" and result.typed["born-ngay"] == "31"


def test_cccd_must_fit_the_year_of_birth(form) -> None:
    result = read_step(form.steps[0], {**GOOD, "cccd": "025185001234"}, {}, TODAY, Units())
    assert "1990" in result.errors["cccd"].message % result.errors["cccd"].params


def test_minimum_age(form) -> None:
    result = read_step(
        form.steps[0], {**GOOD, "born-nam": "2010", "cccd": "025210001234"}, {}, TODAY, Units()
    )
    assert "18" in result.errors["born"].message % result.errors["born"].params


def test_late_date_is_a_notice_not_an_error(form) -> None:
    late = {"birth-ngay": "1", "birth-thang": "1", "birth-nam": "2026"}
    result = read_step(form.steps[3], late, {}, TODAY, Units())
    assert result.ok and result.notices["birth"].message == "Muộn"
    recent = {"birth-ngay": "1", "birth-thang": "11", "birth-nam": "2026"}
    assert not read_step(form.steps[3], recent, {}, TODAY, Units()).notices


def test_repeatable_group_with_a_removed_item(form) -> None:
    posted = {
        "previous-0-spouse": "Trần Văn Bình",
        "previous-0-ended-ngay": "1",
        "previous-0-ended-thang": "2",
        "previous-0-ended-nam": "2015",
        "previous-1-spouse": "",
        "previous-1-bo": "co",
    }
    result = read_step(form.steps[2], posted, {}, TODAY, Units(), {"previous": 2})
    assert result.ok, result.errors
    assert result.values["previous"] == [{"spouse": "Trần Văn Bình", "ended": "2015-02-01"}]


def test_items_after_a_removed_one_move_up_with_their_typing_and_messages(form) -> None:
    posted = {
        "previous-count": "2",
        "previous-0-spouse": "Trần Văn Một",
        "previous-0-bo": "co",
        "previous-1-spouse": "Trần Văn Hai",
    }
    result = read_step(form.steps[2], posted, {}, TODAY, Units(), {"previous": 2})
    assert set(result.errors) == {"previous-0-ended"}
    assert result.counts == {"previous": 1}
    assert result.typed["previous-0-spouse"] == "Trần Văn Hai"
    assert not any(key.startswith("previous-1-") for key in result.typed)
    assert result.values["previous"] == [{"spouse": "Trần Văn Hai"}]


def test_missing_answers_point_at_steps(form) -> None:
    answers = {"name": "An", "born": "1990-01-01", "cccd": "025190001234", "for_whom": "other"}
    answers.update(other_name="Lê Văn Tư", birth="2026-11-01")
    missing = missing_answers(form, answers, {})
    assert [s.id for s in missing] == ["uy-quyen"]
    assert missing_answers(form, answers, {"authorisation": 1}) == []


def test_a_group_can_be_required_only_after_some_answers() -> None:
    raw = broken(
        lambda r: r["steps"][2]["fields"][0].update(
            required_when={"field": "for_whom", "equals": "other"}
        )
    )
    spec = load_form(raw, DOCUMENTS)
    step = spec.step("lan-truoc")
    assert read_step(step, {}, {"for_whom": "me"}, TODAY, Units(), {"previous": 0}).ok
    needed = read_step(step, {}, {"for_whom": "other"}, TODAY, Units(), {"previous": 0})
    assert set(needed.errors) == {"previous"} and needed.counts == {"previous": 1}
    answers = {"name": "An", "born": "1990-01-01", "cccd": "025190001234", "birth": "2026-11-01"}
    answers.update(for_whom="other", other_name="Lê Văn Tư", previous=[])
    assert "lan-truoc" in [s.id for s in missing_answers(spec, answers, {"authorisation": 1})]


def test_a_step_whose_every_question_is_hidden_is_skipped(form) -> None:
    raw = broken(lambda r: r["steps"][1].pop("when"))
    raw["steps"][1]["fields"][0]["when"] = {"field": "for_whom", "equals": "other"}
    spec = load_form(raw, DOCUMENTS)
    assert "uy-quyen" not in [s.id for s in spec.visible_steps({"for_whom": "me"})]
    assert "uy-quyen" in [s.id for s in spec.visible_steps({"for_whom": "other"})]


def test_a_date_can_be_checked_against_an_earlier_one() -> None:
    def add_order(raw: dict) -> None:
        raw["steps"][3]["fields"][0]["order"] = {
            "field": "born",
            "must_be": "after",
            "message": "Trước ngày sinh %(date)s",
        }

    spec = load_form(broken(add_order), DOCUMENTS)
    answers = {"born": "1990-09-05"}
    early = {"birth-ngay": "1", "birth-thang": "1", "birth-nam": "1990"}
    result = read_step(spec.step("sinh"), early, answers, TODAY, Units())
    assert result.errors["birth"].params == {"date": "05/09/1990"}
    fine = {"birth-ngay": "1", "birth-thang": "11", "birth-nam": "2026"}
    assert read_step(spec.step("sinh"), fine, answers, TODAY, Units()).ok
    with pytest.raises(FormSpecError, match="order"):
        load_form(
            broken(lambda r: r["steps"][0]["fields"][1].update(order={"field": "birth"})),
            DOCUMENTS,
        )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda r: r["steps"][0]["fields"][5].update(requried=False),
            r"9\.000001/nguoi\.email: unknown key 'requried' in a field of type 'email'",
        ),
        (
            lambda r: r["steps"][0]["fields"][0].update(min=3),
            r"9\.000001/nguoi\.name: unknown key 'min' in a field of type 'name'",
        ),
        (
            lambda r: r["steps"][2]["fields"][0]["fields"][0].update(lable="Tên"),
            r"9\.000001/lan-truoc\.previous\.spouse: unknown key 'lable'",
        ),
        (lambda r: r["steps"][1].update(titel="x"), r"9\.000001/uy-quyen: unknown key 'titel'"),
        (lambda r: r.update(aplicant_email="email"), r"9\.000001: unknown key 'aplicant_email'"),
        (
            lambda r: r["steps"][0]["fields"][3]["options"][0].update(lable="Tôi"),
            r"9\.000001/nguoi\.for_whom: unknown key 'lable' in an option",
        ),
        (
            lambda r: r["steps"][0]["fields"][4]["when"].update(equal="other"),
            r"9\.000001/nguoi\.other_name: unknown key 'equal' in 'when'",
        ),
        (
            lambda r: r["steps"][0]["fields"][5].update(required="false"),
            r"9\.000001/nguoi\.email: 'required' is true or false",
        ),
    ],
)
def test_unknown_keys_are_refused_with_the_form_step_and_field(change, words: str) -> None:
    with pytest.raises(FormSpecError, match=words):
        load_form(broken(change), DOCUMENTS)


def test_comment_keys_are_allowed() -> None:
    raw = broken(lambda r: r["steps"][0]["fields"][0].update(_note="why this field"))
    raw["_note"] = "about the form"
    assert load_form(raw, DOCUMENTS).steps[0].fields[0].name == "name"


def test_cccd_birth_field_must_name_a_date_field() -> None:
    raw = broken(lambda r: r["steps"][0]["fields"][2].update(cccd_birth_field="name"))
    with pytest.raises(FormSpecError, match=r"9\.000001/nguoi\.cccd: .*'name' is a name field"):
        load_form(raw, DOCUMENTS)
    raw = broken(lambda r: r["steps"][0]["fields"][2].update(cccd_birth_field="nobody"))
    with pytest.raises(FormSpecError, match=r"9\.000001/nguoi\.cccd: .*'nobody' is not a field"):
        load_form(raw, DOCUMENTS)


@pytest.mark.parametrize(
    ("items", "words"),
    [
        ({"min_items": 3, "max_items": 2}, r"min_items \(3\) .* at most max_items \(2\)"),
        ({"min_items": -1}, r"min_items \(-1\) must be 0 or more"),
        ({"max_items": 0, "min_items": 0}, "max_items"),
        ({"max_items": "5"}, "whole numbers"),
    ],
)
def test_group_item_limits_must_make_sense(items: dict, words: str) -> None:
    raw = broken(lambda r: r["steps"][2]["fields"][0].update(items))
    with pytest.raises(FormSpecError, match=rf"9\.000001/lan-truoc\.previous: .*{words}"):
        load_form(raw, DOCUMENTS)


def test_option_values_are_unique() -> None:
    def twice(raw: dict) -> None:
        raw["steps"][0]["fields"][3]["options"].append({"value": "me", "label": "Chính tôi"})

    with pytest.raises(FormSpecError, match=r"9\.000001/nguoi\.for_whom: .*'me' is used twice"):
        load_form(broken(twice), DOCUMENTS)


def test_number_limits_must_make_sense() -> None:
    def numbers(raw: dict) -> None:
        raw["steps"][3]["fields"].append(
            {"name": "copies", "type": "number", "label": "Số bản", "min": 5, "max": 1}
        )

    with pytest.raises(FormSpecError, match=r"9\.000001/sinh\.copies: min \(5\) is more"):
        load_form(broken(numbers), DOCUMENTS)


def test_every_real_form_loads(app) -> None:
    from services.forms import FORMS
    from services.forms import form_for

    with app.app_context():
        codes = [p.stem for p in FORMS.glob("*.json") if not p.stem.startswith("_")]
        assert len(codes) >= 5
        for code in codes:
            assert form_for(code).procedure == code


def test_a_group_field_is_not_compared_with_other_answers() -> None:
    raw = broken(
        lambda r: r["steps"][2]["fields"][0]["fields"][1].update(
            order={"field": "born", "must_be": "after", "message": "Sau %(date)s"}
        )
    )
    with pytest.raises(FormSpecError, match=r"9\.000001/lan-truoc\.previous: .*cannot have order"):
        load_form(raw, DOCUMENTS)
