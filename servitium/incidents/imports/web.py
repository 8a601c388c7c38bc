"""The browser's side of an import (the page's only one): choose a preset or upload/edit a mapping, give
one to five files (a tickets file and an event log for the mappings that have both), preview the first 20
tickets, start a run (queued: runs.py), follow its progress, download its report. Parsing the form and
reading the run records only; the pages are incidents/incident_import.html and incident_import_run.html,
the views IncidentImport and IncidentImportRun* (views.py)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servitium.core import permissions

from ..models import Incident, IncidentImportRun
from . import mapping as mapping_files
from . import runs
from .run import ImportStartError, check_file, check_reference_prefix, preview, with_sheet

PREVIEW_TICKETS = 20
MAX_FILES = 5  # files in one import
RECENT_RUNS = 10  # runs listed on the import page


class FormProblem(ValueError):
    """Shown above the form with a 400."""


def chosen_mapping(request: HttpRequest) -> mapping_files.Mapping:
    """The mapping the form names: an uploaded file, else the edited text, else the preset."""
    upload = request.FILES.get("mapping_file")
    text = request.POST.get("mapping_text", "").strip()
    name = request.POST.get("mapping", "")
    try:
        if upload is not None:
            return mapping_files.parse(
                upload.read(256 * 1024).decode("utf-8-sig"), name=Path(upload.name).stem
            )
        if text:
            return mapping_files.parse(text, name=name or "mapping")
        return mapping_files.load(name) if name in mapping_files.presets() else _unknown(name)
    except UnicodeDecodeError:
        raise FormProblem(_("The mapping file is not UTF-8 text.")) from None
    except mapping_files.MappingError as exc:
        raise FormProblem(_("The mapping is not usable: %(e)s") % {"e": exc}) from None


def _unknown(name: str) -> mapping_files.Mapping:
    raise FormProblem(_("Choose a preset or give a mapping (%(name)s is unknown).") % {"name": name or "—"})


def _preview_rows(plans) -> list[dict[str, Any]]:
    return [
        {
            "external_id": p.external_id,
            "title": p.values.get("title", ""),
            # The status as the ticket's page will name it, not its stored value ("pending_customer").
            "status": dict(Incident.Status.choices).get(p.values.get("status"), p.values.get("status", "")),
            "priority": p.values.get("priority", ""),
            "group": p.names.get("assignment_group", ""),
            "opened": p.values.get("opened_at"),
            "resolved": p.values.get("resolved_at"),
            "closed": p.values.get("closed_at"),
            "status_changes": p.status_changes,
            "reassignments": p.values.get("reassignment_count", 0),
            "reopens": p.values.get("reopen_count", 0),
            "events": len(p.events),
            "problems": "; ".join(f"{x.line}: {x.message}" for x in p.problems[:3]),
        }
        for p in plans
    ]


def _spool_folder() -> Path:
    # Beside the data directory's storage, so that storing the checked file is a rename, not a copy.
    folder = Path(settings.DATA_DIR) / "imports-tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def handle(request: HttpRequest) -> dict[str, Any]:
    """Preview the uploads with the chosen mapping, or check each one's header and queue the run; the
    page's context (`run`: the queued run). FormProblem when it cannot start: nothing is queued then."""
    spec = chosen_mapping(request)
    uploads = request.FILES.getlist("files")
    if not uploads or len(uploads) > MAX_FILES:
        raise FormProblem(_("Choose one to %(n)s files to import.") % {"n": MAX_FILES})
    options = {
        "customer": request.POST.get("customer", "").strip(),
        "create_missing": request.POST.get("create_missing") == "on",
        "reference_prefix": request.POST.get("reference_prefix", "").strip().upper(),
        "sheet": request.POST.get("sheet", "").strip(),
    }
    with tempfile.TemporaryDirectory(prefix="servitium-import-", dir=_spool_folder()) as folder:
        files = []
        for index, upload in enumerate(uploads):
            path = Path(folder) / f"upload-{index}"  # never the uploaded name: it is not trusted as a path
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            files.append((path, Path(upload.name or "upload").name))
        try:
            if request.POST.get("action") == "preview":
                plans, report = preview(spec, files, count=PREVIEW_TICKETS, sheet=options["sheet"])
                return {"preview": _preview_rows(plans), "report": report, "mapping_text": spec.text}
            check_reference_prefix(spec, options["reference_prefix"])
            for path, name in files:  # the headers only: a wrong file is told now, not by the task
                check_file(with_sheet(spec, options["sheet"]), path, name)
        except ImportStartError as exc:
            raise FormProblem(str(exc)) from None
        run = runs.start(actor=request.user, mapping=spec, files=files, options=options)
    return {"run": run}


STAGES = {
    "queued": gettext_lazy("waiting for the task queue"),
    "reading": gettext_lazy("reading the file"),
    "writing": gettext_lazy("writing the tickets"),
    "done": gettext_lazy("done"),
}


def stage_label(stage: str) -> str:
    return str(STAGES.get(stage, stage))


def may_import(user: Any) -> bool:
    """Who may import (and so start and follow runs): the incident area's full rights."""
    return permissions.area_allows(user, "incidents", permissions.ALL)


def recent_runs(user: Any) -> list[IncidentImportRun]:
    """The user's latest runs (an administrator's: everybody's), for the import page."""
    visible = permissions.restrict(IncidentImportRun.objects.select_related("started_by"), user)
    return list(visible.defer("mapping_text", "report", "report_text")[:RECENT_RUNS])


def visible_run(request: HttpRequest, pk: int) -> IncidentImportRun:
    """The run if this user may follow it; 403 for those who may not import, 404 for another's run."""
    if not may_import(request.user):
        raise PermissionDenied(_("Importing needs the incident manager role."))
    queryset = IncidentImportRun.objects.select_related("started_by").filter(pk=pk)
    run = permissions.restrict(queryset, request.user).first()
    if run is None:
        raise Http404(_("No such import."))
    return run


def result_of(run: IncidentImportRun) -> dict[str, Any] | None:
    """The stored report as the page shows it (with its number of rows in error)."""
    if not run.report:
        return None
    errors = run.report.get("errors") or {}
    return {**run.report, "error_count": sum(e.get("count", 0) for e in errors.values())}


def status(run: IncidentImportRun) -> JsonResponse:
    """What the run page's script polls: the status, how far, at which stage."""
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": str(run.get_status_display()),
            "finished": run.finished,
            "fraction": round(run.fraction, 4),
            "percent": run.percent,
            "stage": run.stage,
            "stage_label": stage_label(run.stage),
            "url": run.get_absolute_url(),
        },
        headers={"Cache-Control": "no-store"},
    )


def report_file(run: IncidentImportRun, as_json: bool) -> HttpResponse:
    """The run's report as a text or JSON file; 404 while it has none (running, or failed)."""
    if run.report is None:
        return HttpResponse(_("This import has no report yet."), status=404, content_type="text/plain")
    response = HttpResponse(
        json.dumps(run.report, indent=2, ensure_ascii=False) if as_json else run.report_text,
        content_type="application/json" if as_json else "text/plain; charset=utf-8",
    )
    suffix = "json" if as_json else "txt"
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-report.{suffix}"'
    return response


def download(request: HttpRequest) -> HttpResponse:
    """The report of the user's latest finished run, as text or (?format=json) JSON."""
    visible = permissions.restrict(IncidentImportRun.objects.filter(started_by=request.user), request.user)
    run = visible.filter(status=IncidentImportRun.Status.DONE).first()
    if run is None:
        return HttpResponse(_("You have no finished import."), status=404, content_type="text/plain")
    return report_file(run, request.GET.get("format") == "json")
