"""Checks on what people type."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from domain import validators
from domain.messages import Invalid

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "typed", ["025190001234", "025 190 001 234", "025.190.001.234", " 001099012345 "]
)
def test_cccd_accepts_twelve_digits_with_a_province_prefix(typed: str) -> None:
    assert len(validators.cccd(typed)) == 12


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("02519000123", "12 chữ số"),
        ("0251900012345", "12 chữ số"),
        ("003190001234", "mã tỉnh"),  # 003 is no province
        ("099190001234", "mã tỉnh"),
        ("02519000123a", "chữ số"),
        ("", "chữ số"),
    ],
)
def test_cccd_refuses_with_a_reason(typed: str, words: str) -> None:
    with pytest.raises(Invalid) as caught:
        validators.cccd(typed)
    assert words in str(caught.value)


def test_every_province_of_today_is_a_cccd_prefix() -> None:
    provinces = json.loads((ROOT / "data" / "divisions" / "nested-divisions.json").read_text())
    assert {f"{p['code']:03d}" for p in provinces} <= validators.CCCD_PROVINCES
    assert len(validators.CCCD_PROVINCES) == 63


def test_cccd_birth_year() -> None:
    assert validators.cccd_birth_year("025190001234") == 1990  # 1 = female, 1900s
    assert validators.cccd_birth_year("025205001234") == 2005  # 2 = male, 2000s


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("035.123.4567", "0351234567"),
    ],
)
def test_phone_is_normalised(typed: str, clean: str) -> None:
    assert validators.phone(typed) == clean


@pytest.mark.parametrize(
    "typed", ["0212345678", "091234567", "09123456789", "0912abc678", "1900 1234"]
)
def test_phone_refuses_non_mobile_numbers(typed: str) -> None:
    with pytest.raises(Invalid):
        validators.phone(typed)


@pytest.mark.parametrize(
    "typed", ["Nguyễn Văn An", "  đinh   thị   hoà ", "H'Hen Niê", "Y-Moan Ênuôl", "Lò Văn Páo"]
)
def test_names_in_vietnamese_letters(typed: str) -> None:
    assert "  " not in validators.person_name(typed)


@pytest.mark.parametrize("typed", ["Nguyễn Văn 2", "An@", "<b>An</b>", "A", "x" * 101])
def test_names_refuse_digits_and_symbols(typed: str) -> None:
    with pytest.raises(Invalid):
        validators.person_name(typed)


@pytest.mark.parametrize(
    "typed", ["H'Hen Niê", "Lò Thị Hoa", "Ksor Y Đăng", "ĐẶNG THỊ HƯỜNG", "Hà Thị Ngọc Ửng"]
)
def test_minority_and_capitalised_names_stay_valid(typed: str) -> None:
    assert validators.person_name(typed) == typed


@pytest.mark.parametrize("typed", ["Иван Петров", "张伟", "Nguyễn Văn Ωmega", "Kim 민준"])
def test_names_in_other_scripts_are_refused_in_vietnamese(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        validators.person_name(typed)
    assert "chữ tiếng Việt" in refused.value.problem.message


def test_email() -> None:
    assert validators.email(" An.Nguyen@Gmail.com ") == "an.nguyen@gmail.com"
    with pytest.raises(Invalid):
        validators.email("an.nguyen@gmail")


def test_dates_typed_in_three_boxes() -> None:
    assert validators.day("5", "9", "2026") == date(2026, 9, 5)
    assert validators.day("05", "09", "2026") == date(2026, 9, 5)


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        (("31", "2", "2026"), "không có trên lịch"),
        (("29", "2", "2025"), "không có trên lịch"),
        (("1", "13", "2026"), "Tháng"),
        (("1", "1", "26"), "4 chữ số"),
        (("1", "", "2026"), "đủ ngày, tháng và năm"),
        (("", "", ""), "nhập ngày"),
        (("a", "1", "2026"), "chữ số"),
        (("²", "1", "2026"), "chữ số"),
        (("1", "①", "2026"), "chữ số"),
        (("1", "1", "２０２６"), "chữ số"),
        (("99999999999999999999999", "1", "2026"), "Ngày phải từ 1 đến 31"),
        (("9" * 4301, "1", "2026"), "Ngày phải từ 1 đến 31"),
        (("0", "1", "2026"), "Ngày phải từ 1 đến 31"),
        (("1", "9" * 5000, "2026"), "Tháng"),
    ],
)
def test_broken_dates_get_a_clear_message(parts: tuple[str, str, str], words: str) -> None:
    with pytest.raises(Invalid) as caught:
        validators.day(*parts)
    assert words in str(caught.value)


def test_no_birth_in_the_future() -> None:
    today = date(2026, 11, 28)
    assert validators.not_in_future(date(2026, 11, 28), today)
    with pytest.raises(Invalid):
        validators.not_in_future(date(2026, 11, 29), today)


def test_age() -> None:
    assert validators.age_on(date(2006, 11, 28), date(2026, 11, 28)) == 20
    assert validators.age_on(date(2006, 11, 29), date(2026, 11, 28)) == 19


@pytest.mark.parametrize("raw", ["0912345²78", "091234567٨", "０９１２３４５６７８"])
def test_a_phone_number_is_ascii_digits(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        validators.phone(raw)
    assert "chỉ gồm chữ số" in str(caught.value)


@pytest.mark.parametrize("raw", ["02519500123²", "٠٢٥١٩٥٠١٢٣٤٥"])
def test_a_cccd_is_ascii_digits(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        validators.cccd(raw)
    assert "chỉ gồm chữ số" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "words"), [("²", "nhập một số"), ("①②③", "nhập một số"), ("9" * 4301, "lớn nhất")]
)
def test_numbers_are_ascii_digits_and_bounded(raw: str, words: str) -> None:
    with pytest.raises(Invalid) as caught:
        validators.number(raw, 1, 10)
    assert words in str(caught.value)


def test_control_characters_are_dropped_and_spacing_ones_become_spaces() -> None:
    assert validators.without_controls("Hà\x00 Mai\x1b\x7f") == "Hà Mai"
    assert validators.without_controls("dòng\r\n\tmột\x0bhai\x1fba") == "dòng\r\n\tmột hai ba"
