"""UI of configuration control: baselines (list, detail, take one, compare), configuration audits and their
findings, the definitive library (master copies), the licence view, the CI import page, and the layout of
the service map drawn on a CI's page."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError
from servitium.core.filters import record_id

from . import audits, baselines, importing, selectors, services
from .models import CIType, ConfigurationItem
from .records import AuditFinding, Baseline, ConfigurationAudit, MasterCopy

# --- the service map -------------------------------------------------------------------------------------

NODE_W, NODE_H, COL_GAP, ROW_GAP, PAD = 180, 40, 70, 16, 10


def map_layout(data: dict[str, Any]) -> dict[str, Any]:
    """Place the map's nodes in columns by level (what depends on the CI on the left, what it depends on
    on the right) and its edges between them; the template draws the result as SVG."""
    levels = sorted({n["level"] for n in data["nodes"]})
    columns: dict[int, list[dict]] = {level: [] for level in levels}
    for node in data["nodes"]:
        columns[node["level"]].append(node)
    placed: dict[int, dict[str, Any]] = {}
    for col, level in enumerate(levels):
        for row, node in enumerate(columns[level]):
            x = PAD + col * (NODE_W + COL_GAP)
            y = PAD + row * (NODE_H + ROW_GAP)
            placed[node["id"]] = {**node, "x": x, "y": y, "cx": x + NODE_W / 2, "cy": y + NODE_H / 2}
    edges = []
    for edge in data["edges"]:
        a, b = placed[edge["source"]], placed[edge["target"]]
        x1, x2 = (a["x"] + NODE_W, b["x"]) if a["x"] < b["x"] else (a["x"], b["x"] + NODE_W)
        if a["x"] == b["x"]:
            x1 = x2 = a["x"] + NODE_W
        edges.append(
            {
                **edge,
                "x1": x1,
                "y1": a["cy"],
                "x2": x2,
                "y2": b["cy"],
                "lx": (x1 + x2) / 2 + (12 if a["x"] == b["x"] else 0),
                "ly": (a["cy"] + b["cy"]) / 2 - 3,
                "label": edge["kind"].replace("_", " "),
            }
        )
    rows = max((len(c) for c in columns.values()), default=1)
    return {
        "nodes": list(placed.values()),
        "edges": edges,
        "width": 2 * PAD + len(levels) * NODE_W + max(len(levels) - 1, 0) * COL_GAP + 40,
        "height": 2 * PAD + rows * NODE_H + (rows - 1) * ROW_GAP,
        "node_w": NODE_W,
        "node_h": NODE_H,
        "depth": data["depth"],
        "ci": data["ci"],
    }


def map_context(ci: ConfigurationItem, user: Any, depth_param: str | None) -> dict[str, Any]:
    try:
        depth = int(depth_param or 2)
    except ValueError:
        depth = 2
    depth = max(1, min(depth, selectors.MAX_MAP_DEPTH))
    return {
        "map": map_layout(selectors.ci_map(ci, user, depth)),
        "map_depths": range(1, selectors.MAX_MAP_DEPTH + 1),
    }


# --- master copies -----------------------------------------------------------------------------------------


class MasterCopyList(generic.RecordListView):
    model = MasterCopy
    template_name = "cmdb/tabbed_list.html"

    def base_queryset(self):
        return MasterCopy.objects.select_related("custodian")

    def base_context(self):
        return {**super().base_context(), "tab": "library"}


class MasterCopyDetail(generic.RecordDetailView):
    model = MasterCopy
    template_name = "cmdb/mastercopy_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["cis"] = permissions.restrict(obj.cis.select_related("ci_type"), self.request.user)
        return context


class MasterCopyForm(generic.RecordFormView):
    model = MasterCopy


# --- baselines ---------------------------------------------------------------------------------------------


class BaselineList(generic.RecordListView):
    model = Baseline
    template_name = "cmdb/tabbed_list.html"

    def base_context(self):
        return {**super().base_context(), "tab": "baselines"}


class BaselineDetail(generic.RecordDetailView):
    model = Baseline
    template_name = "cmdb/baseline_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["items"] = obj.items.all()[:500]
        context["others"] = self.visible().exclude(pk=obj.pk)[:100]
        return context


class BaselineEdit(generic.RecordFormView):
    """Only the name and purpose of a baseline can be corrected."""

    model = Baseline
    update_service = staticmethod(services.baseline_update)

    def instance(self, pk):
        if pk is None:
            raise Http404(_("No such page."))
        return super().instance(pk)


class BaselineCreate(generic.RecordMixin, generic.View):
    """Take a baseline: of a service CI and everything it depends on, of a CI type, of a customer's CIs, or of
    CIs listed by reference."""

    model = Baseline
    template_name = "cmdb/baseline_form.html"

    def allowed(self) -> bool:
        return permissions.has_permission(self.request.user, permissions.ADD, Baseline)

    def options(self, **extra) -> dict[str, Any]:
        from servitium.parties.models import Organization

        user = self.request.user
        return {
            **self.base_context(),
            "services": permissions.restrict(
                ConfigurationItem.objects.filter(ci_type__name="service"), user
            ).order_by("name"),
            "types": permissions.restrict(CIType.objects.all(), user),
            "customers": permissions.restrict(Organization.objects.filter(kind="customer"), user),
            "scopes": Baseline.Scope.choices,
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.allowed():
            raise Http404(_("No such page."))
        return render(request, self.template_name, self.options(values={}))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.allowed():
            raise Http404(_("No such page."))
        values = request.POST
        scope = values.get("scope", "service")
        common = {
            "actor": request.user,
            "name": values.get("name", "").strip(),
            "purpose": values.get("purpose", ""),
        }
        try:
            if not common["name"]:
                raise ValidationError({"name": _("Give the baseline a name.")})
            if scope == Baseline.Scope.CIS:
                refs = [
                    r.strip() for r in values.get("references", "").replace(",", " ").split() if r.strip()
                ]
                found = dict(
                    permissions.restrict(
                        ConfigurationItem.objects.filter(reference__in=refs), request.user
                    ).values_list("reference", "pk")
                )
                missing = [r for r in refs if r not in found]
                if missing or not refs:
                    raise ValidationError(
                        {"references": _("Unknown CI reference(s): %(r)s") % {"r": ", ".join(missing) or "—"}}
                    )
                baseline = services.baseline_create(cis=list(found.values()), **common)
            else:
                field = {"service": "service", "ci_type": "ci_type", "customer": "customer"}.get(scope)
                scope_id = record_id(values.get(field, "")) if field else None
                if scope_id is None:
                    raise ValidationError({"scope": _("Choose what the baseline covers.")})
                baseline = services.baseline_for_scope(scope=scope, scope_id=scope_id, **common)
        except (ValidationError, ApplicationError) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message
            return render(request, self.template_name, self.options(values=values, error=text), status=400)
        messages.success(request, _("Baseline %(ref)s taken.") % {"ref": baseline.reference})
        return redirect(baseline.get_absolute_url())


class BaselineCompare(generic.RecordMixin, generic.View):
    """The differences from a baseline to another one or to now."""

    model = Baseline
    template_name = "cmdb/baseline_compare.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        baseline = self.get_object(pk)
        against = request.GET.get("against", "now")
        other = None
        if against != "now":
            number = record_id(against)
            other = self.visible().filter(pk=number).first() if number else None
            if other is None:
                raise Http404(_("No such baseline."))
        after = baselines.stored(other) if other else baselines.current(baseline)
        result = baselines.diff(baselines.stored(baseline), after)
        return render(
            request,
            self.template_name,
            {**self.base_context(), "object": baseline, "other": other, "diff": result},
        )


# --- configuration audits ----------------------------------------------------------------------------------


class AuditList(generic.RecordListView):
    model = ConfigurationAudit
    template_name = "cmdb/tabbed_list.html"

    def base_context(self):
        return {**super().base_context(), "tab": "audits"}


class AuditDetail(generic.RecordDetailView):
    model = ConfigurationAudit
    template_name = "cmdb/audit_detail.html"
    transition_service = staticmethod(audits.audit_transition)

    def context(self, obj):
        context = super().context(obj)
        context["findings"] = obj.findings.select_related("ci", "owner")
        context["can_import"] = context["can_change"] and obj.status in ("planned", "in_progress")
        context["discovered_count"] = len(obj.discovered or [])
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if "import" not in request.POST:
            return super().post(request, pk)
        audit = self.get_object(pk)
        upload = request.FILES.get("file")
        if not permissions.can(request.user, permissions.CHANGE, audit):
            raise PermissionDenied(_("You may not do this."))
        try:
            if upload is None:
                raise ValidationError({"file": _("Choose a CSV or JSON file.")})
            audit = audits.audit_import(
                actor=request.user, audit=audit, content=upload.read(), filename=upload.name
            )
            messages.success(
                request,
                _("%(n)d rows imported, %(e)d refused.")
                % {"n": len(audit.discovered), "e": len(audit.row_errors)},
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(audit.get_absolute_url())


class AuditForm(generic.RecordFormView):
    model = ConfigurationAudit


class FindingList(generic.RecordListView):
    model = AuditFinding
    template_name = "cmdb/tabbed_list.html"

    def base_queryset(self):
        return AuditFinding.objects.select_related("audit", "owner")

    def base_context(self):
        return {**super().base_context(), "tab": "findings"}


class FindingDetail(generic.RecordDetailView):
    model = AuditFinding
    template_name = "cmdb/finding_detail.html"
    transition_service = staticmethod(audits.finding_transition)
    own_form_transitions = ("close",)  # with the resolution and a note, beside the other follow-ups

    def context(self, obj):
        context = super().context(obj)
        context["can_close"] = context["can_change"] and obj.status == "open"
        context["resolutions"] = AuditFinding.Resolution.choices
        context["discovered_json"] = json.dumps(obj.discovered, indent=2, ensure_ascii=False)
        context["types"] = CIType.objects.all()
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actions = {
            "register": audits.finding_register_ci,
            "apply": audits.finding_apply_discovered,
            "retire": audits.finding_retire_ci,
        }
        chosen = next((name for name in (*actions, "close") if name in request.POST), None)
        if chosen is None:
            return super().post(request, pk)
        finding = self.get_object(pk)
        if not permissions.can(request.user, permissions.CHANGE, finding):
            raise PermissionDenied(_("You may not do this."))
        try:
            if chosen == "close":
                audits.finding_transition(
                    actor=request.user,
                    instance=finding,
                    transition="close",
                    note=request.POST.get("note", ""),
                    data={"resolution": request.POST.get("resolution", "")},
                )
            elif chosen == "register":
                data = {}
                type_id = record_id(request.POST.get("ci_type", ""))
                if type_id:
                    data["ci_type"] = CIType.objects.filter(pk=type_id).first()
                audits.finding_register_ci(actor=request.user, finding=finding, data=data)
            else:
                actions[chosen](actor=request.user, finding=finding)
            messages.success(request, _("Finding closed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(finding.get_absolute_url())


class FindingForm(generic.RecordFormView):
    """Findings mostly come from reconciling an audit; one seen by inspection is recorded by hand (from the
    audit's page, `?audit=<id>`). Afterwards only its follow-up is edited."""

    model = AuditFinding


# --- licences and import -----------------------------------------------------------------------------------


class LicenceView(generic.RecordMixin, generic.View):
    model = ConfigurationItem
    template_name = "cmdb/licences.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        positions = selectors.licences(request.user)
        return render(
            request,
            self.template_name,
            {"positions": positions, "tab": "licences", "warning_days": selectors.EXPIRY_WARNING_DAYS},
        )


class CIImport(generic.LoginRequiredMixin, generic.View):
    """Import CIs (and relationships) from CSV or XLSX in the browser: the same importer as `servitium
    import-cis`.
    The upload shows a progress bar; row errors are listed; importing the same file again changes nothing."""

    template_name = "cmdb/ci_import.html"

    def allowed(self, request) -> bool:
        """Whoever may both add and change CIs (the declaration's rules: configuration staff)."""
        user = request.user
        return permissions.has_permission(user, permissions.ADD, ConfigurationItem) and (
            permissions.has_permission(user, permissions.CHANGE, ConfigurationItem)
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.allowed(request):
            raise PermissionDenied(_("Importing needs a configuration role."))
        return render(request, self.template_name, {"tab": "import"})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.allowed(request):
            raise PermissionDenied(_("Importing needs a configuration role."))
        cis_file = request.FILES.get("cis")
        rel_file = request.FILES.get("relationships")
        if cis_file is None and rel_file is None:
            context = {"tab": "import", "error": _("Choose a file of CIs, of relationships, or both.")}
            return render(request, self._template(request), context, status=400)
        report = importing.import_cis(
            actor=request.user,
            cis=cis_file.read() if cis_file else None,
            relationships=rel_file.read() if rel_file else None,
            names={label: f.name or "" for label, f in (("cis", cis_file), ("relationships", rel_file)) if f},
            sheets={
                "cis": request.POST.get("cis_sheet", "").strip(),
                "relationships": request.POST.get("relationships_sheet", "").strip(),
            },
        )
        if report.refused:
            context = {"tab": "import", "error": report.refused}
            return render(request, self._template(request), context, status=400)
        return render(request, self._template(request), {"tab": "import", "report": report})

    def _template(self, request) -> str:
        return "cmdb/_import_report.html" if getattr(request, "htmx", False) else self.template_name
