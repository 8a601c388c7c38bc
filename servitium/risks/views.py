"""UI of risk management: the register (list, detail with actions and review, form), the heat map, the
matrices and the treatment actions. Columns, filters, fields and forms come from resources.py."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError

from . import selectors, services
from .lifecycle import RISK_WORKFLOW
from .models import Risk, RiskAction, RiskMatrix


class RiskList(generic.RecordListView):
    model = Risk
    template_name = "risks/risk_list.html"

    def base_queryset(self):
        return Risk.objects.select_related("owner")


class RiskDetail(generic.RecordDetailView):
    """The risk with its treatment actions, a review form and transitions that take their inputs."""

    model = Risk
    template_name = "risks/risk_detail.html"
    transition_service = staticmethod(services.risk_transition)
    transition_fields = services.TRANSITION_FIELDS

    def base_queryset(self):
        return Risk.objects.select_related("owner")

    def context(self, obj):
        context = super().context(obj)
        matrix = selectors.active_matrix()
        user = self.request.user
        context.update(
            {
                "actions": permissions.restrict(obj.actions.select_related("owner"), user),
                "can_add_action": context["can_change"] and obj.is_open,
                "band": matrix.band_for(obj.score),
                "residual_band": matrix.band_for(obj.residual_score),
                "matrix": matrix,
                "treatments": Risk.Treatment.choices,
                "today": dt.date.today(),
                "blocked": _blocked(obj) if context["can_change"] else [],
            }
        )
        return context

    def post(self, request, pk):
        if request.POST.get("action") != "review":
            return super().post(request, pk)
        obj = self.get_object(pk)
        if not permissions.can(request.user, permissions.CHANGE, obj):
            raise PermissionDenied(_("You may not do this."))
        try:
            raw = request.POST.get("next_review", "").strip()
            try:
                next_review = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                raise ValidationError({"next_review": [_("Give the date as YYYY-MM-DD.")]}) from None
            services.risk_review(
                actor=request.user, instance=obj, note=request.POST.get("note", ""), next_review=next_review
            )
            messages.success(request, _("Review recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


def _blocked(risk: Risk) -> list[tuple[str, str]]:
    """The next steps whose rule is not met yet, with the reason (so people see what is missing)."""
    blocked = []
    for step in RISK_WORKFLOW.from_state(risk.status):
        reason = step.guard(risk) if step.guard else None
        if reason:
            blocked.append((str(step.label), reason))
    return blocked


class RiskForm(generic.RecordFormView):
    model = Risk
    create_service = staticmethod(services.risk_create)
    update_service = staticmethod(services.risk_update)


class HeatMap(generic.RecordMixin, generic.View):
    """Open risks per likelihood and impact, coloured by band; `?residual=1` shows the residual scores."""

    model = Risk

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, Risk):
            raise PermissionDenied(_("You may not see the risk register."))
        residual = request.GET.get("residual") == "1"
        found = selectors.heat_map(request.user, residual=residual, base_url=reverse("risks:risk_list"))
        return render(request, "risks/heat_map.html", {**self.base_context(), **found})


class MatrixList(generic.RecordListView):
    model = RiskMatrix


class MatrixDetail(generic.RecordDetailView):
    model = RiskMatrix
    template_name = "risks/riskmatrix_detail.html"

    def post(self, request, pk):
        if request.POST.get("action") != "activate":
            return super().post(request, pk)
        obj = self.get_object(pk)
        if not permissions.can(request.user, permissions.CHANGE, obj):
            raise PermissionDenied(_("You may not do this."))
        try:
            services.matrix_activate(actor=request.user, instance=obj)
            messages.success(request, _("This matrix is now the active one."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(obj.get_absolute_url())


class MatrixForm(generic.RecordFormView):
    model = RiskMatrix
    create_service = staticmethod(services.matrix_create)
    update_service = staticmethod(services.matrix_update)


class ActionList(generic.RecordListView):
    model = RiskAction

    def base_queryset(self):
        return RiskAction.objects.select_related("risk", "owner")


class ActionDetail(generic.RecordDetailView):
    model = RiskAction
    transition_service = staticmethod(services.action_transition)
    transition_fields = ("outcome",)

    def base_queryset(self):
        return RiskAction.objects.select_related("risk", "owner")


class ActionForm(generic.RecordFormView):
    model = RiskAction
    create_service = staticmethod(services.action_create)
    update_service = staticmethod(services.action_update)
