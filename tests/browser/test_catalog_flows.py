"""A citizen's catalogue flows in a real browser, with JavaScript on and off.

home → search typed without accents → procedure detail → printable checklist; the language
switch; the same flow with the keyboard alone; and, with JavaScript on, live search.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.harness import PageAudit
from tests.browser.harness import tab_to

SEARCH = "dang ky khai sinh"  # typed without accents, as many people do on a phone
BIRTH = "1.001193"  # Đăng ký khai sinh
# A form submit writes spaces as "+", htmx's pushed URL as "%20".
SEARCH_URL = re.compile(r"/thu-tuc\?q=dang(\+|%20)ky(\+|%20)khai(\+|%20)sinh(&|$)")


def follow(page: Page, target: Locator) -> None:
    """Click something that loads a new page, and wait for it."""
    with page.expect_navigation():
        target.click()


def press_and_load(page: Page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def test_search_detail_and_printable_checklist(page: Page, audit: PageAudit) -> None:
    audit.visit(page, "/")
    page.locator("#q").fill(SEARCH)
    follow(page, page.get_by_role("button", name="Tìm", exact=True))
    expect(page).to_have_url(SEARCH_URL)
    audit.check(page)
    first = page.locator("#results .results a").first
    expect(first).to_have_text(re.compile("đăng ký khai sinh", re.IGNORECASE))
    expect(page.locator("#search-status")).to_contain_text(SEARCH)

    follow(page, first)
    expect(page).to_have_url(re.compile(f"/thu-tuc/{re.escape(BIRTH)}$"))
    expect(page.locator("h1")).to_contain_text("khai sinh")
    audit.check(page)

    follow(page, page.get_by_role("link", name="In danh sách giấy tờ"))
    expect(page).to_have_url(re.compile(f"/thu-tuc/{re.escape(BIRTH)}/in$"))
    expect(page.locator("h1")).to_contain_text("Giấy tờ cần mang")
    expect(page.locator(".sheet-qr svg")).to_be_visible()
    audit.check(page)


def test_language_switch_is_remembered_across_pages(page: Page, audit: PageAudit) -> None:
    html = page.locator("html")
    audit.visit(page, "/")
    expect(html).to_have_attribute("lang", "vi")

    follow(page, page.locator("a.lang"))
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("a.lang")).to_have_text("Tiếng Việt")
    audit.check(page)

    # Remembered: the menu's links carry no ?lang=.
    follow(page, page.get_by_role("navigation", name="Main menu").get_by_role("link").first)
    expect(page).to_have_url(re.compile(r"/thu-tuc$"))
    expect(html).to_have_attribute("lang", "en")
    audit.check(page)
    follow(page, page.locator(f"#results a[href='/thu-tuc/{BIRTH}']"))
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Print the document checklist")).to_be_visible()
    audit.check(page)

    follow(page, page.locator("a.lang"))
    expect(html).to_have_attribute("lang", "vi")
    expect(page).to_have_url(re.compile(f"/thu-tuc/{re.escape(BIRTH)}\\?lang=vi$"))
    audit.check(page)
    menu = page.get_by_role("navigation", name="Trình đơn chính")
    follow(page, menu.get_by_role("link", name="Tra cứu hồ sơ"))
    expect(page).to_have_url(re.compile(r"/tra-cuu$"))
    expect(html).to_have_attribute("lang", "vi")
    audit.check(page)


def test_keyboard_alone_with_visible_focus(page: Page, audit: PageAudit) -> None:
    audit.visit(page, "/")
    skip = tab_to(page, lambda focused: True)
    assert skip["href"] == "#main", f"the first Tab stop should be the skip link, not {skip}"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    tab_to(page, lambda focused: focused["id"] == "q")
    page.keyboard.type(SEARCH)
    press_and_load(page)
    expect(page).to_have_url(SEARCH_URL)
    audit.check(page)

    tab_to(page, lambda focused: focused["href"] == f"/thu-tuc/{BIRTH}")
    press_and_load(page)
    expect(page).to_have_url(re.compile(f"/thu-tuc/{re.escape(BIRTH)}$"))
    audit.check(page)

    tab_to(page, lambda focused: focused["href"] == f"/thu-tuc/{BIRTH}/in")
    press_and_load(page)
    expect(page.locator("h1")).to_contain_text("Giấy tờ cần mang")
    audit.check(page)

    tab_to(page, lambda focused: focused["href"] == f"/thu-tuc/{BIRTH}")  # back to the detail
    press_and_load(page)
    expect(page).to_have_url(re.compile(f"/thu-tuc/{re.escape(BIRTH)}$"))

    tab_to(page, lambda focused: focused["text"] == "English")
    press_and_load(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    audit.check(page)


def test_filters_work_with_and_without_javascript(page: Page, js: bool, audit: PageAudit) -> None:
    audit.visit(page, "/thu-tuc")
    online = page.get_by_label(re.compile("Chỉ thủ tục làm trực tuyến toàn trình"))
    filter_button = page.get_by_role("button", name="Lọc")  # in <noscript>
    online.check()
    if js:
        expect(filter_button).to_be_hidden()  # htmx searches on change
    else:
        follow(page, filter_button)
    expect(page).to_have_url(re.compile(r"truc-tuyen=1"))
    results = page.locator("#results .results li")
    expect(results.first).to_be_visible()
    expect(results.filter(has_not=page.locator(".tag"))).to_have_count(0)
    audit.check(page)


def test_live_search_updates_results_without_a_page_load(js_page: Page, audit: PageAudit) -> None:
    page = js_page
    audit.visit(page, "/thu-tuc")
    page.evaluate(
        """() => {
            window.motcuaMarker = 'same page';
            window.motcuaStatus = document.getElementById('search-status');
        }"""
    )
    documents: list[str] = []
    fragments: list[str] = []
    page.on("request", lambda r: r.resource_type == "document" and documents.append(r.url))
    page.on("request", lambda r: r.headers.get("hx-request") and fragments.append(r.url))

    page.locator("#q").press_sequentially(SEARCH, delay=25)
    expect(page).to_have_url(SEARCH_URL)  # pushed by data-hx-push-url
    expect(page.locator("#search-status")).to_contain_text(SEARCH)
    expect(page.locator("#results .results a").first).to_have_text(
        re.compile("đăng ký khai sinh", re.IGNORECASE)
    )
    assert page.evaluate("() => window.motcuaMarker") == "same page", "the page was reloaded"
    assert not documents, f"live search loaded whole pages: {documents}"
    # Screen readers announce a change inside a live region they already know; a region
    # swapped in whole is new, and its text is not read out.
    assert page.evaluate(
        "() => document.getElementById('search-status') === window.motcuaStatus"
    ), "the role=status region was replaced instead of updated: the count is not announced"
    assert fragments, "no htmx request was made"
    audit.check(page)  # also loads the pushed URL cold: it must be a whole page

    # The pager is live too, and its pages have their own URLs.
    page.locator("#q").fill("")
    expect(page).to_have_url(re.compile(r"/thu-tuc\?q=(&|$)"))
    page.get_by_role("link", name="Trang sau ›").click()
    expect(page).to_have_url(re.compile(r"trang=2"))
    expect(page.locator(".pager")).to_contain_text("Trang 2 /")
    assert page.evaluate("() => window.motcuaMarker") == "same page", "the page was reloaded"
    assert not documents, f"the pager loaded whole pages: {documents}"
    audit.check(page)
