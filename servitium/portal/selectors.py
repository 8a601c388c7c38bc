"""What a customer user reads in the portal. Every queryset passes `permissions.restrict`, so a customer
reads only its own organization's records (and never another organization's name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from servitium.agreements.models import ServiceLevelAgreement, ServiceTarget
from servitium.catalog.models import Offering, OfferingOption, Service
from servitium.core import permissions
from servitium.core.models import Attachment, Comment
from servitium.incidents import clocks
from servitium.incidents.fulfilment import may_approve
from servitium.incidents.lifecycle import INCIDENT_WORKFLOW
from servitium.incidents.models import Approval, Incident, MajorIncidentUpdate, RequestItem
from servitium.problems.models import KnownError
from servitium.relationships.models import Complaint, Survey, SurveyInvitation
from servitium.reporting.models import ServiceReport

from . import wording
from .models import HelpArticle, NotificationPreference


def my_services(user: Any) -> QuerySet[Service]:
    """The live services the user's organization receives."""
    return permissions.restrict(Service.objects.filter(status=Service.Status.LIVE), user).order_by("name")


def tickets(user: Any, *, open_only: bool = False) -> QuerySet[Incident]:
    """The organization's tickets, newest first, with what their rows show."""
    found = permissions.restrict(Incident.objects.all(), user)
    if open_only:
        found = found.exclude(status=Incident.Status.CLOSED)
    return found.select_related("service").prefetch_related("sla_clocks").order_by("-created")


def ticket_get(user: Any, pk: int) -> Incident | None:
    """One ticket of the organization, or None (another organization's ticket is "not found")."""
    return tickets(user).select_related("caller", "request_item").filter(pk=pk).first()


def ticket_row(incident: Incident, now=None) -> dict[str, Any]:
    """A ticket as the portal lists it: status and SLA state in words."""
    now = now or timezone.now()
    return {
        "ticket": incident,
        "status": wording.status_words(incident),
        "clocks": [clock_line(c, now) for c in incident.sla_clocks.all() if c.stopped_at is None],
    }


def clock_line(clock, now=None) -> dict[str, str]:
    return wording.clock_words(clocks.clock_reading(clocks.clock_state(clock, now)), now)


def ticket_clocks(incident: Incident, now=None) -> list[dict[str, str]]:
    return [clock_line(c, now) for c in incident.sla_clocks.all()]


def _on(incident: Incident) -> dict[str, Any]:
    return {"target_type": ContentType.objects.get_for_model(Incident), "object_id": incident.pk}


def conversation(incident: Incident, user: Any) -> QuerySet[Comment]:
    """The public replies on a ticket, oldest first (internal notes never reach a customer)."""
    comments = permissions.restrict(Comment.objects.select_related("author"), user).filter(**_on(incident))
    return comments.filter(visibility=Comment.Visibility.PUBLIC).order_by("created", "id")


def updates(incident: Incident, user: Any) -> QuerySet[MajorIncidentUpdate]:
    """Updates on a major incident addressed to customers (the permission path keeps the others out)."""
    return permissions.restrict(MajorIncidentUpdate.objects.filter(incident=incident), user).order_by(
        "-created"
    )


def attachments(incident: Incident, user: Any) -> QuerySet[Attachment]:
    return permissions.restrict(Attachment.objects.all(), user).filter(**_on(incident)).order_by("created")


def can_confirm(incident: Incident) -> bool:
    """A solved ticket asks its customer to confirm (close) or say it is not solved (reopen)."""
    names = {t.name for t in INCIDENT_WORKFLOW.available(incident, incident.status)}
    return {"close", "reopen"} <= names


def approvals_waiting(user: Any) -> list[Incident]:
    """Requests of the organization waiting for a decision this user may take (not their own)."""
    pending = tickets(user).filter(approval=Approval.PENDING).select_related("request_item", "caller")
    return [
        i
        for i in pending
        if may_approve(user, i) and not (i.caller_id and i.caller.user_id == getattr(user, "pk", None))
    ]


@dataclass
class CatalogueEntry:
    """One thing a customer can ask for: an offering (with options) or a request item of a service."""

    service: Service
    name: str
    summary: str
    offering: Offering | None = None
    item: RequestItem | None = None
    options: dict[str, list[OfferingOption]] = field(default_factory=dict)

    @property
    def needs_approval(self) -> bool:
        return bool(self.item and self.item.needs_approval)

    @property
    def option_groups(self) -> list[dict[str, Any]]:
        """(kind code, kind label, options, default) for the request form."""
        return [
            {
                "kind": kind,
                "label": options[0].get_kind_display(),
                "options": options,
                "default": next((o.name for o in options if o.is_default), options[0].name),
            }
            for kind, options in self.options.items()
        ]

    @property
    def key(self) -> str:
        return f"o{self.offering.pk}" if self.offering else f"i{self.item.pk}"


def catalogue(user: Any) -> list[tuple[Service, list[CatalogueEntry]]]:
    """Per service the organization receives: its available offerings and its request items. An offering
    is fulfilled through the request item of the same service and name when there is one (its approval
    step and fulfilment group); request items without an offering are listed on their own."""
    services = list(my_services(user))
    options = Prefetch("options", queryset=OfferingOption.objects.order_by("kind", "sort_order", "name"))
    offerings = (
        permissions.restrict(Offering.objects.filter(service__in=services), user)
        .filter(status=Offering.Status.AVAILABLE)
        .prefetch_related(options)
        .order_by("name")
    )
    items = permissions.restrict(RequestItem.objects.filter(service__in=services, active=True), user)
    items_by_key = {(i.service_id, i.name): i for i in items.order_by("name")}
    entries: dict[int, list[CatalogueEntry]] = {s.pk: [] for s in services}
    by_pk = {s.pk: s for s in services}
    for offering in offerings:
        grouped: dict[str, list[OfferingOption]] = {}
        for option in offering.options.all():
            grouped.setdefault(option.kind, []).append(option)
        item = items_by_key.pop((offering.service_id, offering.name), None)
        entries[offering.service_id].append(
            CatalogueEntry(
                by_pk[offering.service_id], offering.name, offering.summary, offering, item, grouped
            )
        )
    for (service_id, _name), item in items_by_key.items():
        entries[service_id].append(CatalogueEntry(by_pk[service_id], item.name, item.description, None, item))
    return [(s, sorted(entries[s.pk], key=lambda e: e.name)) for s in services if entries[s.pk]]


def catalogue_entry(user: Any, key: str) -> CatalogueEntry | None:
    """One entry of the user's catalogue by its key ("o12" an offering, "i7" a request item)."""
    for _service, entries in catalogue(user):
        for entry in entries:
            if entry.key == key:
                return entry
    return None


def agreements(user: Any) -> list[dict[str, Any]]:
    """The organization's agreed service levels, each with its targets in words."""
    found = permissions.restrict(
        ServiceLevelAgreement.objects.filter(status=ServiceLevelAgreement.Status.AGREED), user
    ).select_related("service", "calendar")
    targets = Prefetch("targets", queryset=ServiceTarget.objects.order_by("metric", "priority"))
    return [{"agreement": a, "targets": list(a.targets.all())} for a in found.prefetch_related(targets)]


def reports(user: Any) -> QuerySet[ServiceReport]:
    """Service reports issued to the organization (generated drafts stay with the provider)."""
    return permissions.restrict(
        ServiceReport.objects.filter(status=ServiceReport.Status.ISSUED), user
    ).order_by("-period_start")


def report_get(user: Any, pk: int) -> ServiceReport | None:
    return reports(user).filter(pk=pk).first()


def surveys_to_answer(user: Any) -> QuerySet[SurveyInvitation]:
    """The user's own unanswered invitations to open surveys."""
    return (
        permissions.restrict(SurveyInvitation.objects.all(), user)
        .filter(person__user=user, responded=False, survey__status=Survey.Status.OPEN)
        .select_related("survey")
    )


def complaints(user: Any) -> QuerySet[Complaint]:
    return permissions.restrict(Complaint.objects.select_related("service"), user).order_by("-created")


def help_articles(user: Any, search: str = "") -> QuerySet[HelpArticle]:
    found = permissions.restrict(HelpArticle.objects.select_related("known_error__service"), user)
    if search:
        found = found.filter(title__icontains=search) | found.filter(advice__icontains=search)
    return found.order_by("title")


def help_article_of(known_error: KnownError, user: Any) -> dict[str, Any] | None:
    """The staff panel on a known error: its article, if any, and whether the user may publish."""
    if permissions.is_customer_user(user) or not permissions.can(user, permissions.VIEW, known_error):
        return None
    article = HelpArticle.objects.filter(known_error=known_error).first()
    may = permissions.has_permission(user, permissions.ADD, HelpArticle)
    if article is None and not may:
        return None
    return {"article": article, "known_error": known_error, "may_publish": may}


def preferences(user: Any) -> NotificationPreference | None:
    return permissions.restrict(NotificationPreference.objects.all(), user).filter(user=user).first()


def wants_mail(incident: Incident, topic: str) -> bool:
    """Mail filter for incidents' outbound mail: the caller's account said no to this topic?"""
    user_id = incident.caller.user_id if incident.caller_id else None
    if user_id is None or topic not in NotificationPreference.TOPICS:
        return True
    found = NotificationPreference.objects.filter(user_id=user_id).values_list(topic, flat=True).first()
    return True if found is None else bool(found)
