"""Byte budgets: deterministic, so they are tests (DESIGN.md, Budgets)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import HX
from tests.journeys import KHAI_SINH
from tests.journeys import KHAI_SINH_UPLOADS
from tests.journeys import Applicant
from tests.pages import gzipped_size
from tests.pages import parse

ROOT = Path(__file__).resolve().parents[2]
PAGE_BUDGET = 14 * 1024
CSS_BUDGET = 8 * 1024
OWN_JS_BUDGET = 4 * 1024

# Each page with what proves it is the real page and not an empty shell or an error page.
CITIZEN_PAGES = [
    ("/", "ul.links li a[href^='/thu-tuc/']"),
    ("/thu-tuc", "ol.results li a"),
    ("/thu-tuc?q=khai+sinh", "ol.results li a"),
    ("/thu-tuc?q=dang+ky&trang=2", ".pager a[rel=prev]"),
    ("/thu-tuc?q=qqzzxx+wwkk", ".empty h2"),
    ("/thu-tuc/1.001193", "section.official :is(td, dd)"),
    ("/thu-tuc/1.004222", "section.official :is(td, dd)"),
    ("/thu-tuc/1.013225", "section.official :is(td, dd)"),
    ("/thu-tuc/1.001193/in", "ul.tick li"),
    ("/thu-tuc/2.000815", "section.official :is(td, dd)"),
    ("/tra-cuu", "form input[name=ma]"),
    ("/tra-cuu?ma={code}", ".status-card .status-now"),
    ("/xa", "ul.centres li a"),  # all 148 communes of the province
    ("/xa/8152", "dl.facts dd"),
]


def dossier_code(app: Flask) -> str:
    """A dossier sent online (each test starts without the rows of the ones before)."""
    person = Applicant(app.test_client())
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    return done.select_one(".dossier-code").get_text(strip=True)


@pytest.mark.parametrize(("url", "content"), CITIZEN_PAGES)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_citizen_page_fits_the_first_round_trip(
    app: Flask, client: FlaskClient, url: str, content: str, lang: str
) -> None:
    if "{code}" in url:
        url = url.format(code=dossier_code(app))
    client.get(f"/?lang={lang}")
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = parse(response)
    assert page.select_one(content), f"{url} ({lang}) has no {content}"
    size = gzipped_size(response)
    assert size <= PAGE_BUDGET, f"{url} ({lang}) is {size} bytes gzip'd"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_page_not_found_fits_the_first_round_trip(client: FlaskClient, lang: str) -> None:
    client.get(f"/?lang={lang}")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert parse(response).select_one("main#main h1")
    assert gzipped_size(response) <= PAGE_BUDGET


def test_every_procedure_page_of_the_commune_fits(client: FlaskClient) -> None:
    from tests.test_data import expected_commune_codes

    too_big = {}
    for code in sorted(expected_commune_codes()):
        response = client.get(f"/thu-tuc/{code}?lang=vi")
        assert response.status_code == 200, code
        if gzipped_size(response) > PAGE_BUDGET:
            too_big[code] = gzipped_size(response)
    assert not too_big, too_big


def test_live_search_fragment_is_small(client: FlaskClient) -> None:
    size = gzipped_size(client.get("/thu-tuc?q=dang+ky", headers=HX))
    assert size <= 4 * 1024, size


def test_css_budget() -> None:
    files = list((ROOT / "static" / "css").glob("*.css"))
    assert len(files) == 1, "one stylesheet"
    assert len(gzip.compress(files[0].read_bytes(), 9)) <= CSS_BUDGET


def test_own_javascript_budget() -> None:
    total = sum(
        len(gzip.compress(p.read_bytes(), 9)) for p in (ROOT / "static" / "js").glob("*.js")
    )
    assert total <= OWN_JS_BUDGET
