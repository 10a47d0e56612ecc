"""The province's figures on an office screen (1366×768), JavaScript on and off."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.harness import LiveServer
from tests.browser.harness import PageAudit

PASSWORD = "mat-khau-trinh-duyet-2026"
OFFICE_SCREEN = {"width": 1366, "height": 768}


def test_the_province_figures_on_an_office_screen(
    page: Page, audit: PageAudit, live_server: LiveServer
) -> None:
    name = f"tinh-{id(page)}"
    live_server.flask(
        "create-user", name, "--role", "quan_tri_tinh", "--unit", "8566", "--password", PASSWORD
    )
    page.set_viewport_size(OFFICE_SCREEN)
    audit.visit(page, "/can-bo/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Thống kê toàn tỉnh")
    rows = page.locator("table.province-figures tbody tr")
    expect(rows).to_have_count(148)
    audit.check(page)
    # Every column fits an office screen: nobody scrolls sideways to read a unit's figures.
    widths = page.locator(".table-scroll").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths

    first_quarter = page.locator("#ky option[value$='-q1']").first.get_attribute("value")
    page.get_by_label("Kỳ thống kê").select_option(first_quarter)
    with page.expect_navigation():
        page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"ky=\d{4}-q1"))
    expect(page.locator("caption")).to_contain_text("Quý I/")
    audit.check(page)

    with page.expect_navigation():
        page.locator("thead").get_by_role("link", name="Hồ sơ tiếp nhận").click()
    heading = page.locator("thead th[aria-sort]")
    expect(heading).to_have_attribute("aria-sort", "descending")
    expect(heading).to_contain_text("Hồ sơ tiếp nhận")
    expect(page).to_have_url(re.compile(r"ky=\d{4}-q1"))  # the period stays chosen
    audit.check(page)

    link = page.get_by_role("link", name="Tải về tệp CSV (mở bằng Excel)")
    answer = page.context.request.get(link.get_attribute("href") or "")
    assert answer.status == 200 and answer.body().startswith(b"\xef\xbb\xbf")
