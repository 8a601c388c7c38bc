"""UI pages for the service catalogue."""

from servitium.core import views as generic

from . import services
from .lifecycle import SERVICE_WORKFLOW
from .models import Offering, Service, ServiceComponent


class ServiceList(generic.RecordListView):
    model = Service
    columns = ["reference", "name", "status", "owner"]
    filter_fields = ["status", "owner", "customers"]
    search_fields = ["name", "description", "reference"]
    default_sort = "name"

    def base_queryset(self):
        return Service.objects.select_related("owner")


class ServiceDetail(generic.RecordDetailView):
    model = Service
    fields = [
        "reference",
        "name",
        "status",
        "description",
        "owner",
        "customers",
        "depends_on",
        "change_reference",
    ]
    template_name = "catalog/service_detail.html"
    workflow = SERVICE_WORKFLOW
    transition_service = staticmethod(services.service_transition)


class ServiceForm(generic.RecordFormView):
    model = Service
    form_fields = ["name", "description", "owner", "customers", "depends_on", "change_reference"]
    create_service = staticmethod(services.service_create)
    update_service = staticmethod(services.service_update)


class ServiceGraph(generic.RecordMixin, generic.View):
    """The service map: what a service depends on and what depends on it."""

    model = Service

    def get(self, request, pk: int):
        from django.shortcuts import render

        from .selectors import graph_layout, service_dependency_graph

        service = self.get_object(pk)
        layout = graph_layout(service_dependency_graph(service, request.user))
        return render(
            request,
            "catalog/service_graph.html",
            {**self.base_context(), "object": service, "layout": layout},
        )


class PublicCatalogue(generic.LoginRequiredMixin, generic.View):
    """The catalogue as a customer reads it: services, what can be ordered and the choices offered."""

    def get(self, request):
        from django.shortcuts import render

        from .selectors import public_catalogue

        return render(request, "catalog/catalogue.html", {"catalogue": public_catalogue(request.user)})


class ComponentList(generic.RecordListView):
    model = ServiceComponent
    columns = ["name", "service", "kind", "provided_by"]
    filter_fields = ["service", "kind"]
    search_fields = ["name", "description"]
    default_sort = "name"

    def base_queryset(self):
        return ServiceComponent.objects.select_related("service", "provided_by")


class ComponentDetail(generic.RecordDetailView):
    model = ServiceComponent
    fields = ["name", "service", "kind", "description", "provided_by", "depends_on_services"]


class ComponentForm(generic.RecordFormView):
    model = ServiceComponent
    form_fields = ["service", "name", "kind", "description", "provided_by", "depends_on_services"]
    create_service = staticmethod(services.component_create)
    update_service = staticmethod(services.component_update)


class OfferingList(generic.RecordListView):
    model = Offering
    columns = ["name", "service", "status", "public"]
    filter_fields = ["service", "status"]
    search_fields = ["name", "summary"]
    default_sort = "name"

    def base_queryset(self):
        return Offering.objects.select_related("service")


class OfferingDetail(generic.RecordDetailView):
    model = Offering
    fields = ["name", "service", "summary", "description", "status", "public", "change_reference"]


class OfferingForm(generic.RecordFormView):
    model = Offering
    form_fields = ["service", "name", "summary", "description", "status", "public", "change_reference"]
