from typing import Any


def load(*, actor: Any) -> None:
    """Load this app's demo records (idempotent)."""
