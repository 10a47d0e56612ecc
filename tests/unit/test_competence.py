"""Which unit an online dossier goes to: the competence rule and its place in the form spec."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from domain.formspec import FormSpecError
from domain.formspec import competent_unit
from domain.formspec import load_form
from domain.formspec import outside_province

PHU_THO, HA_NOI = 25, 1
TAN_SON, THANH_BA, BA_DINH = 8566, 8152, 4
FORMS = Path(__file__).resolve().parents[2] / "data" / "forms"

RAW = {
    "procedure": "9.000001",
    "title": "Thủ tục thử",
    "applicant_name": "name",
    "applicant_id": "cccd",
    "competent_address": "home",
    "steps": [
        {
            "id": "nguoi",
            "title": "Người yêu cầu",
            "fields": [
                {"name": "name", "type": "name", "label": "Họ tên"},
                {"name": "cccd", "type": "cccd", "label": "CCCD"},
                {"name": "has_other", "type": "yesno", "label": "Có người khác?"},
                {"name": "home", "type": "address", "label": "Nơi bạn đang cư trú"},
                {
                    "name": "other_home",
                    "type": "address",
                    "label": "Nơi người đó cư trú",
                    "when": {"field": "has_other", "equals": "co"},
                },
                {"name": "note", "type": "text", "label": "Ghi chú"},
            ],
        },
    ],
}


def at(unit: int, province: int = PHU_THO) -> dict:
    return {"province": province, "unit": unit, "detail": "Khu 3", "text": "…"}


@pytest.fixture
def form():
    return load_form(RAW, {})


def test_a_boundary_free_procedure_goes_to_the_centre_chosen(form) -> None:
    answers = {"home": at(TAN_SON)}
    assert competent_unit(form, answers, THANH_BA, PHU_THO, boundary_free=True) == THANH_BA
    elsewhere = {"home": at(BA_DINH, HA_NOI)}
    assert competent_unit(form, elsewhere, THANH_BA, PHU_THO, boundary_free=True) == THANH_BA
    assert not outside_province(form, "home", elsewhere["home"], PHU_THO, boundary_free=True)


def test_any_other_goes_to_the_commune_of_the_address_whatever_was_chosen(form) -> None:
    answers = {"home": at(THANH_BA), "other_home": at(TAN_SON)}
    assert competent_unit(form, answers, TAN_SON, PHU_THO, boundary_free=False) == THANH_BA
    assert competent_unit(form, answers, THANH_BA, PHU_THO, boundary_free=False) == THANH_BA


def test_until_the_address_is_given_the_chosen_centre_holds_it(form) -> None:
    assert competent_unit(form, {}, THANH_BA, PHU_THO, boundary_free=False) == THANH_BA
    typed_badly = {"home": "Khu 3, Tân Sơn"}  # never a clean answer: ignored, not trusted
    assert competent_unit(form, typed_badly, THANH_BA, PHU_THO, boundary_free=False) == THANH_BA


def test_only_the_deciding_address_in_another_province_is_refused(form) -> None:
    elsewhere = at(BA_DINH, HA_NOI)
    assert outside_province(form, "home", elsewhere, PHU_THO, boundary_free=False)
    assert not outside_province(form, "home", at(TAN_SON), PHU_THO, boundary_free=False)
    assert not outside_province(form, "other_home", elsewhere, PHU_THO, boundary_free=False)
    answers = {"home": elsewhere}  # never kept, but if it were: never another province's unit
    assert competent_unit(form, answers, TAN_SON, PHU_THO, boundary_free=False) == TAN_SON


def test_a_form_without_a_deciding_address_goes_to_the_centre_chosen() -> None:
    raw = copy.deepcopy(RAW)
    del raw["competent_address"]
    form = load_form(raw, {})
    answers = {"home": at(THANH_BA)}
    assert competent_unit(form, answers, TAN_SON, PHU_THO, boundary_free=False) == TAN_SON
    assert form.competent_field is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("nowhere", "is not a field of a step"),
        ("note", "is a text field, not an address"),
        ("other_home", "required and asked of everyone"),
        (["home"], "is not a field of a step"),
    ],
)
def test_a_deciding_address_that_is_not_always_asked_is_refused_on_load(name, words) -> None:
    raw = copy.deepcopy(RAW)
    raw["competent_address"] = name
    with pytest.raises(FormSpecError, match=words):
        load_form(raw, {})


def test_an_optional_deciding_address_is_refused_on_load() -> None:
    raw = copy.deepcopy(RAW)
    raw["steps"][0]["fields"][3]["required"] = False
    with pytest.raises(FormSpecError, match="required and asked of everyone"):
        load_form(raw, {})


@pytest.mark.parametrize("path", sorted(FORMS.glob("[0-9]*.json")), ids=lambda p: p.stem)
def test_every_form_names_the_address_that_decides_competence(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    fields = {f["name"]: f for s in raw["steps"] for f in s["fields"]}
    assert fields[raw["competent_address"]]["type"] == "address"
