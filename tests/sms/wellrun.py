"""A management system kept as it should be, for the conformity engine's "well-run provider" test: every
sms check met, and the attestations the catalogue asks for besides the records (2018 4.1.s1, 4.4.s1,
2011 4.1.3.b, 4.1.1.e)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.parties.models import Location, Organization
from servitium.sms import services
from servitium.sms.models import Commitment
from servitium.sms.models.plan import PLAN_ITEMS
from tests import factories

from . import helpers as h

ATTESTED = [
    ("iso20000-1:2018", "4.1.s1"),
    ("iso20000-1:2018", "4.4.s1"),
    ("iso20000-1:2011", "4.1.3.b"),
    ("iso20000-1:2011", "4.1.1.e"),  # resources provided: proves 2018 7.1 through the crosswalk too
]


def well_run_sms(ctx) -> None:
    author = factories.user("sms_author", ctx.provider, ["sms-manager"])
    approver = factories.user("sms_approver", ctx.provider, ["sms-manager"])
    h.issue(ctx)
    h.issue(ctx, origin="internal", category="people", title="Key skills in few hands")
    h.requirement(ctx)
    live = list(Service.objects.filter(status="live"))
    scope = h.scope(ctx, actor=author, services_=live)
    site = core_services.record_create(
        model=Location, data={"organization": ctx.provider, "name": "Frankfurt data centre"}, actor=None
    )
    customers = Organization.objects.filter(kind="customer", services__in=live).distinct()
    core_services.record_update(
        instance=scope, data={}, m2m={"locations": [site], "organizations": list(customers)}, actor=author
    )
    services.scope_transition(actor=approver, instance=scope, transition="approve")
    services.scope_transition(actor=author, instance=scope, transition="make_current")
    for area in Commitment.Area.values:
        h.commitment(ctx, area=area)
    h.accountable(ctx)
    h.settings(ctx)
    objective = h.active_objective(ctx, services=[scope.services.first()])
    services.objective_measure_months(months=1, objectives=[objective])
    plan = h.plan(ctx)
    owner = h.person(ctx, "Plan owner")
    for section in plan.sections.all():
        section = services.section_update(
            actor=None, instance=section, data={"owner": owner, "text": f"Stated: {section.item}"}
        )
        services.section_transition(actor=None, instance=section, transition="complete")
    services.plan_review(actor=None, plan=plan)
    assert plan.sections.count() == len(PLAN_ITEMS)
    h.communication(ctx)
    h.communication(ctx, direction="internal", audience="All staff", subject="Objectives")
    _attest(ctx)


def _attest(ctx) -> None:
    from servitium.conformity.models import Attestation, Requirement

    by, reviewer = h.person(ctx, "Attester"), h.person(ctx, "Reviewer")
    today = timezone.localdate()
    for slug, identifier in ATTESTED:
        requirement = Requirement.objects.get(framework__slug=slug, identifier=identifier)
        core_services.record_create(
            model=Attestation,
            data={
                "requirement": requirement,
                "statement": "Reviewed at the management meeting.",
                "evidence": "Minutes",
                "attested_by": by,
                "reviewed_by": reviewer,
                "valid_from": today - dt.timedelta(days=1),
                "valid_until": today + dt.timedelta(days=300),
            },
            actor=None,
        )


def well_kept_process_register(ctx) -> None:
    """Every service management process in the register, owned, described by a procedure in force, with
    criteria and records, reviewed this month and checked against the plan's version (2018 8.1; 2011 4.5.2,
    4.5.3 e). Called after the documents exist."""
    from servitium.documents.models import Document
    from servitium.sms.models import SmsPlan
    from servitium.sms.models.leadership import SERVICE_PROCESSES

    procedure = Document.objects.exclude(current_version=None).order_by("pk").first()
    plan = SmsPlan.objects.get()
    owner = h.person(ctx, "Process owner")
    for key, label in SERVICE_PROCESSES:
        h.process(
            ctx,
            process=key,
            owner=owner,
            procedure=procedure,
            plan_version=plan.version,
            last_reviewed=timezone.localdate(),
            performance_criteria=f"Targets for {label} met",
        )
