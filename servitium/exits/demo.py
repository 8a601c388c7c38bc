def load(actor=None) -> None:
    return None
