"""The API of budgeting and accounting."""


def register(router) -> None:
    """Add this app's resources to the API router."""
