"""Static files collected only when they changed.

`servitium run` and `servitium demo` collect the static files before serving. With compressed, hashed
files (WhiteNoise) that hashes and compresses every file again on each start: about 40 s of CPU on a
2-core machine, every restart, for files that only change with an upgrade. The collection is skipped when
a fingerprint of the source files (each file's path, size and modification time, the storage and the
static URL) equals the one written by the last collection that finished and its manifest is still there.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.core.management import call_command

FINGERPRINT = ".servitium-collected"
MANIFEST = "staticfiles.json"


def fingerprint() -> str:
    """What the collected files are made from: every source file the finders list, as Django's
    collectstatic would take it (first finder wins a path), with its size and modification time."""
    seen: dict[str, tuple[int, int]] = {}
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            if path in seen:
                continue
            stat = Path(storage.path(path)).stat()
            seen[path] = (stat.st_size, stat.st_mtime_ns)
    digest = hashlib.sha256()
    digest.update(repr((settings.STORAGES["staticfiles"]["BACKEND"], settings.STATIC_URL)).encode())
    for path in sorted(seen):
        digest.update(f"{path}\0{seen[path][0]}\0{seen[path][1]}\n".encode())
    return digest.hexdigest()


def collect_if_changed() -> bool:
    """Collect the static files unless the last collection was made from the same files. Returns
    whether it collected."""
    root = Path(settings.STATIC_ROOT)
    marker = root / FINGERPRINT
    current = fingerprint()
    hashed = isinstance(storages["staticfiles"], ManifestFilesMixin)
    if marker.exists() and marker.read_text() == current and (not hashed or (root / MANIFEST).exists()):
        return False
    marker.unlink(missing_ok=True)  # a collection cut short leaves no fingerprint behind
    call_command("collectstatic", interactive=False, verbosity=0)
    root.mkdir(parents=True, exist_ok=True)
    marker.write_text(current)
    return True
