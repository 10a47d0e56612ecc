"""Compressing answers ourselves where Flask-Compress does not: cached pages and error pages.

Flask-Compress leaves every status outside 2xx alone, but a form sent back with its errors
(422) is a whole page too, and on a 2G link it matters as much as any other.

Two levels. An answer made for one request is compressed at the cheap level Flask-Compress
also uses (COMPRESS_BR_LEVEL, COMPRESS_LEVEL): brotli 9 took almost as long as rendering the
page, for a few percent fewer bytes. An answer sent many times (a cached page seen again) is
compressed once at the high level, where those few percent are paid for only once.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from typing import Literal

import brotli
from flask import Response
from flask import current_app
from flask import request
from werkzeug.http import parse_accept_header

Level = Literal["dynamic", "stored"]
# Brotli 9 rather than 11 for stored pages: a cached page is upgraded on a request's path.
STORED_LEVELS = {"br": 9, "gzip": 9}
# Brotli's window is 2**bits - 16 bytes; 16 to 22 bits are 64 kB to brotli's default 4 MB.
MIN_WINDOW_BITS, MAX_WINDOW_BITS, WINDOW_SLACK = 16, 22, 16


def level_for(encoding: str, level: Level) -> int:
    """The compression level of an encoding for an answer made once or kept."""
    if level == "stored":
        return STORED_LEVELS[encoding]
    key = "COMPRESS_BR_LEVEL" if encoding == "br" else "COMPRESS_LEVEL"
    return int(current_app.config[key])


def window_bits(size: int) -> int:
    """A brotli window that holds the whole body, no larger than needed (the default is 4 MB).

    Setting up the 4 MB window was half the cost of compressing a 15 kB page; any window
    as large as the body finds every match the large one would, so the bytes are the same.
    """
    return max(MIN_WINDOW_BITS, min(MAX_WINDOW_BITS, (size + WINDOW_SLACK).bit_length()))


def encode(body: bytes, encoding: str, level: Level = "dynamic") -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=level_for("br", level), lgwin=window_bits(len(body)))
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=level_for("gzip", level), mtime=0)
    return body


def preferred_encoding() -> str:
    """The encoding this request's client prefers of ours: brotli, gzip or none."""
    return _preferred(request.headers.get("Accept-Encoding", ""))


@lru_cache(maxsize=256)
def _preferred(accept_encoding: str) -> str:
    # Browsers send one of a few strings; parsing one with its q-values on every request
    # cost as much as the rest of serving a cached page.
    accepted = parse_accept_header(accept_encoding)
    for encoding in ("br", "gzip"):
        if encoding in accepted:
            return encoding
    return "identity"


def compress_error_pages(response: Response) -> Response:
    """Compress an HTML answer with a 4xx or 5xx status (after_app_request hook)."""
    if (
        response.status_code < 400
        or response.mimetype != "text/html"
        or response.direct_passthrough
        or "Content-Encoding" in response.headers
    ):
        return response
    response.vary.add("Accept-Encoding")
    encoding = preferred_encoding()
    body = response.get_data()
    if encoding == "identity" or len(body) < current_app.config["COMPRESS_MIN_SIZE"]:
        return response
    response.set_data(encode(body, encoding))
    response.headers["Content-Encoding"] = encoding
    return response
