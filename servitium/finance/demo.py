"""Demo records of budgeting and accounting."""

from typing import Any


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
