"""The API of availability and continuity."""


def register(router) -> None:
    """Add this app's resources to the API router."""
