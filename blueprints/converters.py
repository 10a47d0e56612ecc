"""URL converters every area shares, registered on the app's url_map before any blueprint."""

from __future__ import annotations

from werkzeug.routing import BaseConverter

from domain.procedures import CODE_PATTERN


class ProcedureCode(BaseConverter):
    """`<procedure:code>`: a procedure code, d.dddddd; anything else is not that route."""

    regex = CODE_PATTERN
