"""UI of information security: the overview, the register of controls with its import, and the generic
list, detail and form pages of every record type (from resources.py)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic

from . import selectors, services
from .models import (
    AccessGrant,
    SecurityControl,
    SecurityImpactAssessment,
    SecurityIncidentLink,
    SecurityRiskAssessment,
    SecuritySettings,
)

TABBED = "security/record_list.html"


def _views(model, related: tuple[str, ...] = ()):
    def base_queryset(self):
        return model.objects.select_related(*related)

    attrs = {"model": model, "base_queryset": base_queryset}
    return (
        type(f"{model.__name__}List", (generic.RecordListView,), {**attrs, "template_name": TABBED}),
        type(f"{model.__name__}Detail", (generic.RecordDetailView,), attrs),
        type(f"{model.__name__}Form", (generic.RecordFormView,), {"model": model}),
    )


SettingsList, SettingsDetail, SettingsForm = _views(SecuritySettings, ("policy",))
ControlList, ControlDetail, ControlForm = _views(SecurityControl, ("owner",))
AssessmentList, AssessmentDetail, AssessmentForm = _views(SecurityRiskAssessment, ("assessor",))
LinkList, LinkDetail, LinkForm = _views(SecurityIncidentLink, ("incident", "reviewed_by"))
ImpactList, ImpactDetail, ImpactForm = _views(SecurityImpactAssessment, ("change", "assessor"))
GrantList, GrantDetail, GrantForm = _views(AccessGrant, ("organization", "person", "granted_by"))


class Overview(generic.LoginRequiredMixin, generic.View):
    """The policy's standing, the register in figures, overdue reviews and access grants."""

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, SecurityControl):
            raise PermissionDenied(_("You may not see information security records."))
        found = selectors.figures(request.user)
        visible = permissions.restrict(SecurityControl.objects.select_related("owner"), request.user)
        grants = permissions.restrict(
            AccessGrant.objects.select_related("organization", "person"), request.user
        )
        context = {
            "panel": found,
            "overdue_controls": list(selectors.overdue_controls(visible).order_by("identifier")[:50]),
            "overdue_grants": list(selectors.overdue_grants(grants).order_by("next_review")[:50]),
            "tab": "overview",
        }
        return render(request, "security/overview.html", context)


class ImportControls(generic.LoginRequiredMixin, generic.View):
    """Upload a CSV file or an OSCAL catalog (JSON) into the register of controls."""

    def _allowed(self, user) -> bool:
        return permissions.has_permission(
            user, permissions.ADD, SecurityControl
        ) and permissions.has_permission(user, permissions.CHANGE, SecurityControl)

    def get(self, request):
        if not self._allowed(request.user):
            raise PermissionDenied(_("Only the security roles import controls."))
        return render(request, "security/import.html", {"columns": services.CSV_COLUMNS, "tab": "controls"})

    def post(self, request):
        if not self._allowed(request.user):
            raise PermissionDenied(_("Only the security roles import controls."))
        upload = request.FILES.get("file")
        errors: list[str] = []
        if upload is None:
            errors = [_("Choose a file.")]
        elif upload.size > 5 * 1024 * 1024:
            errors = [_("The file is larger than 5 MB.")]
        else:
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text, errors = "", [_("The file is not UTF-8 text.")]
            if not errors:
                try:
                    if request.POST.get("format") == "oscal":
                        result = services.controls_import_oscal(actor=request.user, document=text)
                    else:
                        result = services.controls_import_csv(actor=request.user, text=text)
                except ValidationError as exc:
                    errors = [str(m) for values in exc.message_dict.values() for m in values]
                except json.JSONDecodeError:  # pragma: no cover - the service reports JSON errors itself
                    errors = [_("Not JSON.")]
        if errors:
            return render(
                request,
                "security/import.html",
                {"columns": services.CSV_COLUMNS, "errors": errors, "tab": "controls"},
                status=400,
            )
        messages.success(
            request,
            _("%(c)d controls created, %(u)d updated.") % {"c": result["created"], "u": result["updated"]},
        )
        return redirect("security:securitycontrol_list")
