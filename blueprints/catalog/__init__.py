"""The procedure catalogue: home page, search, detail and printable checklist."""

from blueprints.catalog.views import bp

__all__ = ["bp"]
