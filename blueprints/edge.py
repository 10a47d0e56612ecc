"""Where a request comes in: its text cleaned once, its ids read as bounded ASCII numbers.

Done here, before any view, so that no view can forget: a NUL typed in a login name or a form
answer never reaches the database (PostgreSQL refuses it in text, and the request would end
in a 500), and an id in a URL is a number the database's integer can hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from flask import Flask
from flask import abort
from flask import request
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError

from domain import numbers
from domain.validators import without_controls

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment

RAW_BYTE = re.compile(rb"[\x80-\xff]")
PATH_CONTROLS = re.compile("[\x00-\x1f\x7f]")


def _percent(match: re.Match[bytes]) -> bytes:
    return b"%%%02X" % match[0][0]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, FileStorage) and value.filename:
        # The name of an uploaded file is kept with it and shown to staff.
        value.filename = without_controls(value.filename)
    return value


class CleanValues(ImmutableMultiDict):
    """Query and form values (and file names) without control characters."""

    def __init__(self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs: Iterable[tuple[str, Any]] = mapping.items(multi=True)
        elif isinstance(mapping, Mapping):
            pairs = (
                (key, item)
                for key, value in mapping.items()
                for item in (value if isinstance(value, list | tuple) else [value])
            )
        else:
            pairs = mapping
        super().__init__([(_clean(key), _clean(value)) for key, value in pairs])


class CleanRequest(HtmxAwareRequest):
    """The request (htmx-aware, as htmx_flask makes it), with only clean text in it."""

    parameter_storage_class = CleanValues

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Werkzeug decodes the query as strict UTF-8 (for args, full_path, url): bytes sent
        # unencoded, as some old phones and scripts do, would raise. Percent-encoded, they
        # decode as any other bytes in a URL.
        self.query_string = RAW_BYTE.sub(_percent, self.query_string)


class IdConverter(BaseConverter):
    """`<id:name>`: a row id in ASCII digits that the database's integer can hold, else 404."""

    regex = r"[0-9]{1,20}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = numbers.whole(value)
        if number is None or number < 1:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def refuse_control_characters_in_path() -> None:
    # No URL of the portal has one; a draft id or a code with a NUL would reach the database.
    if PATH_CONTROLS.search(request.path):
        abort(404)


def register_edge(app: Flask) -> None:
    """Install the clean request and the id converter (before any route is added)."""
    app.request_class = CleanRequest
    app.url_map.converters["id"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_control_characters_in_path)


class SecurityHeaders:
    """WSGI middleware: the security headers, on every answer the app gives.

    Added to the plain list of headers the answer is sent with: as an after-request hook,
    werkzeug's Headers checked and rewrote each one on every answer, a tenth of serving a
    cached page. An answer that has a header of the same name keeps its own (a staff file
    download has a stricter Content-Security-Policy).
    """

    def __init__(self, app: WSGIApplication, headers: Iterable[tuple[str, str]]) -> None:
        self.app = app
        self.headers = [(name.lower(), name, value) for name, value in headers]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _value in headers}
            headers.extend((name, value) for low, name, value in self.headers if low not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)
