"""REST resources of problem management (to be filled)."""


def register(router) -> None:
    pass
