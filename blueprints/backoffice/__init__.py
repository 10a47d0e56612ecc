"""The back office (/can-bo) for the one-stop centre's staff."""

from blueprints.backoffice.views import bp

__all__ = ["bp"]
