"""Which compression level each kind of answer gets, seen by the compressor called, not by time.

An answer made for one request gets the cheap level; a cached page asked for again gets the
high level once and is then sent as kept; static files the highest, once per process.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator

import brotli
import flask_compress.flask_compress as flask_compress_module
import pytest
from flask import Flask
from flask.testing import FlaskClient

from blueprints import assets
from blueprints import compression
from tests.pages import parse

_unique = itertools.count()


@pytest.fixture
def calls(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every brotli and gzip compression made while the test runs, as (encoding, level)."""
    # A first page makes the static files the templates link to (compressed once, apart).
    client.get(fresh_search())
    made: list[tuple[str, int]] = []
    real_brotli, real_gzip = brotli.compress, gzip.compress

    def spy_brotli(data: bytes, *args: object, quality: int = 11, **kwargs: object) -> bytes:
        made.append(("br", quality))
        return real_brotli(data, *args, quality=quality, **kwargs)

    def spy_gzip(data: bytes, compresslevel: int = 9, **kwargs: object) -> bytes:
        made.append(("gzip", compresslevel))
        return real_gzip(data, compresslevel=compresslevel, **kwargs)

    # Flask-Compress may hold its own gzip and brotli modules (compat), so each is patched.
    for module in {compression.brotli, flask_compress_module.brotli, assets.brotli}:
        monkeypatch.setattr(module, "compress", spy_brotli)
    gzips = {compression.gzip, flask_compress_module.compression.gzip, assets.gzip}
    for module in gzips:
        monkeypatch.setattr(module, "compress", spy_gzip)
    yield made


def fresh_search() -> str:
    """A catalogue URL no earlier request made, so the page cache misses."""
    return f"/thu-tuc?q=khai+sinh&lan={next(_unique)}"


@pytest.mark.parametrize(("encoding", "cheap", "high"), [("br", 4, 9), ("gzip", 6, 9)])
def test_a_cached_page_is_compressed_cheaply_first_and_well_once_when_it_comes_back(
    client: FlaskClient, calls: list[tuple[str, int]], encoding: str, cheap: int, high: int
) -> None:
    url = fresh_search()
    headers = {"Accept-Encoding": encoding}
    first = client.get(url, headers=headers)
    assert first.headers["Content-Encoding"] == encoding
    assert calls == [(encoding, cheap)]
    second = client.get(url, headers=headers)
    assert calls == [(encoding, cheap), (encoding, high)]
    third = client.get(url, headers=headers)
    assert calls == [(encoding, cheap), (encoding, high)], "kept, not compressed again"
    assert third.data == second.data
    decode = brotli.decompress if encoding == "br" else gzip.decompress
    assert decode(first.data) == decode(second.data) == decode(third.data)
    assert b'<ol class="results"' in decode(third.data)
    # The same page, whatever the level: a phone holding the first copy gets a 304.
    assert first.headers["ETag"] == third.headers["ETag"]
    again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_cached_page_in_another_encoding_is_made_once_at_the_high_level(
    client: FlaskClient, calls: list[tuple[str, int]]
) -> None:
    url = fresh_search()
    client.get(url, headers={"Accept-Encoding": "br"})
    client.get(url, headers={"Accept-Encoding": "br"})
    calls.clear()
    for _ in range(2):
        page = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert page.headers["Content-Encoding"] == "gzip"
        assert b"<html" in gzip.decompress(page.data)
    assert calls == [("gzip", 9)]
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.data


@pytest.mark.parametrize(("encoding", "cheap"), [("br", 4), ("gzip", 6)])
def test_error_pages_get_the_cheap_level(
    client: FlaskClient, calls: list[tuple[str, int]], encoding: str, cheap: int
) -> None:
    missing = client.get("/khong-co-trang-nay", headers={"Accept-Encoding": encoding})
    assert missing.status_code == 404 and missing.headers["Content-Encoding"] == encoding
    assert calls == [(encoding, cheap)]


@pytest.mark.parametrize(("encoding", "cheap"), [("br", 4), ("gzip", 6)])
def test_dynamic_pages_get_the_cheap_level(
    client: FlaskClient, calls: list[tuple[str, int]], encoding: str, cheap: int
) -> None:
    page = client.get("/tra-cuu", headers={"Accept-Encoding": encoding})
    assert page.status_code == 200 and page.headers["Content-Encoding"] == encoding
    assert set(calls) == {(encoding, cheap)}


def test_static_files_keep_the_highest_level_made_once(
    client: FlaskClient, calls: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = parse(client.get("/")).select_one("link[rel=stylesheet]")["href"]
    monkeypatch.setattr(assets, "_cache", {})  # as in a worker that just started
    calls.clear()
    for _ in range(2):
        css = client.get(url, headers={"Accept-Encoding": "br"})
        assert css.headers["Content-Encoding"] == "br"
    assert sorted(calls) == [("br", 11), ("gzip", 9)]


@pytest.mark.parametrize("size", [0, 100, 65_519, 65_520, 65_521, 300_000, 5_000_000])
def test_the_brotli_window_holds_the_whole_body(size: int) -> None:
    # A smaller window is cheaper to set up, and loses nothing while the body fits in it.
    bits = compression.window_bits(size)
    assert 16 <= bits <= 22
    assert (1 << bits) - 16 >= min(size, (1 << 22) - 16)
    body = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    with Flask(__name__).app_context() as ctx:
        ctx.app.config["COMPRESS_BR_LEVEL"] = 4
        assert brotli.decompress(compression.encode(body, "br")) == body
