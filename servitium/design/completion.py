"""What a completed transition does outside the project (2011 5.4, 5.2.s4; 2018 8.5.2.3, 8.5.2.1.s2/s3):
when a project enters its post-transition review, the catalogue, the agreements, the CMDB, the supplier
contracts and the customer communication log are brought up to date through those apps' own services,
so each write is in the change log under the one who completed the transition.

- new service: the service goes live and receives the project's customers;
- changed service: the project's customers are added to the service;
- removal: the service is retired, its offerings withdrawn, its open agreements terminated, each of its
  customers informed (a communication record), the CIs named by handover items retired, the contracts
  named noted; those handover items are done;
- transfer: every handover item is done (the service is handed over, not retired).
A refusal from any of them (a service others still depend on, a CI under change control that the
project's change does not cover) stops the transition, naming the cause.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.agreements import services as agreement_services
from servitium.agreements.models import ServiceLevelAgreement
from servitium.catalog import services as catalog_services
from servitium.catalog.models import Offering, Service
from servitium.cmdb import services as cmdb_services
from servitium.core import services as core_services
from servitium.relationships import services as relationship_services

from .models import DesignProject, HandoverItem

K = DesignProject.Kind
A = HandoverItem.Action
RETIRING = (A.RETIRE, A.DISPOSE)


def apply(project: DesignProject, *, actor: Any) -> None:
    service = project.service
    if service is None:
        return
    if project.kind == K.NEW:
        _add_customers(project, service, actor)
        if service.status == Service.Status.PIPELINE:
            catalog_services.service_transition(
                actor=actor,
                instance=service,
                transition="go_live",
                note=_("Transitioned by %(ref)s") % _ref(project),
            )
    elif project.kind == K.CHANGED:
        _add_customers(project, service, actor)
    elif project.kind == K.REMOVAL:
        _remove(project, service, actor)
    elif project.kind == K.TRANSFER:
        _items_done(project, project.handover_items.filter(done_at=None), actor)


def _ref(project: DesignProject) -> dict[str, str]:
    return {"ref": project.reference}


def _add_customers(project: DesignProject, service: Service, actor: Any) -> None:
    new = set(project.customers.values_list("pk", flat=True)) - set(
        service.customers.values_list("pk", flat=True)
    )
    if new:
        customers = [*service.customers.all(), *project.customers.filter(pk__in=new)]
        catalog_services.service_update(actor=actor, instance=service, data={}, m2m={"customers": customers})


def _remove(project: DesignProject, service: Service, actor: Any) -> None:
    customers = list(service.customers.all())
    if service.status != Service.Status.RETIRED:
        catalog_services.service_transition(
            actor=actor, instance=service, transition="retire", note=_("Removed by %(ref)s") % _ref(project)
        )
    for offering in service.offerings.filter(status=Offering.Status.AVAILABLE):
        catalog_services.offering_withdraw(actor=actor, instance=offering)
    open_agreements = service.agreements.filter(
        status__in=(ServiceLevelAgreement.Status.DRAFT, ServiceLevelAgreement.Status.AGREED)
    )
    for agreement in open_agreements:
        agreement_services.agreement_transition(
            actor=actor,
            instance=agreement,
            transition="terminate",
            note=_("The service is removed (%(ref)s).") % _ref(project),
        )
    today = timezone.localdate()
    for customer in customers:
        relationship_services.communication_create(
            actor=actor,
            data={
                "customer": customer,
                "occurred_on": today,
                "channel": "email",
                "summary": _("%(service)s is removed from service as planned in %(ref)s: %(title)s.")
                % {"service": service.name, "ref": project.reference, "title": project.title},
            },
        )
    done = []
    for item in project.handover_items.filter(done_at=None).select_related("ci", "contract"):
        if item.ci_id and item.action in RETIRING:
            if item.ci.status != "retired":
                cmdb_services.ci_update(
                    actor=actor, instance=item.ci, data={"status": "retired"}, change=project.change
                )
            done.append(item)
        elif item.contract_id:
            core_services.comment_store(
                target=item.contract,
                body=_("%(action)s for the removal of %(service)s (%(ref)s): %(what)s")
                % {
                    "action": item.get_action_display(),
                    "service": service.name,
                    "ref": project.reference,
                    "what": item.description,
                },
                visibility="internal",
                author=actor if getattr(actor, "is_authenticated", False) else None,
                actor=actor,
            )
            done.append(item)
        elif item.agreement_id:
            done.append(item)  # terminated above with the service's other agreements
    _items_done(project, done, actor)


def _items_done(project: DesignProject, items, actor: Any) -> None:
    today = timezone.localdate()
    for item in items:
        core_services.record_update(instance=item, data={}, derived={"done_at": today}, actor=actor)
