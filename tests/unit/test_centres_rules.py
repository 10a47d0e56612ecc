"""A centre's settings as an administrator types them, and the short names of units."""

from __future__ import annotations

import pytest

from domain import centres
from domain.messages import Invalid


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("07:30-11:30,13:30-17:00", "07:30-11:30,13:30-17:00"),
        ("7:30 - 11:30; 13h30 – 17h00", "07:30-11:30,13:30-17:00"),
        ("7.00 đến 11.30", "07:00-11:30"),
        ("08:00-17:00,", "08:00-17:00"),
    ],
)
def test_opening_hours_are_kept_in_one_spelling(typed: str, kept: str) -> None:
    assert centres.check_hours(typed) == kept


@pytest.mark.parametrize(
    "typed", ["sáng", "7:30", "11:30-07:30", "07:30-11:30,11:00-17:00", "25:00-26:00", ","]
)
def test_hours_that_do_not_make_a_day_are_refused(typed: str) -> None:
    with pytest.raises(Invalid):
        centres.check_hours(typed)


@pytest.mark.parametrize(
    "typed", ["1800 1096", "0210 3846 123", "(0210) 3.846.123", "+84 210 3846"]
)
def test_office_lines_are_kept_as_written(typed: str) -> None:
    assert centres.check_phone(typed) == typed


@pytest.mark.parametrize("typed", ["gọi anh Nam", "12", "0" * 16, "0210\u00a03846"])
def test_a_phone_that_is_not_a_number_is_refused(typed: str) -> None:
    if typed == "0210\u00a03846":  # a no-break space is a space once collapsed
        assert centres.check_phone(typed) == "0210 3846"
        return
    with pytest.raises(Invalid):
        centres.check_phone(typed)


@pytest.mark.parametrize(
    "typed",
    ["javascript:alert(1)", "thanhba.vn", "https://", "https://a.vn/?x=1", "https://a.vn/#x"],
)
def test_a_public_address_is_an_http_address_without_query(typed: str) -> None:
    with pytest.raises(Invalid):
        centres.check_public_url(typed)
    assert centres.check_public_url("https://thanhba.phutho.gov.vn/") == (
        "https://thanhba.phutho.gov.vn"
    )


@pytest.mark.parametrize(
    ("name", "short", "full"),
    [
        ("Xã Thanh Ba", "thanh-ba", "xa-thanh-ba"),
        ("Phường Việt Trì", "viet-tri", "phuong-viet-tri"),
        ("Đặc khu Côn Đảo", "con-dao", "dac-khu-con-dao"),
        ("Phường Tân Hoà", "tan-hoa", "phuong-tan-hoa"),
    ],
)
def test_units_have_short_names_without_accents(name: str, short: str, full: str) -> None:
    assert (centres.short_slug(name), centres.slug(name)) == (short, full)
