"""UI of release management: release list, detail (acceptance criteria, bundled changes, deployments with
their baselines, early-life incidents; transitions that need input get a small form), forms, policies."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError

from . import selectors, services
from .lifecycle import RELEASE_WORKFLOW
from .models import AcceptanceCriterion, Release, ReleasePolicy

TRANSITION_INPUTS = {
    "fail": ("failure_reason", _("What went wrong")),
    "roll_back": ("rollback_notes", _("What was rolled back and how")),
    "review": ("review_notes", _("Review: objectives met, lessons, follow-up")),
    "deploy": ("environment", _("Environment (default: production)")),
}


class ReleaseList(generic.RecordListView):
    model = Release
    columns = ["reference", "title", "release_type", "status", "planned_start", "successful"]
    filter_fields = ["status", "release_type"]
    search_fields = ["reference", "title"]
    default_sort = "-planned_start"
    template_name = "releases/release_list.html"

    def base_context(self):
        context = super().base_context()
        upcoming, troubled = selectors.service_desk_view(self.visible())
        context.update({"upcoming": upcoming[:10], "troubled": troubled[:10]})
        return context


class ReleaseDetail(generic.RecordDetailView):
    model = Release
    fields = [
        "reference",
        "title",
        "description",
        "release_type",
        "status",
        "policy",
        "release_manager",
        "services",
        "planned_start",
        "planned_end",
        "deployment_method",
        "deliverables",
        "acceptance_environment",
        "rollback_plan",
        "problems",
        "known_errors",
        "approved_by",
        "approved_at",
        "deployed_at",
        "failure_reason",
        "review_notes",
        "early_life_incidents",
        "successful",
    ]
    template_name = "releases/release_detail.html"
    workflow = RELEASE_WORKFLOW
    transition_service = staticmethod(services.release_transition)
    transition_fields = tuple(field for field, _label in TRANSITION_INPUTS.values())

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        plain, with_input = [], []
        for t in context["transitions"]:
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
            return HttpResponseForbidden(_("You may not do this."))
        try:
            if request.POST.get("criterion_id"):
                item = obj.acceptance_criteria.get(pk=int(request.POST["criterion_id"]))
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
    form_fields = [
        "title",
        "description",
        "release_type",
        "policy",
        "release_manager",
        "services",
        "changes",
        "problems",
        "known_errors",
        "planned_start",
        "planned_end",
        "deployment_method",
        "deliverables",
        "acceptance_environment",
        "rollback_plan",
    ]
    create_service = staticmethod(services.release_create)
    update_service = staticmethod(services.release_update)


class ReleasePolicyList(generic.RecordListView):
    model = ReleasePolicy
    columns = ["name", "customer", "frequency", "early_life_days", "agreed_on"]
    filter_fields = ["frequency"]
    search_fields = ["name"]
    default_sort = "name"
    template_name = "releases/releasepolicy_list.html"


class ReleasePolicyDetail(generic.RecordDetailView):
    model = ReleasePolicy
    fields = [
        "name",
        "customer",
        "frequency",
        "release_types",
        "notice_days",
        "early_life_days",
        "max_early_life_incidents",
        "acceptance_requirements",
        "agreed_on",
    ]


class ReleasePolicyForm(generic.RecordFormView):
    model = ReleasePolicy
    form_fields = ReleasePolicyDetail.fields
