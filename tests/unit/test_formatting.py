"""Money, dates, opening hours and SMS texts, written the Vietnamese way."""

from __future__ import annotations

from datetime import date

import pytest

from domain import workflow
from domain.formatting import day
from domain.formatting import money
from domain.formatting import parse_hours
from domain.formatting import sms


def test_money_groups_thousands_with_dots() -> None:
    assert money(20000) == "20.000 đ"
    assert money(0) == "0 đ"
    assert money(1250000) == "1.250.000 đ"


def test_day_is_dd_mm_yyyy() -> None:
    assert day(date(2026, 4, 5)) == "05/04/2026"
    assert day(None) == ""


def test_hours() -> None:
    assert parse_hours("07:30-11:30, 13:30-17:00") == [("07:30", "11:30"), ("13:30", "17:00")]
    assert parse_hours("nonsense,,") == []


# A commune's own address (45 characters) and the status page of one dossier on it.
LINK = "Xem: https://xa-tan-son.phutho.dichvucong.gov.vn/tra-cuu?ma=08566-261128-0001"


@pytest.mark.parametrize("status", list(workflow.Status))
def test_a_long_sms_is_shortened_but_keeps_the_whole_link(status: workflow.Status) -> None:
    text = (
        f"Hồ sơ 08566-261128-0001: {workflow.STATUS_LABELS[status]}. "
        "Xin lỗi vì chậm; hẹn lại ngày 04/12/2026. Cần bổ sung trước ngày 11/12/2026. "
        "Mời đến nhận kết quả."
    )
    message = sms(text, LINK)
    assert len(message) <= 160 and message.isascii()
    assert message.endswith(
        " Xem: https://xa-tan-son.phutho.dichvucong.gov.vn/tra-cuu?ma=08566-261128-0001"
    )
    assert message.startswith("Ho so 08566-261128-0001")
    head = message.removesuffix(" " + LINK)
    assert head.endswith("..") and not head.endswith(" ..")  # cut at a word, and says so


def test_a_short_sms_is_left_whole() -> None:
    assert sms("Hồ sơ 08566-261128-0001:\n  Đã trả kết quả.", LINK) == (
        "Ho so 08566-261128-0001: Da tra ket qua. " + LINK
    )
    assert sms("Đã trả   kết quả.") == "Da tra ket qua."


def test_a_link_too_long_for_any_text_is_sent_alone_not_cut() -> None:
    link = "https://" + "a" * 170
    assert sms("Hồ sơ 08566-261128-0001: Đã trả kết quả.", link) == link
