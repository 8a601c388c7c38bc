"""The browser's side of a mapping import: choose a preset or upload/edit a mapping, preview the first 20
tickets, run, download the report. Parsing the form and calling the importer only; the page is
incidents/incident_import.html, the view IncidentImport (views.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from . import mapping as mapping_files
from .run import ImportStartError, preview, run_import

SESSION_KEY = "incident_import_report"
PREVIEW_TICKETS = 20


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
            "status": p.values.get("status", ""),
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


def handle(request: HttpRequest) -> dict[str, Any]:
    """Preview or run the upload with the chosen mapping; the page's context. FormProblem when it cannot."""
    spec = chosen_mapping(request)
    upload = request.FILES.get("files")
    if upload is None:
        raise FormProblem(_("Choose the file to import."))
    options = {
        "customer": request.POST.get("customer", "").strip(),
        "create_missing": request.POST.get("create_missing") == "on",
        "reference_prefix": request.POST.get("reference_prefix", "").strip().upper(),
    }
    name = Path(upload.name or "upload").name
    with tempfile.TemporaryDirectory(prefix="servitium-import-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            if request.POST.get("action") == "preview":
                plans, report = preview(spec, path, name=name, count=PREVIEW_TICKETS)
                return {"preview": _preview_rows(plans), "report": report, "mapping_text": spec.text}
            report = run_import(spec, path, name=name, actor=request.user, **options)
        except ImportStartError as exc:
            raise FormProblem(str(exc)) from None
    request.session[SESSION_KEY] = {"text": report.as_text(), "json": report.as_json()}
    return {"result": report, "mapping_text": spec.text}


def download(request: HttpRequest) -> HttpResponse:
    """The last report of this session, as text or (?format=json) JSON."""
    saved = request.session.get(SESSION_KEY)
    if not saved:
        return HttpResponse(_("No import has run in this session."), status=404, content_type="text/plain")
    as_json = request.GET.get("format") == "json"
    response = HttpResponse(
        saved["json" if as_json else "text"],
        content_type="application/json" if as_json else "text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-report.{"json" if as_json else "txt"}"'
    return response
