"""`servitium run` collects the static files only when they changed since the last collection: a restart
does not hash and compress every file again, an upgrade (or an edited file) does."""

from __future__ import annotations

import os

from servitium.core import staticprep


def test_static_files_are_collected_again_only_after_a_change(settings, tmp_path):
    source, root = tmp_path / "source", tmp_path / "collected"
    source.mkdir()
    (source / "servitium-extra.css").write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    assert staticprep.collect_if_changed() is True
    assert (root / "servitium-extra.css").read_text() == "body { color: black; }"
    assert staticprep.collect_if_changed() is False  # a restart: nothing changed, nothing collected

    edited = source / "servitium-extra.css"
    edited.write_text("body { color: #222; }")
    os.utime(edited, ns=(edited.stat().st_atime_ns, edited.stat().st_mtime_ns + 1_000_000_000))
    assert staticprep.collect_if_changed() is True
    assert (root / "servitium-extra.css").read_text() == "body { color: #222; }"

    (root / staticprep.FINGERPRINT).unlink()  # a collection that did not finish writes no fingerprint
    assert staticprep.collect_if_changed() is True
    assert staticprep.collect_if_changed() is False


def test_hashed_files_are_collected_again_when_their_manifest_is_gone(settings, tmp_path):
    root = tmp_path / "collected"
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    assert staticprep.collect_if_changed() is True and (root / staticprep.MANIFEST).exists()
    assert staticprep.collect_if_changed() is False
    (root / staticprep.MANIFEST).unlink()  # the pages would name files that are not there
    assert staticprep.collect_if_changed() is True and (root / staticprep.MANIFEST).exists()
