"""The back-office header names the province for its administrator, the commune for others."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.pages import check_page
from tests.pages import parse
from tests.staff import staff_client

TAN_HOA, THANH_BA = 4792, 8152


def header(page) -> tuple[str, str, str]:
    return (
        page.select_one(".brand-kind").get_text(" ", strip=True),
        page.select_one(".brand-name").get_text(" ", strip=True),
        page.select_one("title").get_text(strip=True).rsplit(" – ", 1)[1],
    )


@pytest.mark.parametrize("unit", [8566, THANH_BA])
def test_the_province_administrator_sees_the_province_whatever_unit_holds_the_account(
    app: Flask, unit: int
) -> None:
    province = staff_client(app, "quan_tri_tinh", unit=unit)
    for url in ("/can-bo/tinh/thong-ke", "/can-bo/nguoi-dung", "/can-bo/mat-khau"):
        page = parse(province.get(url))
        check_page(page)
        assert header(page) == (
            "Hệ thống một cửa điện tử",
            "Tỉnh Phú Thọ — quản trị tỉnh",
            "Tỉnh Phú Thọ",
        ), url
        assert "Xã Tân Sơn" not in page.select_one("header").get_text()
        # Nor a commune's address and hours in the footer: the province's name alone.
        footer = page.select_one("footer")
        assert footer.select_one(".foot-name").get_text(" ", strip=True) == (
            "Hệ thống một cửa điện tử · Tỉnh Phú Thọ"
        ), url
        assert "Địa chỉ" not in footer.get_text() and "Giờ làm việc" not in footer.get_text()


@pytest.mark.parametrize("role", ["quan_tri", "tiep_nhan"])
def test_commune_staff_keep_seeing_their_commune(app: Flask, role: str) -> None:
    page = parse(staff_client(app, role, unit=TAN_HOA).get("/can-bo/mat-khau"))
    assert header(page) == (
        "Trung tâm Phục vụ hành chính công",
        "Phường Tân Hòa · Tỉnh Phú Thọ",
        "Phường Tân Hòa",
    )
    assert "Phường Tân Hòa" in page.select_one("footer .foot-name").get_text()


def test_the_public_pages_are_unchanged_for_a_signed_in_province_administrator(
    app: Flask,
) -> None:
    province = staff_client(app, "quan_tri_tinh")
    page = parse(province.get("/thu-tuc"))
    assert header(page)[1] == "Xã Tân Sơn · Tỉnh Phú Thọ"  # the public's centre, as anyone's
