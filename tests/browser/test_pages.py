"""Every public page, loaded directly, passes the page checks (axe, HTML, small screens).

The flows in test_catalog_flows.py reach most pages by clicking; this list makes sure the
rest (empty results, filters, paging, records without details, errors, English) are checked
too. A new public page is one more line here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.harness import PageAudit

PUBLIC_PAGES = [
    "/",
    "/thu-tuc",
    "/thu-tuc?q=khai+sinh",
    "/thu-tuc?q=zzqqxx",  # nothing found: advice and suggestions
    "/thu-tuc?linh-vuc=ho-tich",
    "/thu-tuc?truc-tuyen=1",
    "/thu-tuc?trang=2",
    "/thu-tuc/1.001193",  # official record and plain guide
    "/thu-tuc/1.001193/in",
    "/thu-tuc/2.000884",  # a plain guide, no official record on the page
    "/thu-tuc/3.000611",  # neither
    "/thu-tuc/3.000611/in",
    "/thu-tuc/1.013225/in",  # the longest official list: printed shortened
    "/thu-tuc/1.003583",  # an isWard record the department filter missed
    "/thu-tuc/2.001263",  # no record, no department: our decision, its agency
    "/tra-cuu",
    "/tra-cuu?ma=abc",  # a malformed code: the error next to the field
    "/tra-cuu?ma=08566-261128-0001",  # well formed, unknown
    "/?lang=en",
    "/thu-tuc?q=khai+sinh&lang=en",
    "/thu-tuc/1.001193?lang=en",
    "/thu-tuc/1.001193/in?lang=en",
    "/thu-tuc?lang=en",  # our English names in the results
    "/thu-tuc/2.001263?lang=en",  # English name, the official Vietnamese one beside it
    "/thu-tuc/2.001263/in?lang=en",
    "/tra-cuu?ma=abc&lang=en",
    "/quyen-rieng-tu",
    "/tiep-can",
    "/tiep-can?lang=en",
    "/xa",  # the province's centres, to choose one's own
    "/xa?q=zzz",  # none found
    "/xa/thanh-ba",  # a centre's page, by name
    "/xa/8152?lang=en",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page(page: Page, audit: PageAudit, path: str) -> None:
    audit.visit(page, path)


def test_not_found_page(page: Page, audit: PageAudit) -> None:
    audit.visit(page, "/thu-tuc/9.999999", status=404)
    # Chromium reports the 404 of the page itself as a console error.
    page.motcua_problems[:] = [p for p in page.motcua_problems if "404" not in p]
