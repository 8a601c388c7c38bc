"""The API of service reporting."""


def register(router) -> None:
    """Add this app's resources to the API router."""
