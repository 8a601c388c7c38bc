"""Reads other processes rely on: the agreed targets for a service, overdue reviews, coverage gaps."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import ServiceLevelAgreement, ServiceTarget


def sla_targets_for(service, metric: str, priority: int | None = None, *, customer=None) -> QuerySet:
    """Targets of agreed customer SLAs for `service` and `metric` (and `priority`, when given, falling back
    to targets without a priority), optionally for one customer; used by SLA clocks and supplier alignment."""
    queryset = ServiceTarget.objects.filter(
        agreement__service=service,
        agreement__status=ServiceLevelAgreement.Status.AGREED,
        agreement__kind=ServiceLevelAgreement.Kind.SLA,
        metric=metric,
    ).select_related("agreement", "agreement__customer", "agreement__calendar")
    if customer is not None:
        queryset = queryset.filter(agreement__customer=customer)
    if priority is not None:
        exact = queryset.filter(priority=priority)
        return exact if exact.exists() else queryset.filter(priority__isnull=True)
    return queryset


def agreed_sla_targets(services) -> QuerySet:
    """Every target of agreed customer SLAs on `services` (one query for many supplier targets; narrow
    each one down with `matching_targets`)."""
    return ServiceTarget.objects.filter(
        agreement__service__in=services,
        agreement__status=ServiceLevelAgreement.Status.AGREED,
        agreement__kind=ServiceLevelAgreement.Kind.SLA,
    ).select_related("agreement", "agreement__customer", "agreement__calendar")


def matching_targets(
    targets, service_id: int, metric: str, priority: int | None = None
) -> list[ServiceTarget]:
    """Of already loaded SLA targets, those `sla_targets_for` would give for one service, metric and
    priority (the same fallback to targets without a priority)."""
    found = [t for t in targets if t.agreement.service_id == service_id and t.metric == metric]
    if priority is not None:
        exact = [t for t in found if t.priority == priority]
        return exact or [t for t in found if t.priority is None]
    return found


def agreements_with_overdue_review() -> QuerySet:
    return ServiceLevelAgreement.objects.filter(
        status=ServiceLevelAgreement.Status.AGREED, next_review_due__lt=timezone.localdate()
    )


def coverage_gaps():
    """(service, customer) pairs of live services without an agreed SLA."""
    from servitium.catalog.models import Service

    agreed = set(
        ServiceLevelAgreement.objects.filter(
            status=ServiceLevelAgreement.Status.AGREED, kind=ServiceLevelAgreement.Kind.SLA
        ).values_list("service_id", "customer_id")
    )
    pairs = []
    for service in Service.objects.filter(status=Service.Status.LIVE).prefetch_related("customers"):
        for customer in service.customers.all():
            if customer.kind == "customer":
                pairs.append((service, customer, (service.pk, customer.pk) in agreed))
    return pairs
