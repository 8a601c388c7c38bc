"""REST resources of configuration management (to be filled)."""


def register(router) -> None:
    pass
