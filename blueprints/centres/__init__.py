"""The province's commune centres (/xa): each one's public page, and choosing one's own."""

from blueprints.centres.views import bp

__all__ = ["bp"]
