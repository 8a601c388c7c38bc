"""REST resources of resources and competence."""

from __future__ import annotations


def register(router) -> None:
    """Add this app's resources to the API router."""
