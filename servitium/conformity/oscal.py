"""Exchange with NIST OSCAL (JSON): export a framework as a catalog and an assessment as
assessment-results (one finding per requirement); import an OSCAL catalog as an additional framework.

The documents are plain dicts in OSCAL's JSON shape; tests validate them against the models of
compliance-trestle (not a runtime dependency).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import changelog
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord

from .models import Assessment, Framework, Requirement, Result

OSCAL_VERSION = "1.1.2"
NAMESPACE = uuid.UUID("0f4c3a56-3c1e-4c55-9a43-6f0e1a2b7c11")  # stable UUIDs: same input, same document
_TOKEN = re.compile(r"[^A-Za-z0-9_.\-]")
STATE = {"met": "satisfied", "not_applicable": "satisfied"}
REASON = {
    "met": "pass",
    "not_met": "fail",
    "partly_met": "fail",
    "no_evidence": "other",
    "not_applicable": "other",
}


def _uuid(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def control_id(framework: Framework | str, identifier: str) -> str:
    """An OSCAL token (starts with a letter) that keeps the framework and the identifier readable."""
    slug = framework if isinstance(framework, str) else framework.slug
    return _TOKEN.sub("_", f"{slug.split(':')[0]}_{identifier}")


def _metadata(title: str, version: str) -> dict[str, Any]:
    return {
        "title": title,
        "last-modified": timezone.now().isoformat(),
        "version": version or "1",
        "oscal-version": OSCAL_VERSION,
    }


def catalog(framework: Framework) -> dict[str, Any]:
    """The framework as an OSCAL catalog: its requirement tree as nested controls."""
    rows = list(Requirement.objects.filter(framework=framework).order_by("order"))
    children: dict[int | None, list[Requirement]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def control(req: Requirement) -> dict[str, Any]:
        cid = control_id(framework, req.identifier)
        item: dict[str, Any] = {
            "id": cid,
            "title": req.title,
            "props": [{"name": "label", "value": req.identifier}],
        }
        if req.summary:
            item["parts"] = [{"id": f"{cid}_smt", "name": "statement", "prose": req.summary}]
        if children.get(req.pk):
            item["controls"] = [control(c) for c in children[req.pk]]
        return item

    return {
        "catalog": {
            "uuid": _uuid("catalog", framework.slug, framework.digest),
            "metadata": _metadata(framework.title, framework.version),
            "controls": [control(r) for r in children.get(None, [])],
        }
    }


def assessment_results(assessment: Assessment, framework: Framework) -> dict[str, Any]:
    """The run as OSCAL assessment-results: one finding per requirement of the framework."""
    results = (
        Result.objects.filter(assessment=assessment, requirement__framework=framework)
        .select_related("requirement")
        .order_by("requirement__order")
    )
    findings = []
    for r in results:
        target_id = control_id(framework, r.requirement.identifier)
        findings.append(
            {
                "uuid": _uuid("finding", assessment.reference, target_id),
                "title": f"{r.requirement.identifier} {r.requirement.title}"[:250],
                "description": r.message or r.get_status_display(),
                "props": [
                    {"name": "servitium-status", "ns": "https://servitium.org/ns/oscal", "value": r.status}
                ],
                "target": {
                    "type": "objective-id",
                    "target-id": target_id,
                    "status": {"state": STATE.get(r.status, "not-satisfied"), "reason": REASON[r.status]},
                },
            }
        )
    return {
        "assessment-results": {
            "uuid": _uuid("assessment-results", assessment.reference, framework.slug),
            "metadata": _metadata(f"{framework.title}: assessment {assessment.reference}", "1"),
            "import-ap": {"href": f"#servitium-assessment-{assessment.reference}"},
            "results": [
                {
                    "uuid": _uuid("result", assessment.reference, framework.slug),
                    "title": f"Assessment {assessment.reference}",
                    "description": _("Every Servitium conformity check run against the records."),
                    "start": assessment.started_at.isoformat(),
                    "end": assessment.finished_at.isoformat(),
                    "reviewed-controls": {"control-selections": [{"include-all": {}}]},
                    "findings": findings,
                }
            ],
        }
    }


# --- import ----------------------------------------------------------------------------------------------


def _label(control: dict[str, Any]) -> str:
    for prop in control.get("props") or []:
        if prop.get("name") == "label" and prop.get("value"):
            return str(prop["value"])
    return str(control["id"])


def _prose(control: dict[str, Any]) -> str:
    return "\n".join(p.get("prose", "") for p in control.get("parts") or [] if p.get("prose")).strip()


@transaction.atomic
def import_catalog(document: dict[str, Any] | str | bytes, *, slug: str, actor: Any = None) -> Framework:
    """Load an OSCAL catalog as an additional framework (`source: imported`); groups become sections.
    Importing again under the same slug replaces the requirements (unless results or attestations already
    refer to them). Every framework and requirement written or removed gets its change-log entry."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except (ValueError, RecursionError) as exc:
            raise ValidationError({"file": _("Not JSON: %(e)s") % {"e": exc}}) from None
    cat = document.get("catalog") if isinstance(document, dict) else None
    if not isinstance(cat, dict) or "metadata" not in cat:
        raise ValidationError({"file": _("Not an OSCAL catalog: no catalog.metadata.")})
    existing = Framework.objects.filter(slug=slug).first()
    if existing is not None and existing.source != Framework.Source.IMPORTED:
        raise ValidationError({"slug": _("%(slug)s is a bundled framework.") % {"slug": slug}})
    # Everything the framework holds is worked out from the document, not typed by the actor.
    values = {
        "title": str(cat["metadata"].get("title", slug))[:200],
        "version": str(cat["metadata"].get("version", ""))[:32],
        "kind": Framework.Kind.REQUIREMENTS,
        "source": Framework.Source.IMPORTED,
        "digest": _uuid("import", json.dumps(cat, sort_keys=True))[:64],
    }
    message = _("Imported from an OSCAL catalog as %(slug)s") % {"slug": slug}
    if existing is not None:
        _remove_requirements(existing, actor=actor, message=message)
        framework = core_services.record_update(instance=existing, data={}, derived=values, actor=actor)
    else:
        framework = core_services.record_create(
            model=Framework, data={}, derived={"slug": slug, **values}, actor=actor
        )
    levels: list[list[tuple[Requirement, str | None]]] = []
    seen: set[str] = set()

    def walk(items: list[dict[str, Any]], parent: str | None, kind: str, depth: int) -> None:
        for item in items or []:
            identifier = _label(item)[:100] if kind != "section" else str(item.get("id", ""))[:100]
            if not identifier or identifier in seen:
                raise ValidationError(
                    {"file": _("Duplicate or empty control id %(id)s.") % {"id": identifier}}
                )
            seen.add(identifier)
            row = Requirement(
                framework=framework,
                identifier=identifier,
                title=str(item.get("title", identifier))[:300],
                summary=_prose(item),
                kind=kind,
                order=len(seen) - 1,
            )
            if len(levels) <= depth:
                levels.append([])
            levels[depth].append((row, parent))
            walk(item.get("groups"), identifier, "section", depth + 1)
            walk(item.get("controls"), identifier, "clause", depth + 1)

    walk(cat.get("groups"), None, "section", 0)
    walk(cat.get("controls"), None, "clause", 0)
    if not seen:
        raise ValidationError({"file": _("The catalog holds no controls.")})
    # Level by level, so that each requirement is stored (and logged) with its parent already known.
    # The rows come from the checked document: identifiers are unique and values cut to their lengths.
    stored: dict[str, Requirement] = {}
    for level in levels:
        for row, parent in level:
            row.parent = stored[parent] if parent else None
        created = core_services.record_bulk_create(
            model=Requirement,
            instances=[r for r, _p in level],
            actor=actor,
            message=message,
            validate_rows=False,
        )
        stored.update((r.identifier, r) for r in created)
    return framework


def _remove_requirements(framework: Framework, *, actor: Any, message: str) -> None:
    """The requirements of an imported framework, before it is imported again (each logged as deleted)."""
    rows = list(Requirement.objects.filter(framework=framework))
    try:
        with transaction.atomic():
            Requirement.objects.filter(framework=framework).delete()
    except ProtectedError:
        raise ValidationError(
            {
                "slug": _(
                    "Assessment results or attestations refer to the requirements of %(slug)s: import the "
                    "catalog under a new slug."
                )
                % {"slug": framework.slug}
            }
        ) from None
    changelog.record_many(
        rows, action=ChangeRecord.Action.DELETE, actor=actor, message=message, with_changes=False
    )
