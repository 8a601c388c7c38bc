"""UI of resources and competence: the catalogue, requirements, competences held, training and budgets
(generic list/detail/form from resources.py), the gap matrix, and the resources behind each service."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.core import permissions
from servitium.core import views as generic

from . import selectors
from .models import (
    Competence,
    CompetenceArea,
    CompetenceRequirement,
    PersonCompetence,
    ResourceBudget,
    TrainingRecord,
)


def _views(model, related: tuple[str, ...] = (), list_template: str | None = None):
    """List, detail and form pages of a record type (the generic ones, with its related records joined)."""

    def base_queryset(self):
        return model.objects.select_related(*related)

    attrs = {"model": model, "base_queryset": base_queryset}
    list_attrs = {**attrs, **({"template_name": list_template} if list_template else {})}
    return (
        type(f"{model.__name__}List", (generic.RecordListView,), list_attrs),
        type(f"{model.__name__}Detail", (generic.RecordDetailView,), attrs),
        type(f"{model.__name__}Form", (generic.RecordFormView,), {"model": model}),
    )


TABBED = "competence/record_list.html"
AreaList, AreaDetail, AreaForm = _views(CompetenceArea, list_template=TABBED)
CompetenceList, CompetenceDetail, CompetenceForm = _views(Competence, ("area",), TABBED)
RequirementList, RequirementDetail, RequirementForm = _views(
    CompetenceRequirement, ("competence", "team"), TABBED
)
HeldList, HeldDetail, HeldForm = _views(PersonCompetence, ("person", "competence", "assessed_by"), TABBED)
TrainingList, TrainingDetail, TrainingForm = _views(TrainingRecord, ("person", "competence"), TABBED)
BudgetList, BudgetDetail, BudgetForm = _views(ResourceBudget, ("service",), TABBED)


class Gaps(generic.LoginRequiredMixin, generic.View):
    """People against the requirements of their roles, as a coloured matrix, and coverage per role."""

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, CompetenceRequirement):
            raise PermissionDenied(_("You may not see competence records."))
        rows, roles = selectors.gaps(request.user)
        context = {
            "matrix": selectors.gap_matrix(rows),
            "roles": roles,
            "gap_count": sum(1 for g in rows if g.status != selectors.MET),
            "tab": "gaps",
        }
        return render(request, "competence/gaps.html", context)


class ServiceResourcesList(generic.LoginRequiredMixin, generic.View):
    """The services, each linking to the resources behind it."""

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, ResourceBudget):
            raise PermissionDenied(_("You may not see resource records."))
        services = permissions.restrict(Service.objects.exclude(status="retired"), request.user).order_by(
            "name"
        )
        return render(request, "competence/resources_list.html", {"services": services, "tab": "resources"})


class ServiceResources(generic.LoginRequiredMixin, generic.View):
    """The human, technical, information and financial resources of one service."""

    def get(self, request, pk: int):
        if not permissions.has_permission(request.user, permissions.VIEW, ResourceBudget):
            raise PermissionDenied(_("You may not see resource records."))
        service = (
            permissions.restrict(Service.objects.filter(pk=pk), request.user).select_related("owner").first()
        )
        if service is None:
            raise Http404(_("No such service."))
        found = selectors.service_resources(service, request.user)
        can_add = permissions.has_permission(request.user, permissions.ADD, ResourceBudget)
        return render(
            request, "competence/service_resources.html", {**found, "can_add": can_add, "tab": "resources"}
        )
