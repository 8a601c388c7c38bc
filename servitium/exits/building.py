"""Building a queued data export (the body of the task `BuildCustomerExport`): the ZIP is written in a
temporary file beside the storage, hashed, then stored; a failure is recorded with its reason."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services

from .exporter import CustomerExport, file_sha256
from .models import DataExport, ExitPlan

logger = logging.getLogger(__name__)
E = DataExport.Status


def _documents_of(plan: ExitPlan | None) -> list[int]:
    if plan is None:
        return []
    return list(plan.items.exclude(document=None).values_list("document_id", flat=True))


class _Move(File):
    """A built file the storage may move into place rather than copy (the file system storage does)."""

    def temporary_file_path(self) -> str:
        return self.file.name


def _status(export: DataExport, target: str, message: str, extra: dict[str, Any]) -> DataExport:
    with transaction.atomic():
        return core_services.record_transition(
            instance=export, actor=None, field="status", target=target, message=message, extra=extra
        )


def export_build(export_id: int) -> DataExport:
    """Build a queued export (the task's body): the ZIP written in a temporary file beside the storage,
    then stored, sized and hashed. A failure is recorded with its reason."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update(of=("self",))
            .select_related("customer", "plan", "requested_by")
            .get(pk=export_id)
        )
        if export.status != E.QUEUED:
            return export  # built already, or by another worker
        export = core_services.record_transition(
            instance=export,
            actor=None,
            field="status",
            target=E.BUILDING,
            message=_("Building"),
            extra={"started_at": timezone.now()},
        )
    folder = Path(settings.DATA_DIR) / "exports-tmp"
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(suffix=".zip", dir=folder)
    os.close(handle)
    try:
        by = export.requested_by.username if export.requested_by_id else "system"
        result = CustomerExport(
            export.customer, generated_by=by, reference=export.reference, documents=_documents_of(export.plan)
        ).write(temp)
        size, digest = file_sha256(temp)
        with open(temp, "rb") as built:
            export.file.save(f"{export.reference}.zip", _Move(built), save=False)
        stored = export.file.name
    except Exception as exc:  # noqa: BLE001 -- any failure is the export's, recorded with its reason
        logger.exception("export %s failed", export.reference)
        return _status(
            export, E.FAILED, _("Failed"), {"failure_reason": str(exc)[:2000], "finished_at": timezone.now()}
        )
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return _status(
        export,
        E.READY,
        _("Built"),
        {
            "file": stored,
            "size": size,
            "sha256": digest,
            "counts": result.counts,
            "finished_at": timezone.now(),
        },
    )
