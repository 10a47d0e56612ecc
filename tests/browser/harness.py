"""The browser-test harness: the real app under gunicorn, Debian's Chromium, and the checks
every page must pass (axe, the Nu Html Checker, small screens, screenshots).

Fixtures that use these live in tests/browser/conftest.py. A new flow needs only `page` (run
with JavaScript on and off) and `audit.check(page)` after every page it reaches.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# closed network refuses; the rest are the usual flags for a headless browser run as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 320, "height": 640}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CSRF_VALUE = re.compile(r'(?<=name="csrf_token" value=")[^"]*')

# Nu Html Checker warnings that are noise for this project. Each entry says why; errors are
# never filtered.
VNU_NOISE: list[tuple[re.Pattern[str], str]] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the server --------------------------------------------------------------------------------


@dataclass
class LiveServer:
    """gunicorn serving `app:create_app()` with gunicorn.conf.py on a throw-away SQLite file."""

    folder: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "gunicorn.log"

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            # The deployment's defaults, whatever the shell running the tests has set.
            if not key.startswith("MOTCUA_")
        }
        env.update(
            DATABASE_URL=f"sqlite:///{self.folder / 'browser.sqlite3'}",
            SECRET_KEY="browser-tests",
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY="2",
            ACCESS_LOG="",
            PYTHONDONTWRITEBYTECODE="1",
        )
        return env

    def flask(self, *command: str) -> str:
        """Run a `flask --app app` command against this server's database."""
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *command],
            cwd=ROOT,
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def prepare_database(self) -> None:
        for command in (["db", "upgrade"], ["data", "load"]):
            self.flask(*command)

    def start(self) -> None:
        self.port = free_port()
        self.prepare_database()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
                cwd=ROOT,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in 30 s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


# --- the checks --------------------------------------------------------------------------------


def page_slug(url: str) -> str:
    """A file name for a URL: /thu-tuc/1.001193/in?x=1 → thu-tuc-1.001193-in-x-1."""
    parts = urlsplit(url)
    text = (parts.path.strip("/") or "home") + (f"-{parts.query}" if parts.query else "")
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:80]


def javascript_enabled(page: Page) -> bool:
    """Whether the page runs scripts. Playwright evaluates through the DevTools protocol even
    when they are off; the HTML parser then reads <noscript> as markup, not as text."""
    return page.evaluate(
        """() => {
            const probe = document.createElement('noscript');
            probe.innerHTML = '<b></b>';
            return probe.children.length === 0;
        }"""
    )


def focus_style(page: Page) -> dict[str, str]:
    """What the focused element looks like (works with JavaScript off: CDP evaluates it)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(), id: el.id || '', href: el.getAttribute('href') || '',
                text: (el.innerText || el.value || '').trim().slice(0, 80),
                outline: style.outlineStyle === 'none' || style.outlineWidth === '0px'
                    ? 'none' : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
                boxShadow: style.boxShadow,
            };
        }"""
    )


def assert_focus_visible(page: Page) -> dict[str, str]:
    style = focus_style(page)
    assert style["tag"] != "body", "focus was lost (it is on <body>)"
    assert style["outline"] != "none" or style["boxShadow"] != "none", (
        f"no visible focus on {style}"
    )
    return style


def tab_to(page: Page, wanted: Any, limit: int = 80) -> dict[str, str]:
    """Press Tab until wanted(focused) is true, checking the focus is visible at every stop."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        style = assert_focus_visible(page)
        if wanted(style):
            return style
        seen.append(style["text"] or style["id"] or style["tag"])
    raise AssertionError(f"never reached the element with Tab; focus went through {seen}")


# Issue 2: touch targets at least 44 px, body text at least 16 px, on the 320 px screen.
MIN_TARGET = 44
MIN_TEXT = 16
# Text allowed under MIN_TEXT as (selector, reason); none is needed today, keep it so.
SMALL_TEXT_ALLOWED: list[tuple[str, str]] = []

SMALL_SCREEN_PROBLEMS = """([minTarget, minText, allowed]) => {
    const problems = [];
    const name = (el) => {
        const parts = [];
        for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
            let part = e.tagName.toLowerCase();
            if (e.id) part += '#' + e.id;
            part += [...e.classList].map((c) => '.' + c).join('');
            parts.unshift(part);
        }
        const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
        return `${parts.join(' > ')} "${text.replace(/\\s+/g, ' ').slice(0, 50)}"`;
    };
    // Hidden, off-screen (the skip link until focused) and visually-hidden elements are no
    // one's target and nobody's reading.
    const shown = (el) => {
        if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return false;
        const box = el.getBoundingClientRect();
        return box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0
            && !el.closest('.visually-hidden');
    };
    const block = (el) => {
        let e = el.parentElement;
        while (e && getComputedStyle(e).display.startsWith('inline')) e = e.parentElement;
        return e;
    };
    // WCAG 2.5.5's inline exception: a link in the flow of a sentence cannot be made taller
    // without spreading the lines apart. It applies only to an element laid out inline whose
    // block has words of its own around it.
    const inText = (el) => {
        if (getComputedStyle(el).display !== 'inline') return false;
        const around = block(el);
        if (!around) return false;
        const copy = around.cloneNode(true);
        const path = [];
        for (let e = el; e !== around; e = e.parentElement) {
            path.unshift([...e.parentElement.children].indexOf(e));
        }
        let twin = copy;
        for (const i of path) twin = twin.children[i];
        twin.remove();
        return /\\p{L}/u.test(copy.textContent);
    };
    const targets = document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, summary, label');
    for (const el of targets) {
        if (el.matches('input[type=radio], input[type=checkbox]')) continue;  // its label is
        if (el.tagName === 'LABEL' &&
            !(el.control && el.control.matches('input[type=radio], input[type=checkbox]'))) {
            continue;  // a text field's label is text, not a target
        }
        if (!shown(el) || inText(el)) continue;
        const height = el.getBoundingClientRect().height;
        if (height < minTarget - 0.5) {
            problems.push(`target ${Math.round(height * 10) / 10} px tall: ${name(el)}`);
        }
    }
    const seen = new Set();
    for (const root of document.querySelectorAll('main, header')) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (!node.textContent.trim() || seen.has(el)) continue;
            seen.add(el);
            if (!shown(el) || allowed.some((selector) => el.closest(selector))) continue;
            const size = parseFloat(getComputedStyle(el).fontSize);
            if (size < minText - 0.05) {
                problems.push(`text ${Math.round(size * 10) / 10} px: ${name(el)}`);
            }
        }
    }
    return problems;
}"""


def small_screen_problems(page: Page) -> list[str]:
    """Touch targets under MIN_TARGET px tall and text under MIN_TEXT px, as the page is now."""
    allowed = [selector for selector, _ in SMALL_TEXT_ALLOWED]
    return page.evaluate(SMALL_SCREEN_PROBLEMS, [MIN_TARGET, MIN_TEXT, allowed])


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now.

    axe is evaluated through the DevTools protocol: the page's Content-Security-Policy (no
    inline scripts) does not apply to it, so page.add_script_tag and bypass_csp are not needed.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')),
            })))""",
        AXE_TAGS,
    )


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe: {len(violations)} WCAG 2.1 A/AA rule(s) broken on {url}"]
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"      {selector}" for selector in v["nodes"][:10])
    return "\n".join(lines)


@dataclass
class PageAudit:
    """Checks every page a test reaches; HTML is kept for one Nu Html Checker run at the end."""

    browser: Browser
    base_url: str
    folder: Path = ARTIFACTS
    html_files: dict[Path, str] = field(default_factory=dict)  # file → URL
    _checked: set[tuple[str, str, str]] = field(default_factory=set)  # URL, HTML, live DOM
    # The pages (URL, served HTML) that axe has checked as loaded, before a script changed them.
    _axe_as_loaded: set[tuple[str, str]] = field(default_factory=set)
    _axe_page: Page | None = None

    def __post_init__(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "html").mkdir(parents=True)
        (self.folder / "screens").mkdir(parents=True)

    def visit(self, page: Page, path: str, status: int = 200) -> None:
        """Go to a URL of the app, then check the page."""
        response = page.goto(path)
        assert response is not None and response.status == status, (
            f"{path}: {response.status if response else 'no response'}"
        )
        self.check(page, status=status, as_loaded=True)

    def check(self, page: Page, status: int = 200, as_loaded: bool = False) -> None:
        """The checks every page passes, on the page the test has just reached.

        The served HTML is saved for the Nu Html Checker, axe runs on the page, the page
        must not scroll sideways at 320 px, and screenshots at 320×640 and 1280×800 go to
        artifacts/browser/screens/. A page already checked (same URL, same served HTML and,
        with JavaScript on, the same document now) is not checked again. as_loaded says no
        script or input has changed the page since it loaded.
        """
        page.wait_for_load_state("load")
        url = page.url
        js = javascript_enabled(page)
        html = self.served_html(page, url, status)
        # A CSRF token differs at every request; the page around it is what matters here.
        digest = hashlib.sha256(CSRF_VALUE.sub("", html).encode()).hexdigest()[:10]
        # With JavaScript on, what is checked is the page as it is now (htmx may have changed it).
        now = page.evaluate("() => document.documentElement.outerHTML") if js else ""
        key = (url, digest, hashlib.sha256(CSRF_VALUE.sub("", now).encode()).hexdigest())
        if key in self._checked:
            return
        self._checked.add(key)
        path = self.folder / "html" / f"{page_slug(url)}-{digest}.html"
        if path not in self.html_files:
            path.write_text(html, encoding="utf-8")
            self.html_files[path] = url
        self.check_accessibility(page, url, digest, js, as_loaded)
        lang = page.evaluate("() => document.documentElement.lang")
        self.check_small_screen_and_shoot(page, f"{page_slug(url)}.{lang}.{'js' if js else 'nojs'}")

    def served_html(self, page: Page, url: str, status: int) -> str:
        """The HTML the server sends for this URL when loaded cold, with the page's cookies.

        With JavaScript on the page may have been updated by htmx; the URL it pushed must
        still give a whole page (DESIGN.md), and that page is what gets validated.
        """
        response = page.context.request.get(url, headers={"Accept": "text/html"})
        assert response.status == status, f"{url} loaded cold: {response.status}"
        html = response.text()
        assert html.lstrip().lower().startswith("<!doctype html>"), f"{url}: not a whole page"
        return html

    def check_accessibility(
        self, page: Page, url: str, digest: str, js: bool, as_loaded: bool
    ) -> None:
        if js:
            violations = axe_violations(page)
            if as_loaded:
                self._axe_as_loaded.add((url, digest))
        elif (url, digest) in self._axe_as_loaded:
            return  # the same page, as loaded with JavaScript on, passed already
        else:
            # axe needs timers, which never fire in a page with JavaScript off: check the same
            # URL, with the same cookies, in a JavaScript-enabled page. Pages send the same
            # HTML either way; htmx changes them only after an input.
            audit_page = self.axe_page(page.context)
            audit_page.goto(url)
            violations = axe_violations(audit_page)
            self._axe_as_loaded.add((url, digest))
        assert not violations, describe_violations(url, violations)

    def axe_page(self, like: BrowserContext) -> Page:
        if self._axe_page is None:
            context = self.browser.new_context(
                base_url=self.base_url, viewport=DESKTOP, java_script_enabled=True
            )
            self._axe_page = context.new_page()
        context = self._axe_page.context
        context.clear_cookies()
        context.add_cookies(like.cookies())
        return self._axe_page

    def check_small_screen_and_shoot(self, page: Page, name: str) -> None:
        screens = self.folder / "screens"
        original = page.viewport_size or DESKTOP
        page.set_viewport_size(PHONE)
        try:
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            small = small_screen_problems(page)
            page.screenshot(path=screens / f"{name}.320x640.png", full_page=True)
        finally:
            page.set_viewport_size(original)
        assert widths[0] <= widths[1], (
            f"{page.url} scrolls sideways at 320 px: scrollWidth {widths[0]} > {widths[1]}; "
            f"see {screens / (name + '.320x640.png')}"
        )
        assert not small, (
            f"{page.url} at 320 px: {len(small)} touch target(s) under {MIN_TARGET} px or "
            f"text under {MIN_TEXT} px:\n" + "\n".join(f"  {line}" for line in small[:30])
        )
        page.screenshot(path=screens / f"{name}.1280x800.png", full_page=True)

    def close(self) -> None:
        if self._axe_page is not None:
            self._axe_page.context.close()
            self._axe_page = None


# --- HTML validity -----------------------------------------------------------------------------


def validate_html(files: dict[Path, str]) -> tuple[list[str], list[str]]:
    """One Nu Html Checker run over every saved page: (errors, warnings), each a line."""
    if not files:
        return [], []
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java is needed for the Nu Html Checker: apt-get install -y default-jre")
    if not VNU_JAR.is_file():
        raise RuntimeError(f"{VNU_JAR} is missing: run `npm ci`")
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        messages = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(f"vnu gave no report:\n{done.stdout[-2000:]}{done.stderr}") from error
    by_name = {path.name: url for path, url in files.items()}
    errors, warnings = [], []
    for message in messages:
        name = Path(urlsplit(message.get("url", "")).path).name
        where = f"{by_name.get(name, name)} line {message.get('lastLine', '?')}"
        text = f"{where}: {message.get('message', '')[:300]}"
        extract = message.get("extract")
        if extract:
            text += f"\n      {extract.strip()[:160]!r}"
        if message["type"] == "info":
            if message.get("subType") == "warning" and not any(
                pattern.search(message.get("message", "")) for pattern, _ in VNU_NOISE
            ):
                warnings.append(text)
        else:  # "error" and "non-document-error"
            errors.append(text)
    return errors, warnings
