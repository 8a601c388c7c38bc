"""Work of exit and transfer on the task queue: building a customer's data export (queued by
services.export_request once the request is stored)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from servitium.core.jobs import as_job


@db_task(name="BuildCustomerExport")
@as_job
def build_customer_export(export_id: int) -> str:
    """Build one queued export (a rerun of a built one does nothing)."""
    from .building import export_build

    return export_build(export_id).status
