"""Choosing the centre while submitting, on a 320 px phone, with JavaScript on and off.

A boundary-free procedure, no centre chosen yet: the start page asks for one, the person types
their commune without accents and picks it, answers the form, and the check page, the
confirmation and the receipt name that centre, whatever commune they live in.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.harness import PHONE
from tests.browser.harness import LiveServer
from tests.browser.harness import PageAudit
from tests.browser.harness import javascript_enabled
from tests.browser.test_apply_flow import fill
from tests.browser.test_apply_flow import press
from tests.journeys import BAN_SAO

COPY = "2.000635"


@pytest.fixture
def boundary_free(live_server: LiveServer) -> Iterator[None]:
    def flag(value: int) -> None:
        with sqlite3.connect(live_server.folder / "browser.sqlite3") as db:
            db.execute("UPDATE procedures SET is_non_territorial = ? WHERE code = ?", (value, COPY))

    flag(1)
    try:
        yield
    finally:
        flag(0)


def test_a_person_chooses_the_centre_while_submitting(
    page: Page, audit: PageAudit, boundary_free: None
) -> None:
    js = javascript_enabled(page)
    page.set_viewport_size(PHONE)
    audit.visit(page, f"/nop-ho-so/{COPY}")
    choices = page.locator("#centre-list input[name=xa]")
    expect(choices).to_have_count(148)
    page.locator("#phone").fill("0912 345 678")
    page.get_by_label("Tên xã, phường").fill("thanh ba")
    if js:  # filtered as the person types, the page stays
        expect(choices).to_have_count(1)
    else:
        with page.expect_navigation():
            page.get_by_role("button", name="Tìm", exact=True).click()
        expect(choices).to_have_count(1)
        expect(page.locator("#phone")).to_have_value("0912 345 678")  # nothing typed is lost
    audit.check(page)
    page.get_by_label("Xã Thanh Ba").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu").click()
    expect(page.locator(".resume-code")).to_be_visible()
    audit.check(page)

    for _ in range(10):
        step = page.url.rsplit("/", 1)[-1]
        if step == "kiem-tra":
            break
        fill(page, BAN_SAO.get(step, {}))
        press(page, "Tiếp tục", js)
        expect(page).not_to_have_url(re.compile(f"/{step}$"))
    expect(page.locator("h1")).to_have_text("Kiểm tra lại trước khi gửi")
    centre = page.locator("#receiving-centre")
    expect(centre).to_contain_text("Xã Thanh Ba")
    audit.check(page)

    # Changed before sending: to another commune's centre, found without accents.
    with page.expect_navigation():
        centre.get_by_role("link", name="Đổi Trung tâm nhận hồ sơ").click()
    audit.check(page)
    page.get_by_label("Tên xã, phường").fill("tan son")
    if not js:
        with page.expect_navigation():
            page.get_by_role("button", name="Tìm", exact=True).click()
    own = page.locator("#xa-8566")  # the commune the person gave as their address comes first
    expect(page.locator("label[for=xa-8566]")).to_contain_text("Xã Tân Sơn (nơi bạn cư trú)")
    own.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Chọn Trung tâm này").click()
    expect(page.locator("#receiving-centre")).to_contain_text("Xã Tân Sơn")

    page.locator("#declaration-box").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi hồ sơ").click()
    expect(page.locator(".dossier-code")).to_have_text(re.compile(r"^08566-\d{6}-\d{4}$"))
    expect(page.locator("#receiving-centre")).to_contain_text("Xã Tân Sơn")
    audit.check(page)
