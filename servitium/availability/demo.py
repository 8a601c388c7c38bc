"""Demo records of availability and continuity."""

from typing import Any


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
