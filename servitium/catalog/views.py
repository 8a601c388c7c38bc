"""UI pages for the service catalogue."""

from servitium.core import views as generic

from . import services
from .models import Offering, Service, ServiceComponent


class ServiceList(generic.RecordListView):
    model = Service

    def base_queryset(self):
        return Service.objects.select_related("owner")


class ServiceDetail(generic.RecordDetailView):
    model = Service
    template_name = "catalog/service_detail.html"
    transition_service = staticmethod(services.service_transition)


class ServiceForm(generic.RecordFormView):
    model = Service
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

    def base_queryset(self):
        return ServiceComponent.objects.select_related("service", "provided_by")


class ComponentDetail(generic.RecordDetailView):
    model = ServiceComponent


class ComponentForm(generic.RecordFormView):
    model = ServiceComponent
    create_service = staticmethod(services.component_create)
    update_service = staticmethod(services.component_update)


class OfferingList(generic.RecordListView):
    model = Offering

    def base_queryset(self):
        return Offering.objects.select_related("service")


class OfferingDetail(generic.RecordDetailView):
    model = Offering


class OfferingForm(generic.RecordFormView):
    model = Offering
