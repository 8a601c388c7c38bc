"""Where a benchmark writes its figures (`--json FILE`): the folder is made if it is not there yet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def save(path: str, figures: Any) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures, indent=2))
