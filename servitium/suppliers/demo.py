"""Demo data of suppliers (called from servitium.demo after parties and catalogue exist)."""


def load(*, actor) -> None:
    """Create this app's demo records idempotently."""
