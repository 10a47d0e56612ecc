"""The khai sinh journey in a real browser, with JavaScript on and off, under the page checks."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.harness import PageAudit
from tests.browser.harness import javascript_enabled
from tests.journeys import KHAI_SINH
from tests.journeys import photo

BIRTH = "1.001193"


def fill(page: Page, answers: dict[str, str]) -> None:
    """Answer a step the way a person does: type, tick, choose."""
    for name, value in answers.items():
        field = page.locator(f'[name="{name}"]')
        kind = field.first.get_attribute("type")
        tag = field.first.evaluate("element => element.tagName")
        if kind == "radio":
            page.locator(f'[name="{name}"][value="{value}"]').check()
        elif tag == "SELECT":
            # A person leaves a list alone when it already shows their answer. Choosing it
            # again would fire "change" (Playwright always does), and the commune list then
            # asked for could land after the commune was picked, and undo the pick.
            if field.input_value() != value:
                field.select_option(value)
        else:
            field.fill(value)


def press(page: Page, name: str, js: bool) -> None:
    """Press a button that sends the step: htmx swaps the page with JS, a full load without."""
    button = page.get_by_role("button", name=name, exact=True)
    if js:
        with page.expect_response(lambda r: r.request.method == "GET" and r.status == 200):
            button.click()
        page.wait_for_load_state()
    else:
        with page.expect_navigation():
            button.click()


def upload(page: Page, slot: str, file: Path, js: bool) -> None:
    form = page.locator(f"form.upload-form[data-slot={slot}]")
    form.locator("input[type=file]").set_input_files(str(file))
    if js:
        form.get_by_role("button", name="Tải lên").click()
    else:
        with page.expect_navigation():
            form.get_by_role("button", name="Tải lên").click()
    expect(page.locator(f"#{slot}-slot .files li")).to_have_count(1)


def test_khai_sinh_online_from_start_to_receipt(
    page: Page, audit: PageAudit, tmp_path: Path
) -> None:
    js = javascript_enabled(page)
    image = tmp_path / "giay-chung-sinh.jpg"
    image.write_bytes(photo())
    audit.visit(page, f"/thu-tuc/{BIRTH}")
    with page.expect_navigation():
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    audit.check(page)
    page.locator("#phone").fill("0912 345 678")
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu").click()
    expect(page.locator(".resume-code")).to_have_text(re.compile(r"^[A-Z0-9]{4} [A-Z0-9]{4}$"))
    audit.check(page)
    if js:
        page.evaluate("window.sameDocument = true")  # survives only if htmx swaps the pages

    for _ in range(10):
        step = page.url.rsplit("/", 1)[-1]
        if step == "kiem-tra":
            break
        if step == "giay-to":
            upload(page, "birth_certificate", image, js)
        fill(page, KHAI_SINH.get(step, {}))
        press(page, "Tiếp tục", js)
        expect(page).not_to_have_url(re.compile(f"/{step}$"))
        audit.check(page)
    expect(page.locator("h1")).to_have_text("Kiểm tra lại trước khi gửi")
    if js:
        assert page.evaluate("window.sameDocument === true"), "steps should change without a reload"

    page.locator("#declaration-box").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi hồ sơ").click()
    code = page.locator(".dossier-code")
    expect(code).to_have_text(re.compile(r"^08566-\d{6}-\d{4}$"))
    audit.check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="In giấy biên nhận").click()
    expect(page.locator("svg.qr")).to_be_visible()
    audit.check(page)


def test_a_wrong_answer_is_explained_and_focus_goes_to_the_summary(
    js_page: Page, audit: PageAudit
) -> None:
    page = js_page
    audit.visit(page, f"/nop-ho-so/{BIRTH}")
    page.locator("#phone").fill("0912345678")
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu").click()
    fill(page, {"filler": "self"})
    press(page, "Tiếp tục", True)
    fill(page, {**KHAI_SINH["nguoi-yeu-cau"], "requester_cccd": "123"})
    page.get_by_role("button", name="Tiếp tục", exact=True).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.locator("#requester_cccd-error")).to_contain_text("12 chữ số")
    expect(page.locator("#requester_name")).to_have_value("Hà Thị Mai")
    page.motcua_problems.clear()  # the 422 of the refused step is expected
    # Reloaded, the page shows the same answers and messages (and that is what is validated).
    audit.check(page)
    page.reload()
    expect(page.locator("#requester_cccd-error")).to_contain_text("12 chữ số")
    expect(page.locator("#requester_cccd")).to_have_value("123")


def test_enter_in_a_field_of_the_address_step_goes_on(page: Page, audit: PageAudit) -> None:
    """Enter means "Tiếp tục", never the no-JavaScript "Xem các xã của tỉnh này" above it."""
    js = javascript_enabled(page)
    audit.visit(page, f"/nop-ho-so/{BIRTH}")
    page.locator("#phone").fill("0912345678")
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu").click()
    fill(page, {"filler": "self"})
    press(page, "Tiếp tục", js)
    if not js:
        expect(page.get_by_role("button", name="Xem các xã của tỉnh này").first).to_be_visible()
    fill(page, KHAI_SINH["nguoi-yeu-cau"])
    field = page.locator("#requester_address-chi-tiet")
    if js:
        with page.expect_response(lambda r: r.request.method == "GET" and r.status == 200):
            field.press("Enter")
        page.wait_for_load_state()
    else:
        with page.expect_navigation():
            field.press("Enter")
    expect(page).to_have_url(re.compile(r"/tre-em$"))
    audit.check(page)
