"""The checks themselves catch what they are for: a check that cannot fail proves nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.harness import PHONE
from tests.browser.harness import assert_focus_visible
from tests.browser.harness import axe_violations
from tests.browser.harness import javascript_enabled
from tests.browser.harness import small_screen_problems
from tests.browser.harness import validate_html

BROKEN = """<!doctype html><html><head><title>x</title></head><body>
<img src="data:,"><input id="q"><a href="#" style="color:#eee;background:#fff">low</a>
</body></html>"""


def test_axe_reports_wcag_violations(js_page: Page) -> None:
    js_page.set_content(BROKEN)
    found = {v["id"]: v["nodes"] for v in axe_violations(js_page)}
    assert {"html-has-lang", "image-alt", "label", "color-contrast"} <= set(found), found
    assert found["image-alt"] == ["img"]


def test_focus_without_outline_or_shadow_is_caught(js_page: Page) -> None:
    js_page.set_content(
        '<!doctype html><html lang="en"><title>x</title>'
        '<button style="outline:none;box-shadow:none">Go</button>'
        '<a href="#" style="outline:3px solid red">Here</a>'
    )
    js_page.keyboard.press("Tab")
    with pytest.raises(AssertionError, match="no visible focus"):
        assert_focus_visible(js_page)
    js_page.keyboard.press("Tab")
    assert assert_focus_visible(js_page)["text"] == "Here"


SMALL = """<!doctype html><html lang="vi"><title>x</title><style>
body { font: 18px/1.5 sans-serif; margin: 0 } .big { display: inline-block; min-height: 44px }
</style><header><small>Nhỏ quá</small></header><main>
<p><a href="/a">Đứng một mình</a></p>
<p>Trong câu văn, <a href="/b">liên kết này</a> được miễn.</p>
<p><a class="big" href="/c">Đủ lớn</a> <button style="font-size:12px">Bấm</button></p>
<p><input type="checkbox" id="c"><label for="c">Đồng ý</label></p>
<p class="visually-hidden" style="position:absolute;width:1px;height:1px;overflow:hidden;
  font-size:10px">Ẩn</p><a href="#" style="position:absolute;left:-999em">Bỏ qua</a>
</main><footer style="font-size:12px">Chân trang</footer>"""


def test_small_targets_and_small_text_are_caught(js_page: Page) -> None:
    js_page.set_viewport_size(PHONE)
    js_page.set_content(SMALL)
    problems = small_screen_problems(js_page)
    found = "\n".join(problems)
    assert len(problems) == 5, found
    for what in ("Đứng một mình", "Bấm", "Đồng ý"):
        assert re.search(rf'^target [\d.]+ px tall: .*"{what}"$', found, re.M), found
    assert re.search(r'^text 12 px: .*button "Bấm"$', found, re.M), found
    assert re.search(r'^text 15 px: header > small "Nhỏ quá"$', found, re.M), found


def test_the_html_checker_reports_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text('<!doctype html><html lang="vi"><title>Được</title><p>Xin chào</p>')
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html lang="vi"><title>x</title><p hx-get="/">a<div></p>')
    errors, _ = validate_html({good: "/good", bad: "/bad"})
    assert errors and all(line.startswith("/bad line") for line in errors), errors
    assert any("hx-get" in line for line in errors), errors


def test_the_audit_tells_whether_scripts_run(page: Page, js: bool) -> None:
    page.set_content("<!doctype html><title>x</title><p>x</p>")
    assert javascript_enabled(page) is js
