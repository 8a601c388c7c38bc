"""REST resources of agreements."""


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
