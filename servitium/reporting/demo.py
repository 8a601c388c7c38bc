"""Demo records of service reporting."""

from typing import Any


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
