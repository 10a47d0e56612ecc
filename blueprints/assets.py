"""Static files with a content hash in the URL, compressed once and cached for a year.

Werkzeug's file responses pass through Flask-Compress uncompressed, and htmx alone is 52 KB
raw against 17 KB gzip'd: on a 2G link that is seconds. So each file is read, hashed and
compressed (brotli and gzip) once per process and kept in memory; the set is small and fixed.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Blueprint
from flask import Flask
from flask import Request
from flask import Response
from flask import abort
from flask import current_app
from flask import request
from flask import url_for
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from flask.sessions import SessionMixin
from werkzeug.security import safe_join

bp = Blueprint("assets", __name__)

ONE_YEAR = 31_536_000
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml"}


@dataclass(frozen=True)
class Asset:
    digest: str
    mimetype: str
    mtime: float
    bodies: dict[str, bytes]  # encoding ("br", "gzip", "identity") → bytes


_cache: dict[str, Asset] = {}


def static_root() -> Path:
    return Path(current_app.root_path) / "static"


def load(filename: str) -> Asset | None:
    """The asset for a file under static/, from memory when it has not changed."""
    cached = _cache.get(filename)
    # Every page links two files: outside debug they are read once per process, with no stat.
    if cached is not None and not current_app.debug:
        return cached
    joined = safe_join(str(static_root()), filename)
    if joined is None:
        return None
    path = Path(joined)
    try:
        # In debug, checking mtime lets `flask run` pick up edits without a restart.
        stat = path.stat()
    except (OSError, ValueError):
        # Not there, or a name the file system cannot even look up (longer than NAME_MAX).
        return None
    if not path.is_file():
        return None
    mtime = stat.st_mtime
    if cached is not None and cached.mtime == mtime:
        return cached
    raw = path.read_bytes()
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    bodies = {"identity": raw}
    if mimetype in COMPRESSIBLE:
        bodies["gzip"] = gzip.compress(raw, compresslevel=9, mtime=0)
        bodies["br"] = brotli.compress(raw, quality=11)
    asset = Asset(hashlib.sha256(raw).hexdigest()[:12], mimetype, mtime, bodies)
    _cache[filename] = asset
    return asset


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, never touched by a static file's answer.

    Flask-Login looks at the session after every request, and Flask then adds "Vary: Cookie",
    which would make shared caches keep one copy of the CSS per visitor.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Most requests carry no session cookie: an empty session needs no signing
        # serializer, which Flask builds anew on every request before looking.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.endpoint == "assets.static":
            return
        if not session and not session.modified:
            # Most pages: no session, nothing to write. Flask would look up six cookie
            # settings and parse the Vary header first; only the Vary is needed here.
            if session.accessed and "Cookie" not in response.headers.get("Vary", ""):
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


_urls: dict[tuple[str, str, str], str] = {}


def asset_url(filename: str) -> str:
    """URL of a static file, with its content hash (template global)."""
    asset = load(filename)
    digest = asset.digest if asset else "missing"
    # Every page asks for the same two: building them with url_for cost more than the <head>.
    key = (request.script_root, filename, digest)
    found = _urls.get(key)
    if found is None:
        found = _urls[key] = url_for("assets.static", digest=digest, filename=filename)
    return found


@bp.route("/static/<digest>/<path:filename>")
def static(digest: str, filename: str) -> Response:
    """A static file, compressed for the browser, immutable when the hash matches."""
    asset = load(filename)
    if asset is None:
        abort(404)
    encoding = "identity"
    for candidate in ("br", "gzip"):
        if candidate in asset.bodies and candidate in request.accept_encodings:
            encoding = candidate
            break
    response = Response(asset.bodies[encoding], mimetype=asset.mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{asset.digest}-{encoding}")
    if digest == asset.digest:
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    else:
        # An old page asked for an old hash: give the current file, but do not pin it.
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
