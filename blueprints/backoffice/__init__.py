"""The back office (/can-bo) for the one-stop centre's staff."""

from blueprints.backoffice import admin  # noqa: F401  (registers the administration pages)
from blueprints.backoffice import centre  # noqa: F401  (registers the centre's settings page)
from blueprints.backoffice import province  # noqa: F401  (registers the province's pages)
from blueprints.backoffice.views import bp

__all__ = ["bp"]
