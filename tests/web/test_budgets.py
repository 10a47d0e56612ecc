"""Byte budgets: deterministic, so they are tests (DESIGN.md, Budgets)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import HX
from tests.pages import gzipped_size

ROOT = Path(__file__).resolve().parents[2]
PAGE_BUDGET = 14 * 1024
CSS_BUDGET = 8 * 1024
OWN_JS_BUDGET = 4 * 1024

CITIZEN_PAGES = [
    "/",
    "/thu-tuc",
    "/thu-tuc?q=khai+sinh",
    "/thu-tuc?q=dang+ky&trang=2",
    "/thu-tuc?q=khong+co+thu+tuc+nay",
    "/thu-tuc/1.001193",
    "/thu-tuc/1.004222",
    "/thu-tuc/1.013225",
    "/thu-tuc/1.001193/in",
    "/thu-tuc/2.000815",
    "/tra-cuu",
    "/tra-cuu?ma=08566-261128-0001",
    "/khong-co-trang-nay",
]


@pytest.mark.parametrize("url", CITIZEN_PAGES)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_citizen_page_fits_the_first_round_trip(
    client: FlaskClient, url: str, lang: str
) -> None:
    client.get(f"/?lang={lang}")
    response = client.get(url)
    assert response.status_code in {200, 404}
    size = gzipped_size(response)
    assert size <= PAGE_BUDGET, f"{url} ({lang}) is {size} bytes gzip'd"


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
