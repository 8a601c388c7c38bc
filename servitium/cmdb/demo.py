def load(actor) -> None:
    pass
