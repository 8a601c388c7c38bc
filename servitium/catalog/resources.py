"""What the service catalogue's records show, who may write which field, and how their lists filter."""

from __future__ import annotations

from django.db.models import Q

from servitium.core.declaration import VIEW, Access, Indexed, Resource

from .lifecycle import SERVICE_WORKFLOW
from .models import Offering, OfferingOption, Service, ServiceComponent


class ServiceResource(Resource):
    model = Service
    area = "catalog"
    tenant = "customers"  # a customer sees the services its organization receives
    customer_actions = {VIEW}
    status = "status"
    workflow = SERVICE_WORKFLOW
    fields = (
        "reference",
        "name",
        "description",
        "status",
        "owner",
        "owner_display",
        "customers",
        "depends_on",
        "criticality",
        "change_reference",
        "portfolio_fit",
        "portfolio_reviewed_on",
        "portfolio_note",
    )
    computed = ("owner_display",)
    staff = Access(
        create=(
            "name",
            "description",
            "owner",
            "customers",
            "depends_on",
            "criticality",
            "change_reference",
            "portfolio_fit",
            "portfolio_reviewed_on",
            "portfolio_note",
        )
    )
    filters = ("status", "owner", "customers", "depends_on", "criticality", "reference", "portfolio_fit")
    list_filters = ("status", "criticality", "owner", "customers")
    search = ("name", "description", "reference")
    orderings = ("name", "reference", "status")
    ordering = ("name",)
    columns = ("reference", "name", "status", "criticality", "owner")
    indexed = Indexed(title="name", body=("description",))


class ServiceComponentResource(Resource):
    model = ServiceComponent
    area = "catalog"
    fields = ("service", "name", "kind", "description", "provided_by", "depends_on_services")
    staff = Access(create=fields)
    filters = ("service", "kind", "provided_by")
    list_filters = ("service", "kind")
    search = ("name", "description")
    orderings = ("name",)
    ordering = ("name",)
    columns = ("name", "service", "kind", "provided_by")


class OfferingResource(Resource):
    model = Offering
    area = "catalog"
    customer_actions = {VIEW}
    fields = (
        "service",
        "service_display",
        "name",
        "summary",
        "description",
        "status",
        "public",
        "change_reference",
        "options",
    )
    computed = ("service_display", "options")
    staff = Access(
        create=("service", "name", "summary", "description", "status", "public", "change_reference")
    )
    filters = ("service", "status", "public")
    list_filters = ("service", "status")
    search = ("name", "summary", "description")
    orderings = ("name",)
    ordering = ("name",)
    columns = ("name", "service", "status", "public")

    @classmethod
    def customer_scope(cls, queryset, organization_id, action):
        """Public offerings of live services, and every offering of the services the customer receives."""
        received = Service.objects.filter(customers=organization_id).values("pk")
        public = Q(public=True, status=Offering.Status.AVAILABLE, service__status=Service.Status.LIVE)
        return queryset.filter(public | Q(service__in=received))


class OfferingOptionResource(Resource):
    model = OfferingOption
    area = "catalog"
    customer_actions = {VIEW}
    fields = ("offering", "kind", "name", "description", "is_default", "sort_order")
    staff = Access(create=fields)
    filters = ("offering", "kind", "is_default")
    search = ("name", "description")
    orderings = ("sort_order", "name")
    columns = ("offering", "kind", "name", "is_default")

    @classmethod
    def customer_scope(cls, queryset, organization_id, action):
        """The options of the offerings the customer may see."""
        offerings = OfferingResource.customer_scope(Offering.objects.all(), organization_id, action)
        return queryset.filter(offering__in=offerings.values("pk"))
