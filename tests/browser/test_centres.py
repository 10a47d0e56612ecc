"""Choosing one's centre in a real browser on a 320 px phone, JavaScript on and off.

The person opens the chooser, types their commune without accents, picks it, and from then
on every page (catalogue, procedure, checklist, lookup, resume) names that centre; an
administrator's edit of the centre's phone shows on those pages.
"""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.harness import PHONE
from tests.browser.harness import LiveServer
from tests.browser.harness import PageAudit
from tests.browser.harness import javascript_enabled

PASSWORD = "mat-khau-trinh-duyet-2026"
_accounts = itertools.count(1)
EVERY_PAGE = ["/", "/thu-tuc", "/thu-tuc?q=khai+sinh", "/thu-tuc/1.001193", "/tra-cuu", "/tiep-tuc"]


def test_a_person_chooses_their_centre_once_and_sees_it_on_every_page(
    page: Page, audit: PageAudit
) -> None:
    page.set_viewport_size(PHONE)
    audit.visit(page, "/")
    footer = page.locator("footer")
    expect(footer).to_contain_text("Xã Tân Sơn")  # nothing chosen: the portal's own commune
    with page.expect_navigation():
        page.get_by_role("link", name="Chọn Trung tâm của xã, phường bạn").click()
    expect(page).to_have_url(re.compile(r"/xa$"))
    expect(page.locator("#centres li")).to_have_count(148)
    audit.check(page)

    page.get_by_label("Tên xã, phường").fill("thanh ba")
    if javascript_enabled(page):
        # Filtered as the person types, the page stays; the URL follows for the back button.
        expect(page.locator("#centres li")).to_have_count(1)
        expect(page).to_have_url(re.compile(r"/xa\?q=thanh(\+|%20)ba$"))
    else:
        with page.expect_navigation():
            page.get_by_role("button", name="Tìm", exact=True).click()
        expect(page.locator("#centres li")).to_have_count(1)
    audit.check(page)

    with page.expect_navigation():
        page.locator("#centres").get_by_role("link", name="Xã Thanh Ba").click()
    expect(page).to_have_url(re.compile(r"/xa/8152$"))
    expect(page.locator("h1")).to_have_text("Trung tâm Phục vụ hành chính công Xã Thanh Ba")
    audit.check(page)

    for path in EVERY_PAGE:
        audit.visit(page, path)
        expect(page.locator(".brand-name")).to_contain_text("Xã Thanh Ba")
        expect(footer).to_contain_text("Xã Thanh Ba, Tỉnh Phú Thọ")
        expect(footer).not_to_contain_text("Tân Sơn")
        expect(footer.get_by_role("link", name="Chọn Trung tâm khác")).to_be_visible()
    audit.visit(page, "/thu-tuc/1.001193/in")
    expect(page.locator(".sheet-unit")).to_contain_text("Xã Thanh Ba")
    expect(page.locator(".url")).to_have_text(re.compile(r"/xa/8152/thu-tuc/1\.001193$"))


def test_an_administrator_changes_the_centres_phone_and_people_see_it(
    page: Page, audit: PageAudit, live_server: LiveServer
) -> None:
    name = f"quan-tri-xa-{next(_accounts)}-{'js' if javascript_enabled(page) else 'nojs'}"
    role = ("--role", "quan_tri", "--unit", "8152", "--password", PASSWORD)
    live_server.flask("create-user", name, *role)
    audit.visit(page, "/can-bo/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Thông tin Trung tâm").click()
    audit.check(page)
    phone = "0210 3885 1" + ("1" if javascript_enabled(page) else "2")
    page.get_by_label("Điện thoại").fill(phone)
    page.get_by_label("Giờ làm việc, thứ Hai đến thứ Sáu").fill("7:00-11:30, 13:30-17:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("[role=status]")).to_contain_text("Đã lưu")
    expect(page.locator("ul.changes")).to_contain_text(phone)
    audit.check(page)

    person = page.context.browser.new_context(
        base_url=live_server.url, java_script_enabled=javascript_enabled(page), viewport=PHONE
    )
    citizen = person.new_page()
    try:
        audit.visit(citizen, "/xa/thanh-ba")
        footer = citizen.locator("footer")
        # Each worker asks for changes every CATALOG_CHECK_SECONDS (5 s): within seconds.
        for _ in range(20):
            citizen.goto("/thu-tuc/1.001193")
            if phone in footer.inner_text():
                break
            citizen.wait_for_timeout(500)
        audit.check(citizen)
        expect(footer).to_contain_text(phone)
        expect(footer).to_contain_text("07:00–11:30, 13:30–17:00")
    finally:
        person.close()
