"""A small in-process cache of whole catalogue pages, compressed once.

Catalogue pages depend only on the URL, the language, whether htmx asked for a fragment and
the catalogue's version, so each worker keeps the most recent ones as ready-to-send bytes
(kept gzip'd, brotli made on first use). They carry an ETag, so a phone that already has the page
gets a 304 of a few bytes. Pages that show personal data must never use this.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response
from flask import current_app
from flask import request
from flask_babel import get_locale

from blueprints.catalog import index as catalog_index
from blueprints.compression import encode
from blueprints.compression import preferred_encoding
from blueprints.htmx import is_fragment_request

_lock = threading.Lock()
_pages: OrderedDict[tuple, dict[str, bytes]] = OrderedDict()


def _remember(key: tuple, bodies: dict[str, bytes]) -> None:
    with _lock:
        _pages[key] = bodies
        _pages.move_to_end(key)
        while len(_pages) > current_app.config["PAGE_CACHE_SIZE"]:
            _pages.popitem(last=False)


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
        )
        bodies = _pages.get(key)
        if bodies is None:
            html = view(*args, **kwargs).encode()
            # Kept compressed only: a worker holds many pages in little memory.
            bodies = {
                "gzip": encode(html, "gzip"),
                "etag": hashlib.sha256(html).hexdigest()[:20].encode(),
            }
            _remember(key, bodies)
        encoding = preferred_encoding()
        if encoding == "identity":
            body = gzip.decompress(bodies["gzip"])  # rare: a client that takes no compression
        else:
            if encoding not in bodies:
                bodies[encoding] = encode(gzip.decompress(bodies["gzip"]), encoding)
            body = bodies[encoding]
        etag = f"{bodies['etag'].decode()}-{encoding}"
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
