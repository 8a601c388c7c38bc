"""Demo records of information security."""

from typing import Any


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
