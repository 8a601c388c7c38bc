"""UI pages of the management system: the SMS home, the RACI matrix, and the record pages (columns,
filters, fields and forms from resources.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.panels import LIST, panels

from . import selectors, services
from .models import (
    Commitment,
    CommunicationEntry,
    ContextIssue,
    Objective,
    ObjectiveMeasurement,
    PartyRequirement,
    PlanSection,
    ProcessDefinition,
    ProcessRole,
    ScopeStatement,
    SmsPlan,
    SmsSettings,
    Stakeholder,
)
from .models.leadership import PROCESSES

HOME_RECORD_TYPE = "sms.home"


class Home(generic.LoginRequiredMixin, generic.View):
    """The SMS home: a tile per management-system area, registered by each app (core.panels)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if permissions.is_customer_user(request.user) or not permissions.has_permission(
            request.user, permissions.VIEW, Objective
        ):
            raise Http404(_("No such page."))
        return render(
            request, "sms/home.html", {"panels": panels(HOME_RECORD_TYPE, None, request.user, page=LIST)}
        )


class RaciMatrix(generic.LoginRequiredMixin, generic.View):
    """Who is responsible, accountable, consulted and informed, per process activity."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not permissions.has_permission(request.user, permissions.VIEW, ProcessRole):
            raise Http404(_("No such page."))
        process = request.GET.get("process") or None
        if process and process not in dict(PROCESSES):
            process = None
        rows = selectors.raci_matrix(request.user, process)
        context = {
            "rows": rows,
            "processes": PROCESSES,
            "process": process,
            "without_accountable": sum(1 for r in rows if r.accountable_count != 1),
            "can_add": permissions.has_permission(request.user, permissions.ADD, ProcessRole),
        }
        return render(request, "sms/raci.html", context)


class ContextIssueList(generic.RecordListView):
    model = ContextIssue

    def base_queryset(self):
        return ContextIssue.objects.select_related("owner")


class ContextIssueDetail(generic.RecordDetailView):
    model = ContextIssue
    transition_service = staticmethod(services.context_issue_transition)


class ContextIssueForm(generic.RecordFormView):
    model = ContextIssue


class StakeholderList(generic.RecordListView):
    model = Stakeholder

    def base_queryset(self):
        return Stakeholder.objects.select_related("organization")


class StakeholderDetail(generic.RecordDetailView):
    model = Stakeholder
    template_name = "sms/stakeholder_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["requirements"] = permissions.restrict(obj.requirements.all(), self.request.user)
        return context


class StakeholderForm(generic.RecordFormView):
    model = Stakeholder


class PartyRequirementList(generic.RecordListView):
    model = PartyRequirement

    def base_queryset(self):
        return PartyRequirement.objects.select_related("party")


class PartyRequirementDetail(generic.RecordDetailView):
    model = PartyRequirement


class PartyRequirementForm(generic.RecordFormView):
    model = PartyRequirement


class ScopeStatementList(generic.RecordListView):
    model = ScopeStatement


class ScopeStatementDetail(generic.RecordDetailView):
    model = ScopeStatement
    transition_service = staticmethod(services.scope_transition)


class ScopeStatementForm(generic.RecordFormView):
    model = ScopeStatement
    create_service = staticmethod(services.scope_create)
    update_service = staticmethod(services.scope_update)


class CommitmentList(generic.RecordListView):
    model = Commitment

    def base_queryset(self):
        return Commitment.objects.select_related("made_by")


class CommitmentDetail(generic.RecordDetailView):
    model = Commitment


class CommitmentForm(generic.RecordFormView):
    model = Commitment


class ProcessDefinitionList(generic.RecordListView):
    model = ProcessDefinition

    def base_queryset(self):
        return ProcessDefinition.objects.select_related("owner", "procedure")


class ProcessDefinitionDetail(generic.RecordDetailView):
    model = ProcessDefinition


class ProcessDefinitionForm(generic.RecordFormView):
    model = ProcessDefinition
    create_service = staticmethod(services.process_definition_create)
    update_service = staticmethod(services.process_definition_update)


class ProcessRoleList(generic.RecordListView):
    model = ProcessRole

    def base_queryset(self):
        return ProcessRole.objects.select_related("person", "team")


class ProcessRoleDetail(generic.RecordDetailView):
    model = ProcessRole


class ProcessRoleForm(generic.RecordFormView):
    model = ProcessRole
    create_service = staticmethod(services.process_role_create)
    update_service = staticmethod(services.process_role_update)


class SmsSettingsList(generic.RecordListView):
    model = SmsSettings

    def base_queryset(self):
        return SmsSettings.objects.select_related("management_representative", "appointed_by")


class SmsSettingsDetail(generic.RecordDetailView):
    model = SmsSettings


class SmsSettingsForm(generic.RecordFormView):
    model = SmsSettings
    create_service = staticmethod(services.settings_create)


class ObjectiveList(generic.RecordListView):
    model = Objective

    def base_queryset(self):
        return Objective.objects.select_related("owner")


class ObjectiveDetail(generic.RecordDetailView):
    model = Objective
    transition_service = staticmethod(services.objective_transition)
    template_name = "sms/objective_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["chart"] = selectors.trend_chart(obj)
        context["measurements"] = permissions.restrict(obj.measurements.all(), self.request.user)[:24]
        return context


class ObjectiveForm(generic.RecordFormView):
    model = Objective
    create_service = staticmethod(services.objective_create)
    update_service = staticmethod(services.objective_update)


class ObjectiveMeasurementList(generic.RecordListView):
    model = ObjectiveMeasurement

    def base_queryset(self):
        return ObjectiveMeasurement.objects.select_related("objective")


class ObjectiveMeasurementDetail(generic.RecordDetailView):
    model = ObjectiveMeasurement


class ObjectiveMeasurementForm(generic.RecordFormView):
    model = ObjectiveMeasurement
    create_service = staticmethod(services.measurement_create)
    update_service = staticmethod(services.measurement_update)


class SmsPlanList(generic.RecordListView):
    model = SmsPlan

    def base_queryset(self):
        return SmsPlan.objects.select_related("owner")


class SmsPlanDetail(generic.RecordDetailView):
    model = SmsPlan
    template_name = "sms/plan_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["sections"] = permissions.restrict(obj.sections.select_related("owner"), self.request.user)
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if "review" in request.POST:
            from django.contrib import messages
            from django.shortcuts import redirect

            plan = self.get_object(pk)
            if not permissions.can(request.user, permissions.CHANGE, plan):
                raise Http404(_("No such page."))
            services.plan_review(actor=request.user, plan=plan)
            messages.success(request, _("Review recorded."))
            return redirect(plan.get_absolute_url())
        return super().post(request, pk)


class SmsPlanForm(generic.RecordFormView):
    model = SmsPlan
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)


class PlanSectionList(generic.RecordListView):
    model = PlanSection

    def base_queryset(self):
        return PlanSection.objects.select_related("owner")


class PlanSectionDetail(generic.RecordDetailView):
    model = PlanSection
    transition_service = staticmethod(services.section_transition)


class PlanSectionForm(generic.RecordFormView):
    model = PlanSection
    update_service = staticmethod(services.section_update)


class CommunicationEntryList(generic.RecordListView):
    model = CommunicationEntry

    def base_queryset(self):
        return CommunicationEntry.objects.select_related("communicator", "communicator_team")


class CommunicationEntryDetail(generic.RecordDetailView):
    model = CommunicationEntry


class CommunicationEntryForm(generic.RecordFormView):
    model = CommunicationEntry
