"""The back office and the status page in a real browser, JavaScript on and off.

A clerk signs in, registers a paper dossier at the counter (received at once), finds it in
the inbox, forwards it, prints slip 01; a leader finishes it; the person looks it up by code,
then with the phone number. Every page goes through axe and the Nu Html Checker.
"""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.harness import LiveServer
from tests.browser.harness import PageAudit
from tests.browser.harness import javascript_enabled

PASSWORD = "mat-khau-trinh-duyet-2026"
_accounts = itertools.count(1)


def account(server: LiveServer, role: str) -> str:
    name = f"{role.replace('_', '-')}-{next(_accounts)}"
    server.flask("create-user", name, "--role", role, "--unit", "8566", "--password", PASSWORD)
    return name


def sign_in(page: Page, audit: PageAudit, username: str) -> None:
    audit.visit(page, "/can-bo/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Hộp hồ sơ")
    audit.check(page)


def click_and_load(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_counter_to_result_and_lookup(
    page: Page, audit: PageAudit, live_server: LiveServer
) -> None:
    js = javascript_enabled(page)
    sign_in(page, audit, account(live_server, "tiep_nhan"))
    with page.expect_navigation():
        page.get_by_role("link", name="Tiếp nhận trực tiếp").click()
    audit.check(page)
    page.get_by_label("Thủ tục").select_option("1.004884")
    page.get_by_label("Họ và tên người nộp").fill("Lò Thị Hoa")
    page.get_by_label("Số CCCD").fill("025185001234")
    page.get_by_label("Số điện thoại di động").fill("0977123456")
    click_and_load(page, "Ghi nhận hồ sơ")
    heading = page.locator("h1")
    expect(heading).to_have_text(re.compile(r"^Hồ sơ 08566-\d{6}-\d{4}$"))
    code = heading.inner_text().split()[-1]
    expect(page.locator(".status-facts")).to_contain_text("Được tiếp nhận")
    audit.check(page)

    with page.expect_navigation():
        page.get_by_role("link", name="In phiếu 01").click()
    expect(page.locator(".slip-title")).to_contain_text("Giấy tiếp nhận hồ sơ")
    audit.check(page)
    page.go_back()

    with page.expect_navigation():
        page.get_by_role("link", name="Hộp hồ sơ").first.click()
    page.get_by_label("Tìm theo mã, tên hoặc số điện thoại").fill("lo thi hoa")
    # A search looks at every dossier: received, it is no longer in the default (new) tab.
    if js:
        page.get_by_role("button", name="Lọc").click()
    else:
        click_and_load(page, "Lọc")
    expect(page.locator(".tabs a[aria-current]")).to_contain_text("Tất cả")
    expect(page.locator("table.inbox tbody a", has_text=code)).to_be_visible()
    audit.check(page)
    with page.expect_navigation():
        page.locator("table.inbox tbody a", has_text=code).click()
    if js:  # htmx swaps the dossier's main part in place
        page.evaluate("window.sameDocument = true")
        page.get_by_role("button", name="Chuyển xử lý", exact=True).click()
        expect(page.locator(".status-facts")).to_contain_text("Đang xử lý")
        assert page.evaluate("window.sameDocument === true")
    else:
        click_and_load(page, "Chuyển xử lý")
        expect(page.locator(".status-facts")).to_contain_text("Đang xử lý")
    audit.check(page)

    # The person, on another device: the code alone, then with the phone number.
    other = page.context.browser.new_context(
        base_url=live_server.url, java_script_enabled=js, viewport=page.viewport_size
    )
    citizen = other.new_page()
    try:
        audit.visit(citizen, "/tra-cuu")
        citizen.get_by_label("Mã hồ sơ").fill(code.replace("-", " "))
        if js:
            citizen.get_by_role("button", name="Tra cứu").click()
        else:
            click_and_load(citizen, "Tra cứu")
        card = citizen.locator(".status-card")
        expect(card).to_contain_text("Đang xử lý")
        expect(citizen.locator("body")).not_to_contain_text("Lò Thị Hoa")
        audit.check(citizen)
        citizen.get_by_label("Số điện thoại di động").fill("0977 123 456")
        click_and_load(citizen, "Xem chi tiết")
        expect(citizen.locator("#personal-title")).to_be_visible()
        expect(citizen.locator("body")).to_contain_text("Lò Thị Hoa")
        audit.check(citizen)
    finally:
        other.close()


def test_answering_a_supplement_request(
    page: Page, audit: PageAudit, live_server: LiveServer, tmp_path
) -> None:
    from datetime import date
    from datetime import timedelta

    from tests.journeys import photo

    js = javascript_enabled(page)
    image = tmp_path / "giay-to.jpg"
    image.write_bytes(photo())
    sign_in(page, audit, account(live_server, "tiep_nhan"))
    with page.expect_navigation():
        page.get_by_role("link", name="Tiếp nhận trực tiếp").click()
    page.get_by_label("Thủ tục").select_option("1.004884")
    page.get_by_label("Họ và tên người nộp").fill("Đinh Văn Tư")
    page.get_by_label("Số CCCD").fill("025085001234")
    page.get_by_label("Số điện thoại di động").fill("0988111222")
    click_and_load(page, "Ghi nhận hồ sơ")
    code = page.locator("h1").inner_text().split()[-1]
    form = page.locator("form[action$='/request_supplement']")
    form.get_by_label("Giấy tờ của hồ sơ").check()
    form.get_by_label("Lý do (người dân sẽ đọc)").fill("Bản chụp bị mờ")
    form.get_by_label("Hạn bổ sung").fill((date.today() + timedelta(days=7)).isoformat())
    if js:
        form.get_by_role("button", name="Yêu cầu bổ sung").click()
    else:
        with page.expect_navigation():
            form.get_by_role("button", name="Yêu cầu bổ sung").click()
    expect(page.locator(".status-facts")).to_contain_text("Yêu cầu bổ sung giấy tờ")
    audit.check(page)

    other = page.context.browser.new_context(
        base_url=live_server.url, java_script_enabled=js, viewport=page.viewport_size
    )
    citizen = other.new_page()
    try:
        audit.visit(citizen, f"/tra-cuu?ma={code}")
        expect(citizen.locator(".status-card")).to_contain_text("Giấy tờ của hồ sơ")
        citizen.get_by_label("Số điện thoại di động").fill("0988111222")
        click_and_load(citizen, "Xem chi tiết")
        expect(citizen.locator("body")).to_contain_text("Bản chụp bị mờ")
        audit.check(citizen)
        slot = citizen.locator("form.upload-form")
        slot.locator("input[type=file]").set_input_files(str(image))
        if js:
            slot.get_by_role("button", name="Tải lên").click()
        else:
            with citizen.expect_navigation():
                slot.get_by_role("button", name="Tải lên").click()
        expect(citizen.locator("#giay-to-slot .files li")).to_have_count(1)
        audit.check(citizen)
        click_and_load(citizen, "Gửi bổ sung")
        expect(citizen.locator(".status-card")).to_contain_text("Đang xử lý")
        audit.check(citizen)
    finally:
        other.close()


def test_an_administrator_opens_an_account_for_a_new_clerk(
    page: Page, audit: PageAudit, live_server: LiveServer
) -> None:
    sign_in(page, audit, account(live_server, "quan_tri"))
    with page.expect_navigation():
        page.get_by_role("link", name="Người dùng").click()
    audit.check(page)
    username = f"nguyen.thu.{next(_accounts)}"
    page.get_by_label("Tên đăng nhập").fill("Nguyễn Thu")
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Thu")
    page.get_by_label("Cán bộ tiếp nhận").check()
    click_and_load(page, "Tạo tài khoản")
    expect(page.locator("#username-error")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Thị Thu")
    audit.check(page)
    page.motcua_problems.clear()  # the 422 of the refused form is expected
    page.get_by_label("Tên đăng nhập").fill(username)
    click_and_load(page, "Tạo tài khoản")
    temporary = page.locator(".resume-code").inner_text()
    audit.check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Công bố thủ tục").click()
    expect(page.locator("#p-1\\.001193")).to_contain_text("Đang nhận")
    audit.check(page)

    # The new clerk, on their own computer, must choose a password before anything else.
    other = page.context.browser.new_context(
        base_url=live_server.url,
        java_script_enabled=javascript_enabled(page),
        viewport=page.viewport_size,
    )
    clerk = other.new_page()
    try:
        audit.visit(clerk, "/can-bo/dang-nhap")
        clerk.get_by_label("Tên đăng nhập").fill(username)
        clerk.get_by_label("Mật khẩu").fill(temporary)
        click_and_load(clerk, "Đăng nhập")
        expect(clerk.locator("h1")).to_have_text("Đổi mật khẩu")
        audit.check(clerk)
        clerk.get_by_label("Mật khẩu hiện tại").fill(temporary)
        clerk.get_by_label("Mật khẩu mới", exact=True).fill("ca-phe-sang-thu-hai")
        clerk.get_by_label("Nhập lại mật khẩu mới").fill("ca-phe-sang-thu-hai")
        click_and_load(clerk, "Lưu mật khẩu mới")
        expect(clerk.locator("h1")).to_have_text("Hộp hồ sơ")
    finally:
        other.close()


def test_a_transfer_and_its_slip_on_one_page(
    page: Page, audit: PageAudit, live_server: LiveServer
) -> None:
    """A clerk hands a paper dossier to Xã Thanh Ba and prints the transfer slip (06), A4 and
    A5: one page each, as the other slips; the person's status page says where it went."""
    from tests.browser.test_print import PDF_PAGE

    js = javascript_enabled(page)
    sign_in(page, audit, account(live_server, "tiep_nhan"))
    with page.expect_navigation():
        page.get_by_role("link", name="Tiếp nhận trực tiếp").click()
    # Khai sinh, the most common: its six papers fill the slip as most procedures' do.
    page.get_by_label("Thủ tục").select_option("1.001193")
    page.get_by_label("Họ và tên người nộp").fill("Hà Văn Sinh")
    page.get_by_label("Số CCCD").fill("025185004321")
    page.get_by_label("Số điện thoại di động").fill("0977654321")
    click_and_load(page, "Ghi nhận hồ sơ")
    code = page.locator("h1").inner_text().split()[-1]
    page.get_by_label("Xã, phường nhận và giải quyết hồ sơ").select_option(label="Xã Thanh Ba")
    page.get_by_label("Lý do chuyển (người dân sẽ đọc)").fill(
        "Người dân thường trú tại xã Thanh Ba, thuộc thẩm quyền của UBND xã Thanh Ba"
    )
    button = "Chuyển đến xã, phường có thẩm quyền"
    if js:
        page.get_by_role("button", name=button, exact=True).click()
    else:
        click_and_load(page, button)
    expect(page.locator("h1")).to_have_text(f"Hồ sơ {code}")
    # The sender holds it no more: its own part of the history, and where it went.
    expect(page.locator("main")).to_contain_text("Hồ sơ đã được chuyển đến Xã Thanh Ba")
    audit.check(page)
    # The inbox keeps it in its own tab: where it went and how it stands, one click away.
    with page.expect_navigation():
        page.get_by_role("link", name="Hộp hồ sơ").first.click()
    tab = page.locator(".tabs a", has_text="Đã chuyển đi")
    if js:  # htmx swaps the list and pushes the tab's address
        tab.click()
        expect(page).to_have_url(re.compile("tab=da-chuyen-di"))
    else:
        with page.expect_navigation():
            tab.click()
    row = page.locator("table.inbox tbody tr", has_text=code)
    expect(row).to_contain_text("Xã Thanh Ba")
    expect(row).to_contain_text("Hiện nay: Được tiếp nhận")
    audit.check(page)
    with page.expect_navigation():
        row.get_by_role("link", name=code).click()
    expect(page.locator("main")).to_contain_text("Hồ sơ đã được chuyển đến Xã Thanh Ba")

    with page.expect_navigation():
        page.get_by_role("link", name="In phiếu 06").click()
    expect(page.locator(".slip-title")).to_contain_text("Phiếu chuyển hồ sơ")
    audit.check(page)
    for size in ("", "?kho=a5"):
        response = page.goto(f"/can-bo/ho-so/{code}/phieu/06{size}")
        assert response is not None and response.status == 200
        printed = page.pdf(prefer_css_page_size=True, print_background=True)
        assert len(PDF_PAGE.findall(printed)) == 1, size

    audit.visit(page, f"/tra-cuu?ma={code}")
    expect(page.locator(".timeline li").last).to_contain_text("Đã chuyển đến UBND xã Thanh Ba")
    audit.check(page)
