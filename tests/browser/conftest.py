"""Fixtures for the browser tests: one server and one Chromium per run, a fresh context per test.

- `live_server`: gunicorn on a free loopback port with its own SQLite database.
- `page`: a new page in a new context, once with JavaScript on and once with it off.
- `js_page`: the same with JavaScript on only, for what only htmx does.
- `audit`: `audit.visit(page, "/thu-tuc")` or `audit.check(page)` after every page a test
  reaches; at the end of the run every page's HTML goes through the Nu Html Checker once.

Every test under tests/browser is marked `browser` (the PostgreSQL CI pass leaves them out).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import Playwright
from playwright.sync_api import sync_playwright

from tests.browser.harness import CHROMIUM
from tests.browser.harness import CHROMIUM_ARGS
from tests.browser.harness import DESKTOP
from tests.browser.harness import LiveServer
from tests.browser.harness import PageAudit
from tests.browser.harness import validate_html

HERE = Path(__file__).resolve().parent
VNU_WARNINGS: list[str] = []  # listed at the end of the run; they do not fail it


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if VNU_WARNINGS:
        terminalreporter.section(f"Nu Html Checker: {len(VNU_WARNINGS)} warning(s)")
        for line in VNU_WARNINGS:
            terminalreporter.write_line(f"  {line}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live-server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: `make browser-tools` installs Debian's package "
            "(apt-get install -y chromium). Browser tests are never skipped."
        )
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def audit(browser: Browser, live_server: LiveServer) -> Iterator[PageAudit]:
    checker = PageAudit(browser, live_server.url)
    yield checker
    checker.close()
    errors, warnings = validate_html(checker.html_files)
    VNU_WARNINGS[:] = warnings
    report = "\n".join(f"  {line}" for line in errors)
    if errors:
        pytest.fail(
            f"Nu Html Checker: {len(errors)} error(s) in {len(checker.html_files)} pages "
            f"(saved in artifacts/browser/html/):\n{report}",
            pytrace=False,
        )


def new_context(browser: Browser, live_server: LiveServer, js: bool) -> BrowserContext:
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, java_script_enabled=js
    )
    context.set_default_timeout(10_000)
    return context


def page_in(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    problems: list[str] = []
    # A CSP violation or a script error shows here; the page would silently lose htmx.
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )
    page.motcua_problems = problems  # a test expecting an error (a 404) may clear it
    yield page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request: pytest.FixtureRequest) -> bool:
    """JavaScript on, then off: every test that uses `page` runs twice."""
    return request.param


@pytest.fixture
def page(js: bool, browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    yield from page_in(new_context(browser, live_server, js))


@pytest.fixture
def js_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    yield from page_in(new_context(browser, live_server, True))
