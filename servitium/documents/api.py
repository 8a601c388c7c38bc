"""REST resources of documented information."""

from __future__ import annotations


def register(router) -> None:
    """Add this app's resources to the API router."""
