"""Demo data of improvement."""

from __future__ import annotations

from typing import Any


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
