"""Demo records of capacity and demand."""

from typing import Any


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
