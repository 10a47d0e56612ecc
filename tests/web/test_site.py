"""What every page shares: language switch, headers, static files, error pages."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.pages import check_page
from tests.pages import parse

ROOT = Path(__file__).resolve().parents[2]


def test_vietnamese_by_default_even_for_an_english_browser(client: FlaskClient) -> None:
    soup = parse(client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}))
    check_page(soup, lang="vi")
    switch = soup.select_one("a.lang")
    assert switch.get_text() == "English" and switch["hreflang"] == "en"


def test_language_switch_is_remembered_and_keeps_the_page(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc?q=khai+sinh"))
    href = soup.select_one("a.lang")["href"]
    assert href.startswith("/thu-tuc?") and "q=khai+sinh" in href and "lang=en" in href
    english = parse(client.get(href))
    check_page(english, lang="en")
    assert english.select_one("a.lang").get_text() == "Tiếng Việt"
    later = parse(client.get("/"))
    check_page(later, lang="en")
    assert later.select_one("a.skip").get_text() == "Skip to main content"
    back = parse(client.get(later.select_one("a.lang")["href"]))
    check_page(back, lang="vi")


def test_unknown_language_is_ignored(client: FlaskClient) -> None:
    check_page(parse(client.get("/?lang=fr")), lang="vi")


def test_layout_skip_link_header_footer(client: FlaskClient) -> None:
    soup = parse(client.get("/"))
    skip = soup.body.find("a")
    assert skip["href"] == "#main" and "skip" in skip["class"]
    footer = soup.select_one("footer").get_text(" ", strip=True)
    assert "Xã Tân Sơn" in footer and "Tỉnh Phú Thọ" in footer
    assert "07:30–11:30" in footer and "13:30–17:00" in footer
    assert soup.select_one("footer a[href='tel:18001096']")


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_html_is_compressed(client: FlaskClient) -> None:
    response = client.get("/thu-tuc", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.data)
    response = client.get("/thu-tuc", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert b"<html" in brotli.decompress(response.data)


def test_error_pages_and_refused_forms_are_compressed_too(client: FlaskClient) -> None:
    missing = client.get("/khong-co", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and missing.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in missing.headers["Vary"]
    assert "<html" in gzip.decompress(missing.data).decode()
    token = parse(client.get("/nop-ho-so/1.001193")).select_one("[name=csrf_token]")["value"]
    refused = client.post(
        "/nop-ho-so/1.001193",
        data={"csrf_token": token, "phone": "123"},
        headers={"Accept-Encoding": "br"},
    )
    assert refused.status_code == 422 and refused.headers["Content-Encoding"] == "br"
    page = brotli.decompress(refused.data).decode()
    assert 'value="123"' in page, "what was typed comes back"


def static_urls(client: FlaskClient) -> list[str]:
    soup = parse(client.get("/"))
    return [t.get("href") or t.get("src") for t in soup.select("link[rel=stylesheet], script[src]")]


def test_static_files_have_a_content_hash_and_a_year_of_cache(client: FlaskClient) -> None:
    urls = static_urls(client)
    assert len(urls) == 2
    for url in urls:
        assert re.match(r"^/static/[0-9a-f]{12}/", url), url
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "Cookie" not in response.headers["Vary"], "one cached copy for everyone"
        assert "Set-Cookie" not in response.headers
        etag = response.headers["ETag"]
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304


def test_a_stale_hash_still_serves_the_file_but_not_forever(client: FlaskClient) -> None:
    response = client.get("/static/000000000000/css/site.css")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/x/../app.py").status_code == 404
    assert client.get("/static/x/nothing.css").status_code == 404


def test_htmx_comes_from_npm_pinned_at_2_0(client: FlaskClient) -> None:
    url = next(u for u in static_urls(client) if "htmx" in u)
    body = client.get(url).get_data(as_text=True)
    version = re.search(r'version:"([\d.]+)"', body).group(1)
    assert version.startswith("2.0.")
    assert f'"htmx.org": "{version}"' in (ROOT / "package.json").read_text()
    lock = (ROOT / "package-lock.json").read_text()
    assert f'"version": "{version}"' in lock


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    @app.route("/__boom")
    def boom() -> str:
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_server_error_page_is_in_vietnamese(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/__boom")
    assert response.status_code == 500
    soup = parse(response)
    check_page(soup)
    assert soup.h1.get_text() == "Hệ thống đang gặp sự cố"


def test_method_not_allowed_page(client: FlaskClient) -> None:
    response = client.post("/thu-tuc", data={"csrf_token": "x"})
    assert response.status_code in {400, 405}
    check_page(parse(response))


def test_behind_a_proxy_each_person_keeps_their_own_address(make_app: Callable[..., Flask]) -> None:
    from domain.accounts import FREE_TRIES
    from tests.staff import PASSWORD
    from tests.staff import make_user
    from tests.staff import sign_in

    app = make_app(PROXIES=1)
    username = make_user(app, "tiep_nhan")
    guesser = app.test_client()
    guesser.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    for _ in range(FREE_TRIES):
        sign_in(guesser, username, "sai-mat-khau-roi")
    # The guesser's address waits for that name; the same name from another address does
    # not (the proxy's address alone would have made everyone wait).
    assert sign_in(guesser, username, PASSWORD).status_code == 422
    owner = app.test_client()
    owner.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.8"
    assert sign_in(owner, username, PASSWORD).status_code == 303


def test_every_language_is_offered_by_its_own_name(make_app: Callable[..., Flask]) -> None:
    app = make_app(LANGUAGES=["vi", "en", "th"])
    client = app.test_client()
    # /tra-cuu is never kept in the page cache, which other tests filled with two languages.
    links = {
        a["lang"]: a.get_text(strip=True) for a in parse(client.get("/tra-cuu")).select("a.lang")
    }
    assert links == {"en": "English", "th": "ไทย"}
    page = parse(client.get("/tra-cuu?lang=th"))
    assert page.html["lang"] == "th"
    links = {a["lang"]: a.get_text(strip=True) for a in page.select("a.lang")}
    assert links == {"vi": "Tiếng Việt", "en": "English"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_privacy_and_accessibility_pages_are_linked_from_every_page(
    client: FlaskClient, lang: str
) -> None:
    footer = parse(client.get(f"/thu-tuc?lang={lang}")).select_one("footer")
    links = [a["href"] for a in footer.select("a")]
    assert "/quyen-rieng-tu" in links and "/tiep-can" in links
    privacy = parse(client.get("/quyen-rieng-tu"))
    check_page(privacy, lang)
    days = client.application.config["DRAFT_DAYS"]
    assert f" {days} " in privacy.select_one("main").get_text()
    statement = parse(client.get("/tiep-can"))
    check_page(statement, lang)
    assert "WCAG 2.1" in statement.select_one("main").get_text()
    assert statement.select_one("main a[href^='tel:']")
