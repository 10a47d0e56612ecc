"""Every printable checklist comes out of Chromium as exactly one A4 page.

Outreach teams hand the sheet out folded once; a second page gets lost, and some official
lists ran to 20 pages. Printed as a person would: the page's own @page size (A4), no headers.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Page

from tests.browser.harness import LiveServer

# Chromium writes one page object per page, uncompressed: "/Type /Page" (not "/Pages").
PDF_PAGE = re.compile(rb"/Type\s*/Page[^s]")
IN_ENGLISH = ["1.001193", "1.004222", "1.013225", "2.000635"]


def english_named(server: LiveServer) -> list[str]:
    with sqlite3.connect(server.folder / "browser.sqlite3") as db:
        rows = db.execute("SELECT code FROM procedures WHERE name_en IS NOT NULL ORDER BY code")
        return [code for (code,) in rows]


def printable_codes(server: LiveServer) -> list[str]:
    """Published procedures with a checklist to print: a plain guide or an official list."""
    with sqlite3.connect(server.folder / "browser.sqlite3") as db:
        rows = db.execute(
            """SELECT code FROM procedures p WHERE published AND (guide IS NOT NULL OR EXISTS (
                   SELECT 1 FROM procedure_documents d
                   WHERE d.procedure_code = p.code AND d."group" IN ('submit', 'present')))
               ORDER BY code"""
        )
        return [code for (code,) in rows]


def printed_pages(page: Page, path: str) -> int:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    return len(PDF_PAGE.findall(page.pdf(prefer_css_page_size=True, print_background=True)))


def test_the_page_counter_counts_pages(js_page: Page) -> None:
    js_page.set_content(
        '<!doctype html><html lang="en"><title>x</title><style>@page{size:A4}</style>'
        '<p style="break-after:page">one</p><p style="break-after:page">two</p><p>three</p>'
    )
    assert len(PDF_PAGE.findall(js_page.pdf(prefer_css_page_size=True))) == 3


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_checklist_prints_on_one_a4_page(
    js_page: Page, live_server: LiveServer, lang: str
) -> None:
    codes = printable_codes(live_server)
    assert len(codes) >= 60  # the commune's 63 detail records and the guides
    if lang == "en":
        assert set(IN_ENGLISH) <= set(codes)
        # Our English names are longer than some Vietnamese ones: print each of them too.
        named = set(english_named(live_server))
        assert len(named) == 40
        codes = sorted(set(IN_ENGLISH) | (named & set(codes)))
    counts = {code: printed_pages(js_page, f"/thu-tuc/{code}/in?lang={lang}") for code in codes}
    too_long = {code: n for code, n in counts.items() if n != 1}
    assert not too_long, f"checklists ({lang}) not on exactly one page: {too_long}"
