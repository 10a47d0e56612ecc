"""A centre chosen while submitting is every page's from then on; the chooser forgets it.

On a 320 px phone, JavaScript on and off: the person picks a centre at the start, changes it
at the centre step, finds it in the header of a procedure's page, and on a shared phone
forgets it from the chooser, which brings them back to that page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.harness import PHONE
from tests.browser.harness import PageAudit
from tests.browser.harness import javascript_enabled
from tests.browser.test_submit_centre import COPY
from tests.browser.test_submit_centre import boundary_free  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("boundary_free")


def search_centres(page: Page, text: str, js: bool) -> None:
    page.get_by_label("Tên xã, phường").fill(text)
    if js:  # the list follows the typing
        expect(page.locator("#centre-list input[name=xa]")).to_have_count(1)
    else:
        with page.expect_navigation():
            page.get_by_role("button", name="Tìm", exact=True).click()


def test_the_centre_chosen_while_submitting_is_remembered_until_forgotten(
    page: Page, audit: PageAudit
) -> None:
    js = javascript_enabled(page)
    page.set_viewport_size(PHONE)
    audit.visit(page, f"/nop-ho-so/{COPY}")
    page.locator("#phone").fill("0912 345 678")
    search_centres(page, "thanh ba", js)
    page.get_by_label("Xã Thanh Ba").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu").click()
    expect(page.locator(".brand-name")).to_contain_text("Xã Thanh Ba")
    draft = page.url.split("/nop-ho-so/")[1].split("/")[0]

    # Changed at the centre step: that one is remembered now.
    audit.visit(page, f"/nop-ho-so/{draft}/trung-tam")
    search_centres(page, "tan hoa", js)
    page.get_by_label("Phường Tân Hòa").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Chọn Trung tâm này").click()
    expect(page).to_have_url(re.compile("/kiem-tra$"))
    audit.visit(page, "/thu-tuc/1.001193")
    expect(page.locator(".brand-name")).to_contain_text("Phường Tân Hòa")

    # A shared phone: the chooser forgets it, and the person is back where they were.
    with page.expect_navigation():
        page.locator("footer").get_by_role("link", name="Chọn Trung tâm khác").click()
    expect(page.locator(".chosen-centre")).to_contain_text("Bạn đang chọn: Phường Tân Hòa")
    audit.check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Bỏ chọn", exact=True).click()
    expect(page).to_have_url(re.compile("/thu-tuc/1.001193$"))
    expect(page.locator(".brand-name")).to_contain_text("Xã Tân Sơn")  # the portal's own
    footer = page.locator("footer")
    expect(footer.get_by_role("link", name="Chọn Trung tâm của xã, phường bạn")).to_be_visible()
    audit.check(page)
