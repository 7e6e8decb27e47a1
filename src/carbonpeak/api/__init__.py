"""The HTTP faces: the JSON API under /api/v1 and, mounted beside it, the web pages."""

from carbonpeak.api.app import create_app

__all__ = ["create_app"]
