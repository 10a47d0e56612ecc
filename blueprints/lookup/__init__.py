"""Status lookup (tra cứu hồ sơ) by dossier code."""

from blueprints.lookup.views import bp

__all__ = ["bp"]
