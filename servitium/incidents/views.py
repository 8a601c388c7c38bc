"""UI: the agent queue and the ticket pages."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.api.pagination import CappedCountPaginator
from servitium.core.errors import ApplicationError
from servitium.parties.models import Person, Team

from . import fulfilment, major, selectors, services
from .clocks import clock_reading, clock_state
from .importing import MAPPINGS, ImportArgumentError, import_incidents
from .imports import mapping as mapping_files
from .imports import web as mapping_import
from .mailgate import triage
from .models import Approval, HeldMail, Incident, PostIncidentReview

OPEN_STATUSES = [
    s for s in Incident.Status.values if s not in (Incident.Status.RESOLVED, Incident.Status.CLOSED)
]


class IncidentList(generic.RecordListView):
    """The queue: everything, my work, my teams' work, or breaching soon (by SLA due time)."""

    model = Incident
    template_name = "incidents/incident_list.html"
    paginator_class = CappedCountPaginator  # queues over millions of tickets: exact counts up to 10,000

    def base_queryset(self):
        queryset = Incident.objects.select_related("customer", "assignee")
        view = self.request.GET.get("view", "")
        person = Person.objects.filter(user=self.request.user).first()
        if view == "mine":
            queryset = queryset.filter(assignee=person) if person else queryset.none()
        elif view == "team":
            queryset = queryset.filter(assignment_group__members=person) if person else queryset.none()
        elif view == "breaching":
            # Each open ticket once, at the due time of its earliest running clock: the running clocks come
            # from their own small partial index, grouped per ticket (no DISTINCT over joined rows).
            queryset = (
                queryset.filter(
                    status__in=OPEN_STATUSES,
                    sla_clocks__stopped_at__isnull=True,
                    sla_clocks__paused=False,
                    sla_clocks__due_at__isnull=False,
                )
                .annotate(next_due=Min("sla_clocks__due_at"))
                .order_by("next_due", "id")
            )
        if view in ("mine", "team"):
            queryset = queryset.exclude(status__in=[Incident.Status.RESOLVED, Incident.Status.CLOSED])
        return queryset

    def base_context(self):
        context = super().base_context()
        context["can_import"] = permissions.area_allows(self.request.user, "incidents", permissions.ALL)
        return context


class IncidentDetail(generic.RecordDetailView):
    model = Incident
    transition_service = staticmethod(services.incident_transition)
    template_name = "incidents/incident_detail.html"

    def context(self, obj):
        user = self.request.user
        context = super().context(obj)
        context["clocks"] = [
            {**clock_reading(clock_state(c)), "label": c.get_metric_display()}
            for c in permissions.restrict(obj.sla_clocks.select_related("calendar"), user)
        ]
        updates = permissions.restrict(obj.major_updates.select_related("author"), user)
        customer = permissions.is_customer_user(user)
        staff = not customer and permissions.can(user, permissions.CHANGE, obj)
        context.update(
            {
                "major_updates": updates,
                "timeline": selectors.timeline(obj, user, limit=200),
                "review": PostIncidentReview.objects.filter(incident=obj).first(),
                "definition": major.matching_definition(obj) if staff and not obj.is_major else None,
                "can_act": staff and obj.is_open,
                "may_approve": obj.approval == Approval.PENDING and fulfilment.may_approve(user, obj),
                "provider_people": Person.objects.filter(organization__kind="provider").order_by("name")
                if staff
                else [],
                "provider_teams": Team.objects.filter(organization__kind="provider").order_by("name")
                if staff
                else [],
            }
        )
        return context

    def post(self, request, pk):
        """Besides comments and transitions: escalation, major-incident declaration and updates, approval."""
        action = request.POST.get("action")
        if action not in {"escalate", "declare_major", "major_update", "approval"}:
            return super().post(request, pk)
        obj = self.get_object(pk)
        post = request.POST
        try:
            if action == "approval":
                fulfilment.request_decide(
                    actor=request.user,
                    incident=obj,
                    decision=post.get("decision", ""),
                    note=post.get("note", ""),
                )
            elif not permissions.can(request.user, permissions.CHANGE, obj):
                raise PermissionDenied(_("You may not do this."))
            elif action == "escalate":
                team = Team.objects.filter(pk=post.get("assignment_group") or None).first()
                major.escalate(
                    actor=request.user,
                    incident=obj,
                    kind=post.get("kind", ""),
                    team=team,
                    note=post.get("note", ""),
                )
            elif action == "declare_major":
                manager = Person.objects.filter(pk=post.get("major_manager") or None).first()
                major.major_declare(
                    actor=request.user, incident=obj, manager=manager, note=post.get("note", "")
                )
            elif action == "major_update":
                major.update_add(
                    actor=request.user,
                    incident=obj,
                    audience=post.get("audience", ""),
                    body=post.get("body", ""),
                )
            messages.success(request, _("Done."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


class IncidentForm(generic.RecordFormView):
    model = Incident
    template_name = "incidents/incident_form.html"
    create_service = staticmethod(services.incident_create)
    update_service = staticmethod(services.incident_update)

    def make_form(self, instance=None, data=None):
        form = super().make_form(instance, data)
        if "title" in form.fields:
            form.fields["title"].widget.attrs["autofocus"] = True
        if not permissions.is_customer_user(self.request.user):
            # Known errors and resolutions are offered as the agent types (2011 8.1: people working on
            # incidents can reach them).
            for name in ("title", "description"):
                if name in form.fields:
                    form.fields[name].widget.attrs.update(
                        {
                            "hx-get": reverse("problems:suggest"),
                            "hx-trigger": "keyup changed delay:400ms",
                            "hx-target": "#problem-suggestions",
                            "hx-swap": "outerHTML",
                            "hx-include": "[name=title],[name=description]",
                        }
                    )
        return form

    def base_context(self):
        context = super().base_context()
        if not permissions.is_customer_user(self.request.user):
            context["suggest_url"] = reverse("problems:suggest")
        return context


class PostIncidentReviewForm(generic.RecordFormView):
    """Record (or correct) the review of a major incident; `?incident=<id>` pre-fills the ticket."""

    model = PostIncidentReview
    create_service = staticmethod(major.review_record)

    def make_form(self, instance=None, data=None):
        form = super().make_form(instance, data)
        if "incident" in form.fields:
            form.fields["incident"].queryset = form.fields["incident"].queryset.filter(is_major=True)
        return form


class PostIncidentReviewList(generic.RecordListView):
    model = PostIncidentReview

    def base_queryset(self):
        return PostIncidentReview.objects.select_related("incident")


class IncidentImport(View):
    """Import ticket history from CSV or XLSX files in the browser (the same importer as `servitium
    import-incidents`); for incident managers. Each file is checked, row errors are listed, re-running the
    same files changes nothing."""

    template_name = "incidents/incident_import.html"

    def allowed(self, request) -> bool:
        return permissions.area_allows(request.user, "incidents", permissions.ALL)

    def context(self, **extra):
        return {"mappings": MAPPINGS, "presets": mapping_files.presets(), "max_files": 5, **extra}

    def get(self, request):
        if not self.allowed(request):
            raise PermissionDenied(_("Importing needs the incident manager role."))
        return render(request, self.template_name, self.context())

    def post(self, request):
        if not self.allowed(request):
            raise PermissionDenied(_("Importing needs the incident manager role."))
        if request.POST.get("action") in ("preview", "run"):  # a preset or a mapping file of one's own
            try:
                found = mapping_import.handle(request)
            except mapping_import.FormProblem as exc:
                return render(
                    request, self.template_name, self.context(error=str(exc), form=request.POST), status=400
                )
            return render(request, self.template_name, self.context(form=request.POST, **found))
        uploads = request.FILES.getlist("files")
        mapping = request.POST.get("mapping", "")
        customer = request.POST.get("customer", "").strip() or None
        sheet = request.POST.get("sheet", "").strip() or None
        if not uploads or len(uploads) > 5:
            return render(
                request,
                self.template_name,
                self.context(error=_("Choose one to five CSV or XLSX files.")),
                status=400,
            )
        with tempfile.TemporaryDirectory(prefix="servitium-import-") as folder:
            paths = []
            for index, upload in enumerate(uploads):
                path = Path(folder) / f"{index}-{Path(upload.name or 'file.csv').name}"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                paths.append(path)
            names = {str(p): p.name.split("-", 1)[1] for p in paths}
            try:
                report = import_incidents(mapping, paths, customer=customer, sheet=sheet)
            except ImportArgumentError as exc:
                message = str(exc)
                for path, name in names.items():  # the uploads' names, not where they were kept
                    message = message.replace(path, name).replace(Path(path).name, name)
                return render(request, self.template_name, self.context(error=message), status=400)
        errors = [
            (
                _("%(file)s, sheet %(sheet)s") % {"file": names.get(e.file, e.file), "sheet": e.sheet}
                if e.sheet
                else names.get(e.file, e.file),
                e.line,
                e.message,
            )
            for e in report.errors[:200]
        ]
        return render(
            request,
            self.template_name,
            self.context(report=report, errors=errors, more_errors=max(0, len(report.errors) - 200)),
        )


class IncidentImportReport(View):
    """The report of this session's last mapping import, as a file."""

    def get(self, request):
        if not permissions.area_allows(request.user, "incidents", permissions.ALL):
            raise PermissionDenied(_("Importing needs the incident manager role."))
        return mapping_import.download(request)


class HeldMailList(generic.RecordListView):
    """The triage queue: mail from unknown senders, oldest waiting first."""

    model = HeldMail

    def base_queryset(self):
        return HeldMail.objects.select_related("organization", "incident").defer("raw")


class HeldMailForm(generic.RecordFormView):
    """Name the organization before accepting (the only field an agent writes)."""

    model = HeldMail


class HeldMailDetail(generic.RecordDetailView):
    model = HeldMail
    transition_service = staticmethod(triage.held_mail_transition)
