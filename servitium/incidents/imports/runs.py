"""Imports started in the browser and carried out by the task queue, so that a large file never holds a
request open.

The page checks the mapping and each file's header first (web.py); `start` then stores the files in the
storage every node shares (the data directory, or the S3 bucket), records an `IncidentImportRun` and
queues the task `RunIncidentImport` (declared here) once that record is committed. `carry_out`, the
task's body, reads the files (local copies when the storage is remote), runs the importer with a progress
callback that writes to the record, keeps the report on the record and removes the files.
`forget_uploads`, a daily job, removes what a stopped worker left behind: the record stays, the files
go.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from servitium.core import services as core_services
from servitium.core.jobs import as_job

from ..models import IncidentImportRun, import_upload_path
from . import mapping as mapping_files
from .run import ImportStartError, run_files

logger = logging.getLogger(__name__)
S = IncidentImportRun.Status

OPTIONS = ("customer", "create_missing", "reference_prefix", "sheet")  # what run_files takes from the form
PROGRESS_SECONDS = 1.0  # the record is written at most about once a second ...
PROGRESS_STEP = 0.02  # ... unless the import has moved on by 2 % (or to another stage)
STALE = timedelta(days=1)  # an unfinished run not heard of for this long was lost with its worker


class _Move(File):
    """A local file the file system storage may move into place rather than copy."""

    def temporary_file_path(self) -> str:
        return self.file.name


def start(
    *,
    actor: Any,
    mapping: mapping_files.Mapping,
    files: list[tuple[Path, str]],
    options: dict[str, Any],
) -> IncidentImportRun:
    """Store the checked files, given as (path, uploaded name), record the run and queue it (once
    committed). The paths are consumed: the file system storage moves them into place."""
    size = sum(path.stat().st_size for path, _name in files)
    uploads: list[dict[str, str]] = []
    try:
        for path, name in files:
            with path.open("rb") as handle:
                stored = default_storage.save(import_upload_path(None, name), _Move(handle, name=name))
            uploads.append({"name": name, "stored": stored})
        with transaction.atomic():
            run = core_services.record_create(
                model=IncidentImportRun,
                data={},
                actor=actor,
                derived={
                    "started_by": actor,
                    "file_name": ", ".join(name for _path, name in files)[:255],
                    "uploads": uploads,
                    "size": size,
                    "mapping_name": mapping.name[:100],
                    "mapping_text": mapping.text,
                    "options": {key: options[key] for key in OPTIONS if key in options},
                    "stage": "queued",
                },
            )
            pk = run.pk
            transaction.on_commit(lambda: _enqueue(pk))
    except BaseException:
        for upload in uploads:
            default_storage.delete(upload["stored"])
        raise
    return run


def _enqueue(pk: int) -> None:
    run_incident_import(pk)


@db_task(name="RunIncidentImport")
@as_job
def run_incident_import(run_id: int) -> str:
    """The task: carry out one queued run (declared here, beside what queues it; jobs.py loads it)."""
    run = carry_out(run_id)
    return run.status if run is not None else "gone"


class ProgressRecorder:
    """The importer's `progress(fraction, stage)` callback for one run: writes to the run's record when
    the stage changes, when the import has moved on by `step`, or when `seconds` have passed since the last
    write and it has moved at all; a long import costs a few hundred one-row updates, not one per batch."""

    def __init__(
        self,
        run_id: int,
        *,
        seconds: float = PROGRESS_SECONDS,
        step: float = PROGRESS_STEP,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.run_id, self.seconds, self.step, self.clock = run_id, seconds, step, clock
        self.fraction, self.stage, self.at = 0.0, "", float("-inf")
        self.writes = 0

    def __call__(self, fraction: float, stage: str) -> None:
        now = self.clock()
        moved = fraction - self.fraction
        if stage == self.stage and moved < self.step and (now - self.at < self.seconds or moved <= 0):
            return
        self.fraction, self.stage, self.at = fraction, stage, now
        self.writes += 1
        # Not a change anyone reviews: no change-log entry, and only while the run is still running.
        IncidentImportRun.objects.filter(pk=self.run_id, status=S.RUNNING).update(
            fraction=min(max(fraction, 0.0), 1.0), stage=stage[:40], updated=timezone.now()
        )


@contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """The stored upload as a local file: the stored file itself when the storage is the data directory,
    else a copy fetched from the bucket into a temporary folder (removed afterwards)."""
    if isinstance(default_storage, FileSystemStorage):
        yield Path(default_storage.path(name))
        return
    with tempfile.TemporaryDirectory(prefix="servitium-import-") as folder:
        copy = Path(folder) / "upload"
        with default_storage.open(name, "rb") as source, copy.open("wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        yield copy


def _clean(text: str) -> str:
    return text.replace("\x00", "\\0")  # PostgreSQL stores no NUL; a message may quote a bad row


def _forget_files(uploads: list[dict[str, str]]) -> list[dict[str, str]]:
    """Remove the stored uploads; those that could not be removed (the daily job tries again)."""
    left = []
    for upload in uploads:
        try:
            default_storage.delete(upload["stored"])
        except Exception:  # noqa: BLE001 -- the run's outcome stands
            logger.warning("import upload %s could not be removed", upload["stored"], exc_info=True)
            left.append(upload)
    return left


def _finish(run_id: int, target: str, message: str, extra: dict[str, Any]) -> IncidentImportRun:
    with transaction.atomic():
        run = IncidentImportRun.objects.select_for_update().get(pk=run_id)
        return core_services.record_transition(
            instance=run,
            actor=None,
            field="status",
            target=target,
            message=message[:500],
            extra={"finished_at": timezone.now(), **extra},
        )


def carry_out(run_id: int) -> IncidentImportRun | None:
    """Run one queued import (the task's body); a run already taken by another worker is left alone."""
    with transaction.atomic():
        run = (
            IncidentImportRun.objects.select_for_update(of=("self",))
            .select_related("started_by")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status != S.QUEUED:
            return run
        run = core_services.record_transition(
            instance=run,
            actor=None,
            field="status",
            target=S.RUNNING,
            message=_("Import started"),
            extra={"started_at": timezone.now(), "stage": "reading"},
        )
    report = None
    try:
        spec = mapping_files.parse(run.mapping_text, name=run.mapping_name)
        with ExitStack() as stack:
            files = [(stack.enter_context(local_copy(u["stored"])), u["name"]) for u in run.uploads]
            report = run_files(
                spec,
                files,
                actor=run.started_by,
                progress=ProgressRecorder(run.pk),
                **{key: run.options[key] for key in OPTIONS if key in run.options},
            )
        reason = ""
    except (ImportStartError, mapping_files.MappingError) as exc:
        reason = str(exc)
    except FileNotFoundError:
        reason = _("An uploaded file is no longer in the storage; upload the files again.")
    except Exception as exc:  # noqa: BLE001 -- any failure is the run's, recorded with its reason
        logger.exception("import run %s failed", run.pk)
        reason = _("The import stopped: %(error)s") % {"error": exc}
    gone = {"uploads": _forget_files(run.uploads)}
    if report is None:
        hint = _("Tickets written before it stopped stay; importing the same files again changes nothing.")
        return _finish(
            run.pk, S.FAILED, _("Import failed"), {"failure_reason": _clean(f"{reason}\n{hint}"), **gone}
        )
    return _finish(
        run.pk,
        S.DONE,
        report.summary(),
        {
            "fraction": 1.0,
            "stage": "done",
            "report_text": _clean(report.as_text()),
            "report": json.loads(_clean(report.as_json())),
            **gone,
        },
    )


def forget_uploads(*, now: Any = None) -> int:
    """Remove the files of ended runs still in the storage (every file of the run), and end as failed the
    runs not heard of for a day (their worker stopped); the records stay. The number of runs seen to."""
    now = now or timezone.now()
    lost = IncidentImportRun.objects.filter(status__in=(S.QUEUED, S.RUNNING), updated__lt=now - STALE)
    seen = 0
    for run_id in lost.values_list("pk", flat=True):
        run = IncidentImportRun.objects.get(pk=run_id)
        gone = {"uploads": _forget_files(run.uploads)}
        reason = _("The import did not finish (its task worker stopped); start it again.")
        _finish(run_id, S.FAILED, _("Import failed"), {"failure_reason": reason, **gone})
        seen += 1
    ended = IncidentImportRun.objects.filter(status__in=(S.DONE, S.FAILED)).exclude(uploads=[])
    for run_id, uploads in ended.values_list("pk", "uploads"):
        left = _forget_files(uploads)
        if left != uploads:
            IncidentImportRun.objects.filter(pk=run_id).update(uploads=left)
            seen += 1
    return seen
