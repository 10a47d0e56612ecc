"""Guided online submission (nộp hồ sơ trực tuyến) that survives weak connections."""

from blueprints.apply.views import bp

__all__ = ["bp"]
