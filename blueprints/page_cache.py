"""A small in-process cache of whole catalogue pages, compressed once.

Catalogue pages depend only on the URL, the language, whether htmx asked for a fragment, the
catalogue's version and the centre the person chose (its name, address and phone are in the
header and footer), so each worker keeps the most recent ones as ready-to-send bytes
(compressed cheaply when first rendered, once at a high level when asked for again). They
carry an ETag, so a phone that already has the page gets a 304 of a few bytes. Pages that
show personal data must never use this.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import brotli
from flask import Response
from flask import current_app
from flask import request
from flask_babel import get_locale

from blueprints import centre_choice
from blueprints.compression import encode
from blueprints.compression import preferred_encoding
from blueprints.htmx import is_fragment_request
from services import catalog_index

_lock = threading.Lock()


@dataclass
class Page:
    """A rendered page, kept compressed only: a worker holds many pages in little memory."""

    etag: str
    bodies: dict[str, bytes]  # encoding -> body, only those asked for so far
    stored: bool = False  # compressed at the high level, for a page seen more than once

    def html(self) -> bytes:
        encoding, body = next(iter(self.bodies.items()))
        return decode(body, encoding)


_pages: OrderedDict[tuple, Page] = OrderedDict()


def decode(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.decompress(body)
    return gzip.decompress(body)


def _remember(key: tuple, page: Page) -> None:
    with _lock:
        _pages[key] = page
        _pages.move_to_end(key)
        while len(_pages) > current_app.config["PAGE_CACHE_SIZE"]:
            _pages.popitem(last=False)


def _body(key: tuple, page: Page, encoding: str) -> bytes:
    """The page in an encoding; a page asked for again is compressed once at the high level.

    Most searches are typed once: their first answer gets the cheap level, like any dynamic
    answer, and only a page that comes back pays for the high one.
    """
    if not page.stored:
        html = page.html()
        page = Page(page.etag, {encoding: encode(html, encoding, "stored")}, stored=True)
        _remember(key, page)
    elif encoding not in page.bodies:
        # A new dict, not a write into the shared one another thread may be reading.
        bodies = {**page.bodies, encoding: encode(page.html(), encoding, "stored")}
        page = Page(page.etag, bodies, stored=True)
        _remember(key, page)
    return page.bodies[encoding]


def cached_page(view: Callable[..., str]) -> Callable[..., Response]:
    """Serve a public catalogue page from the cache, rendering it on a miss."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        version = catalog_index.current().version
        key = (
            current_app.config["SQLALCHEMY_DATABASE_URI"],
            version,
            request.full_path,
            str(get_locale()),
            is_fragment_request(),
            # The header and footer show the person's centre: one page per centre.
            centre_choice.cache_key(),
        )
        encoding = preferred_encoding()
        page = _pages.get(key)
        if page is None:
            html = view(*args, **kwargs).encode()
            stored = "gzip" if encoding == "identity" else encoding
            page = Page(
                hashlib.sha256(html).hexdigest()[:20], {stored: encode(html, stored, "dynamic")}
            )
            _remember(key, page)
            body = html if encoding == "identity" else page.bodies[encoding]
        elif encoding == "identity":
            body = page.html()  # rare: a client that takes no compression
        else:
            body = _body(key, page, encoding)
        etag = f"{page.etag}-{encoding}"
        if etag in request.if_none_match:
            response = Response(status=304)
        else:
            response = Response(body, mimetype="text/html")
            if encoding != "identity":
                response.headers["Content-Encoding"] = encoding
        # Headers set in one go: this path is most of the catalogue's traffic.
        response.headers["ETag"] = f'"{etag}"'
        response.headers["Vary"] = "Accept-Encoding, HX-Request, Cookie"
        # Revalidate every time: a 304 costs one short round trip and is never stale.
        response.headers["Cache-Control"] = "no-cache"
        return response

    return wrapper
