"""Compressing answers ourselves where Flask-Compress does not: cached pages and error pages.

Flask-Compress leaves every status outside 2xx alone, but a form sent back with its errors
(422) is a whole page too, and on a 2G link it matters as much as any other.
"""

from __future__ import annotations

import gzip

import brotli
from flask import Response
from flask import current_app
from flask import request


def encode(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=9)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=9, mtime=0)
    return body


def preferred_encoding() -> str:
    for encoding in ("br", "gzip"):
        if encoding in request.accept_encodings:
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
