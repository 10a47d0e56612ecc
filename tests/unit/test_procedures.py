"""Reading published procedure records and their traps."""

from __future__ import annotations

import unicodedata

import pytest

from domain.changelog import limit_detail
from domain.changelog import parse_limit_detail
from domain.messages import Invalid
from domain.procedures import PrintedList
from domain.procedures import TimeLimit
from domain.procedures import check_time_limit
from domain.procedures import clean_text
from domain.procedures import document_group
from domain.procedures import fees
from domain.procedures import fit_for_print
from domain.procedures import longest_working_days
from domain.procedures import shorten
from domain.procedures import time_limits


def test_case_time_wins_when_the_channel_says_other() -> None:
    cases = [TimeLimit(1, "WORKING_DAY", "1.001193.02"), TimeLimit(1, "WORKING_DAY", "1.001193.01")]
    assert time_limits(1, "OTHER", cases) == [TimeLimit(1, "WORKING_DAY", "1.001193.01")]


def test_channel_time_is_used_when_it_has_a_real_unit() -> None:
    assert time_limits(3, "WORKING_DAY", [TimeLimit(5, "DAY", "x.01")]) == [
        TimeLimit(3, "WORKING_DAY")
    ]


def test_different_case_times_are_all_shown_once() -> None:
    cases = [
        TimeLimit(5, "WORKING_DAY", "1.000656.01"),
        TimeLimit(2, "DAY", "1.000656.03"),
        TimeLimit(1, "DAY", "1.000656.02"),
        TimeLimit(1, "DAY", "1.000656.04"),
    ]
    shown = time_limits(1, "OTHER", cases)
    assert [(t.qty, t.unit) for t in shown] == [(5, "WORKING_DAY"), (1, "DAY"), (2, "DAY")]
    assert longest_working_days(shown) == TimeLimit(5, "WORKING_DAY", "1.000656.01")


def test_no_usable_time_gives_nothing() -> None:
    assert time_limits(None, "", [TimeLimit(0, "OTHER", "a")]) == []
    assert longest_working_days([]) is None


def test_amount_drops_a_needless_decimal() -> None:
    assert TimeLimit(3.0, "DAY").amount == 3
    assert TimeLimit(0.5, "DAY").amount == 0.5


def test_notes_are_never_documents_to_submit() -> None:
    assert document_group("* Lưu ý:", 1, 0) == "note"
    assert document_group("* Giấy tờ phải nộp:", 0, 0) == "note"
    assert document_group("* Giấy tờ phải xuất trình:", 1, 0) == "present"
    assert document_group("* Giấy tờ phải nộp:", 1, 1) == "submit"


def test_fees_keep_the_text_that_a_zero_hides_and_drop_duplicates() -> None:
    raw = [
        {"type": "FEE", "value_vnd": 0, "description": "Mức lệ phí do HĐND tỉnh quyết định."},
        {"type": "FEE", "value_vnd": 0, "description": "Mức lệ phí do HĐND tỉnh quyết định."},
        {"type": "FEE", "value_vnd": 8000, "description": ""},
        {"type": "FEE", "value_vnd": None, "description": None},
    ]
    result = fees(raw)
    assert len(result) == 3
    assert result[0].description.startswith("Mức lệ phí")
    assert result[1].amount_vnd == 8000
    assert result[2].is_zero_without_text


def test_clean_text_drops_bullets_and_space_runs() -> None:
    assert clean_text("- Giấy   chứng sinh\n\n+ Tờ khai  ") == "Giấy chứng sinh\nTờ khai"


def test_clean_text_composes_decomposed_letters() -> None:
    # As in the crawl's steps for 1.001193: "hoặc Ứng dụng" typed with combining marks.
    decomposed = unicodedata.normalize("NFD", "hoặc Ứng dụng định danh")
    assert decomposed != "hoặc Ứng dụng định danh"
    assert clean_text(decomposed) == unicodedata.normalize("NFC", "hoặc Ứng dụng định danh")


def test_shorten_cuts_at_a_word_and_marks_the_cut() -> None:
    assert shorten("Giấy  khai sinh", 40) == "Giấy khai sinh"
    assert shorten("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu", 30) == (
        "Giấy chứng nhận quyền sử dụng…"
    )
    assert len(shorten("x" * 500, 100)) == 100


def test_a_long_official_list_prints_its_first_items_and_counts_the_rest() -> None:
    printed = fit_for_print(["a" * 100, "b" * 500, "c" * 50, "d" * 50], 350, 200, 20)
    assert printed.texts == ["a" * 100, "b" * 199 + "…"]
    assert printed.left_out == 2 and printed.shortened


def test_a_short_list_prints_whole_and_the_first_item_always() -> None:
    assert fit_for_print(["a", "b"], 300, 200, 20) == PrintedList(["a", "b"], 0, False)
    assert fit_for_print(["a" * 900], 100, 200, 20).texts == ["a" * 199 + "…"]
    assert fit_for_print([], 100, 200, 20) == PrintedList([], 0, False)


@pytest.mark.parametrize("raw", ["", "-1", "1.5", "1,5", "3²", "٣", "251", "99999999999"])
def test_a_time_limit_is_a_whole_number_from_one(raw: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_time_limit(raw, "WORKING_DAY")
    assert refused.value.field == "so"


def test_a_time_limit_has_a_known_unit() -> None:
    assert check_time_limit(" 03 ", "WORKING_DAY") == TimeLimit(3, "WORKING_DAY")
    # 0 is a same-day procedure (trong ngày), as chứng thực is: not a missing limit.
    assert check_time_limit("0", "WORKING_DAY") == TimeLimit(0, "WORKING_DAY")
    assert check_time_limit("250", "MONTH") == TimeLimit(250, "MONTH")
    for unit in ("", "OTHER", "YEAR", None):
        with pytest.raises(Invalid) as refused:
            check_time_limit("3", unit)
        assert refused.value.field == "don-vi"


def test_a_logged_limit_reads_back() -> None:
    detail = limit_detail("DIRECT", "1.001022.01", 3, "WORKING_DAY")
    assert parse_limit_detail(detail) == ("DIRECT", "1.001022.01", 3, "WORKING_DAY")
    assert parse_limit_detail("Đăng ký khai sinh") is None
