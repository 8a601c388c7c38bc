def register(router) -> None:
    """Register this app's API resources."""
