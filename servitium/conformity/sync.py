"""Copy the requirement catalogues (YAML, parsed by `catalogue.py`) into the database.

Runs after every `migrate` of this app (post_migrate) and from `servitium sync-frameworks`. It is
idempotent and cheap when nothing changed: each framework keeps the digest of the catalogue it was
loaded from, and an unchanged digest skips the work. Otherwise every write is a bulk operation.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError

from servitium.core import changelog
from servitium.core.models import ChangeRecord

from . import catalogue
from .models import Framework, PlanItem, Requirement

logger = logging.getLogger(__name__)

_FIELDS = ("title", "summary", "kind", "process", "evidence", "order", "phases", "responsibility", "outcomes")


def sync_catalogues(
    directory: Path | None = None, *, force: bool = False, using: str = "default"
) -> dict[str, int]:
    """Load every bundled framework; returns {slug: number of requirements} for those (re)loaded."""
    directory = directory or catalogue.FRAMEWORKS_DIR
    if not directory.is_dir():
        logger.warning("no requirement catalogues at %s", directory)
        return {}
    digest = catalogue.catalogue_digest(directory)
    files = [
        p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("crosswalk")
    ]
    if not force and Framework.objects.using(using).filter(digest=digest).count() == len(files):
        return {}
    frameworks = catalogue.load_catalogues(directory)
    loaded: dict[str, int] = {}
    with transaction.atomic(using=using):
        before = {f.slug: changelog.snapshot(f) for f in Framework.objects.using(using)}
        rows = {fw.slug: _upsert_framework(fw, digest, using) for fw in frameworks.values()}
        by_key = {}
        for slug, data in frameworks.items():
            by_key.update(_upsert_requirements(rows[slug], data, using))
            loaded[slug] = len(data.requirements)
        _link(frameworks, by_key, using)
        _plan_items(using)
        if using == "default":
            # One entry per catalogue loaded: its digest names the exact file content, the requirements
            # are the bundled data itself (logging each would add a thousand entries per deployment).
            for slug, framework in rows.items():
                changelog.record(
                    framework,
                    action=ChangeRecord.Action.UPDATE if slug in before else ChangeRecord.Action.CREATE,
                    before=before.get(slug),
                    message=f"catalogue synchronised: {loaded[slug]} requirements",
                )
    return loaded


def _plan_items(using: str) -> None:
    """Every phased activity of an activities framework (20000-5 table B.1) gets its plan item."""
    missing = Requirement.objects.using(using).filter(
        framework__kind=Framework.Kind.ACTIVITIES, kind=Requirement.Kind.ACTIVITY, plan_item__isnull=True
    )
    # An activity without phases only groups its sub-activities, which carry the plan.
    PlanItem.objects.using(using).bulk_create(
        [PlanItem(activity_id=pk) for pk, phases in missing.values_list("pk", "phases") if phases],
        batch_size=500,
    )


def _upsert_framework(data: catalogue.FrameworkData, digest: str, using: str) -> Framework:
    values = {
        "title": data.title,
        "version": data.version,
        "kind": data.kind,
        "description": data.description,
        "source": Framework.Source.BUNDLED,
        "digest": digest,
    }
    framework, _created = Framework.objects.using(using).update_or_create(slug=data.slug, defaults=values)
    return framework


def _values(item: catalogue.RequirementData) -> dict:
    return {
        "title": item.title[:300],
        "summary": item.summary,
        "kind": item.kind,
        "process": item.process,
        "evidence": item.evidence,
        "order": item.order,
        "phases": list(item.phases),
        "responsibility": item.responsibility,
        "outcomes": list(item.outcomes),
    }


def _upsert_requirements(
    framework: Framework, data: catalogue.FrameworkData, using: str
) -> dict[tuple[str, str], Requirement]:
    existing = {r.identifier: r for r in Requirement.objects.using(using).filter(framework=framework)}
    new, changed = [], []
    for item in data.requirements:
        values = _values(item)
        row = existing.get(item.identifier)
        if row is None:
            new.append(Requirement(framework=framework, identifier=item.identifier, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed.append(row)
    Requirement.objects.using(using).bulk_create(new, batch_size=500)
    if changed:
        Requirement.objects.using(using).bulk_update(changed, _FIELDS, batch_size=500)
    gone = set(existing) - {item.identifier for item in data.requirements}
    for identifier in gone:
        try:
            with transaction.atomic(using=using):
                existing[identifier].delete()
        except ProtectedError:
            # Past assessments point at it: keep the row so that history still reads.
            logger.warning("%s#%s left the catalogue but has results; kept", framework.slug, identifier)
    rows = {r.identifier: r for r in Requirement.objects.using(using).filter(framework=framework)}
    parents = []
    for item in data.requirements:
        row = rows[item.identifier]
        parent_id = rows[item.parent].pk if item.parent else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            parents.append(row)
    if parents:
        Requirement.objects.using(using).bulk_update(parents, ["parent"], batch_size=500)
    return {(framework.slug, ident): row for ident, row in rows.items()}


def _link(
    frameworks: dict[str, catalogue.FrameworkData], by_key: dict[tuple[str, str], Requirement], using: str
) -> None:
    """Rewrite the crosswalk and the scenario/activity clause links of the loaded frameworks."""
    # The crosswalk links editions of the same standard (same slug before the colon).
    editions = {
        slug: [s for s in frameworks if s != slug and s.split(":")[0] == slug.split(":")[0]]
        for slug in frameworks
    }
    ids = [r.pk for r in by_key.values()]
    maps = Requirement.maps_to.through
    applies = Requirement.applicable_clauses.through
    maps.objects.using(using).filter(from_requirement_id__in=ids).delete()
    applies.objects.using(using).filter(from_requirement_id__in=ids).delete()
    map_rows, clause_rows = [], []
    for slug, data in frameworks.items():
        for item in data.requirements:
            source = by_key[(slug, item.identifier)]
            for target in item.maps_to:
                for other in editions[slug]:
                    row = by_key.get((other, target))
                    if row is not None:
                        map_rows.append(maps(from_requirement_id=source.pk, to_requirement_id=row.pk))
                        break
            for clause in item.applicable_clauses:
                row = by_key.get((data.clauses_framework, clause))
                if row is not None:
                    clause_rows.append(applies(from_requirement_id=source.pk, to_requirement_id=row.pk))
    maps.objects.using(using).bulk_create(map_rows, batch_size=1000, ignore_conflicts=True)
    applies.objects.using(using).bulk_create(clause_rows, batch_size=1000, ignore_conflicts=True)


def known_requirement_keys() -> set[str]:
    """Every `<slug>#<identifier>` in the database."""
    return {
        f"{slug}#{ident}"
        for slug, ident in Requirement.objects.values_list("framework__slug", "identifier").iterator()
    }
