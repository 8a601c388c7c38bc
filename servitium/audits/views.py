"""UI of internal audit: programmes with their items' progress, audits with their checklist and findings
(a panel), the audit report page, checklist verdicts and findings."""

from __future__ import annotations

from django import forms
from django.shortcuts import render

from servitium.core import permissions
from servitium.core import views as generic

from . import selectors, services
from .models import Audit, AuditProgramme, ChecklistItem, Finding, ProgrammeItem


class ProgrammeList(generic.RecordListView):
    model = AuditProgramme
    template_name = "audits/list.html"


class ProgrammeDetail(generic.RecordDetailView):
    model = AuditProgramme


class ProgrammeForm(generic.RecordFormView):
    model = AuditProgramme


class ProgrammeItemList(generic.RecordListView):
    model = ProgrammeItem
    template_name = "audits/list.html"

    def base_queryset(self):
        return ProgrammeItem.objects.select_related("programme")


class ProgrammeItemDetail(generic.RecordDetailView):
    model = ProgrammeItem


class ProgrammeItemForm(generic.RecordFormView):
    model = ProgrammeItem
    create_service = staticmethod(services.programme_item_create)
    update_service = staticmethod(services.programme_item_update)


class AuditList(generic.RecordListView):
    model = Audit
    template_name = "audits/list.html"

    def base_queryset(self):
        return Audit.objects.select_related("lead_auditor")


class AuditDetail(generic.RecordDetailView):
    model = Audit
    transition_service = staticmethod(services.audit_transition)
    transition_fields = ("summary",)


class AuditForm(generic.RecordFormView):
    """The audit form; the areas audited are chosen from the registered process areas."""

    model = Audit
    create_service = staticmethod(services.audit_create)
    update_service = staticmethod(services.audit_update)

    def make_form(self, instance=None, data=None):
        form = super().make_form(instance, data)
        field = form.fields.get("scope_areas")
        if field is not None:
            form.fields["scope_areas"] = forms.MultipleChoiceField(
                label=field.label,
                required=False,
                choices=[(name, area.label) for name, area in sorted(permissions.AREAS.items())],
                widget=forms.CheckboxSelectMultiple,
            )
            if instance is not None and data is None:
                form.initial["scope_areas"] = instance.scope_areas
        return form


class AuditReport(generic.RecordMixin, generic.View):
    """The audit report: scope, criteria, team, summary, findings and checklist statistics."""

    model = Audit

    def get(self, request, pk: int):
        audit = self.get_object(pk)
        return render(
            request,
            "audits/audit_report.html",
            {**self.base_context(), "audit": audit, **selectors.report(audit)},
        )


class ChecklistItemList(generic.RecordListView):
    model = ChecklistItem
    template_name = "audits/list.html"

    def base_queryset(self):
        return ChecklistItem.objects.select_related("audit", "requirement")


class ChecklistItemDetail(generic.RecordDetailView):
    model = ChecklistItem


class ChecklistItemForm(generic.RecordFormView):
    model = ChecklistItem
    update_service = staticmethod(services.checklist_item_update)


class FindingList(generic.RecordListView):
    model = Finding
    template_name = "audits/list.html"

    def base_queryset(self):
        return Finding.objects.select_related("audit", "owner", "nonconformity")


class FindingDetail(generic.RecordDetailView):
    model = Finding


class FindingForm(generic.RecordFormView):
    model = Finding
    create_service = staticmethod(services.finding_create)
