"""The API of information security."""


def register(router) -> None:
    """Add this app's resources to the API router."""
