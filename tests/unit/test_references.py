"""Dossier codes and resume codes."""

from __future__ import annotations

from datetime import date

import pytest

from domain.references import RESUME_ALPHABET
from domain.references import dossier_code
from domain.references import format_resume_code
from domain.references import new_resume_code
from domain.references import normalize_dossier_code
from domain.references import normalize_resume_code


def test_dossier_code_format() -> None:
    assert dossier_code(8566, date(2026, 11, 28), 7) == "08566-261128-0007"


@pytest.mark.parametrize(
    "typed",
    [
        "08566-261128-0007",
        "08566 261128 0007",
        "085662611280007",
        " 08566–261128–0007 ",
        "08566.261128.0007",
    ],
)
def test_dossier_code_accepted_as_people_type_it(typed: str) -> None:
    assert normalize_dossier_code(typed) == "08566-261128-0007"


@pytest.mark.parametrize("typed", ["", "abc", "08566-261128-007", "8566-261128-0007x", "1" * 40])
def test_not_a_dossier_code(typed: str) -> None:
    assert normalize_dossier_code(typed) is None


def test_resume_codes_avoid_look_alike_characters() -> None:
    assert not set("0O1IL2Z5S8B") & set(RESUME_ALPHABET)
    codes = {new_resume_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(RESUME_ALPHABET) for c in codes)


def test_resume_code_typed_loosely() -> None:
    code = new_resume_code()
    spoken = format_resume_code(code).lower()
    assert " " in spoken
    assert normalize_resume_code(spoken) == code
    assert normalize_resume_code("ABCD-EFG0") is None


@pytest.mark.parametrize(
    "raw",
    [
        "٠٨٥٦٦-٢٦١١٢٨-٠٠٠١",
        "０８５６６２６１１２８０００１",
        "08566-261128-000１",
    ],
)
def test_a_dossier_code_is_ascii_digits(raw: str) -> None:
    assert normalize_dossier_code(raw) is None
