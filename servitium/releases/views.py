"""UI of release management: release list, detail (acceptance criteria, bundled changes, deployments with
their baselines, early-life incidents; transitions that need input get a small form), forms, policies."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError
from servitium.core.filters import record_id

from . import selectors, services
from .models import AcceptanceCriterion, Release, ReleasePolicy

TRANSITION_INPUTS = {
    "fail": ("failure_reason", gettext_lazy("What went wrong")),
    "roll_back": ("rollback_notes", gettext_lazy("What was rolled back and how")),
    "review": ("review_notes", gettext_lazy("Review: objectives met, lessons, follow-up")),
    "deploy": ("environment", gettext_lazy("Environment (default: production)")),
}


class ReleaseList(generic.RecordListView):
    model = Release
    template_name = "releases/release_list.html"

    def base_context(self):
        context = super().base_context()
        upcoming, troubled = selectors.service_desk_view(self.visible())
        context.update({"upcoming": upcoming[:10], "troubled": troubled[:10]})
        return context


class ReleaseDetail(generic.RecordDetailView):
    model = Release
    template_name = "releases/release_detail.html"
    transition_service = staticmethod(services.release_transition)
    transition_fields = tuple(field for field, _label in TRANSITION_INPUTS.values())
    own_form_transitions = tuple(TRANSITION_INPUTS)

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        # Bundled changes, problems and known errors are named only as far as the reader may see them
        # (the service desk reads releases, not necessarily the changes in them).
        for name, detail in zip(self.detail_fields(), context["details"], strict=True):
            if obj._meta.get_field(name).many_to_many:
                visible = permissions.restrict(getattr(obj, name).all(), user)
                detail["value"] = ", ".join(str(o) for o in visible)
        plain, with_input = [], []
        for t in context["allowed_transitions"]:
            if t.name in TRANSITION_INPUTS:
                field, label = TRANSITION_INPUTS[t.name]
                with_input.append({"t": t, "field": field, "label": label})
            else:
                plain.append(t)
        incidents = permissions.restrict(selectors.early_life_incidents(obj), user)
        context.update(
            {
                "transitions": plain,
                "transitions_with_input": with_input,
                "criteria": obj.acceptance_criteria.select_related("tested_by"),
                "changes": permissions.restrict(obj.changes.all(), user),
                "deployments": obj.deployments.select_related("baseline", "performed_by"),
                "early_life": incidents.order_by("created")[:50],
                "early_life_days": selectors.early_life_days(obj),
                "can_record_results": context["can_change"]
                and obj.status in (Release.Status.PLANNED, Release.Status.BUILDING),
                "results": AcceptanceCriterion.Result.choices,
            }
        )
        return context

    def post(self, request, pk):
        obj = self.get_object(pk)
        if "criterion" in request.POST or "criterion_id" in request.POST:
            return self._record_criterion(request, obj)
        return super().post(request, pk)

    def _record_criterion(self, request, obj):
        if not permissions.can(request.user, permissions.CHANGE, obj):
            raise PermissionDenied(_("You may not do this."))
        try:
            if request.POST.get("criterion_id"):
                item = obj.acceptance_criteria.get(pk=record_id(request.POST["criterion_id"]))
                services.criterion_update(
                    actor=request.user,
                    instance=item,
                    data={
                        "result": request.POST.get("result", ""),
                        "evidence": request.POST.get("evidence", ""),
                    },
                )
            else:
                services.criterion_create(
                    actor=request.user,
                    data={"release": obj, "criterion": request.POST.get("criterion", "").strip()},
                )
            messages.success(request, _("Saved."))
        except (ValidationError, ValueError, AcceptanceCriterion.DoesNotExist) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("No such criterion.")
            messages.error(request, text)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


class ReleaseForm(generic.RecordFormView):
    model = Release
    create_service = staticmethod(services.release_create)
    update_service = staticmethod(services.release_update)


class ReleasePolicyList(generic.RecordListView):
    model = ReleasePolicy
    template_name = "releases/releasepolicy_list.html"

    def base_queryset(self):
        return ReleasePolicy.objects.select_related("customer")


class ReleasePolicyDetail(generic.RecordDetailView):
    model = ReleasePolicy


class ReleasePolicyForm(generic.RecordFormView):
    model = ReleasePolicy
