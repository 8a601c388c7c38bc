"""The API of capacity and demand."""


def register(router) -> None:
    """Add this app's resources to the API router."""
