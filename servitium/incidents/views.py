"""UI: the agent queue and the ticket pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.api.pagination import CappedCountPaginator
from servitium.core.errors import ApplicationError
from servitium.parties.models import Person, Team

from . import fulfilment, major, selectors, services
from .clocks import clock_reading, clock_state
from .imports import mapping as mapping_files
from .imports import web as mapping_import
from .lifecycle import INCIDENT_WORKFLOW
from .mailgate import triage
from .models import Approval, HeldMail, Incident, PostIncidentReview, SavedFilter

OPEN_STATUSES = [
    s for s in Incident.Status.values if s not in (Incident.Status.RESOLVED, Incident.Status.CLOSED)
]


class IncidentList(generic.RecordListView):
    """The queue: everything, my work, my teams' work, breaching soon, or a filter the agent saved; in
    working order (selectors.queue_order) with the time left on each ticket's next SLA clock."""

    model = Incident
    template_name = "incidents/incident_list.html"
    table_template = "incidents/_queue_table.html"
    paginator_class = CappedCountPaginator  # queues over millions of tickets: exact counts up to 10,000

    def base_queryset(self):
        queryset = Incident.objects.select_related("customer", "assignee")
        view = self.request.GET.get("view", "")
        person = Person.objects.filter(user=self.request.user).first() if view in ("mine", "team") else None
        if view == "mine":
            queryset = queryset.filter(assignee=person) if person else queryset.none()
        elif view == "team":
            queryset = queryset.filter(assignment_group__members=person) if person else queryset.none()
        elif view == "breaching":
            # Each open ticket once, at the due time of its earliest running clock: the running clocks come
            # from their own small partial index, grouped per ticket (no DISTINCT over joined rows).
            queryset = queryset.filter(
                status__in=OPEN_STATUSES,
                sla_clocks__stopped_at__isnull=True,
                sla_clocks__paused=False,
                sla_clocks__due_at__isnull=False,
            ).annotate(next_due=Min("sla_clocks__due_at"))
        if view in ("mine", "team"):
            queryset = queryset.exclude(status__in=[Incident.Status.RESOLVED, Incident.Status.CLOSED])
        return queryset

    def filtered(self, request):
        listing = super().filtered(request)
        if not listing.ordering and not listing.errors:
            # No column chosen: the queue's working order (a chosen column sorts as the user asked).
            listing.queryset = selectors.queue_order(listing.queryset)
        return listing

    def decorate_rows(self, rows):
        columns = self.list_columns()
        due = selectors.queue_clocks([r["obj"].pk for r in rows], self.request.user, timezone.now())
        for row in rows:
            obj = row["obj"]
            row["fields"] = [
                {"name": name, "value": value, "link": link}
                for name, (value, link) in zip(columns, row["cells"], strict=True)
            ]
            row["due"] = due.get(obj.pk)
            row["flag"] = (
                (_("major incident") if obj.is_major else _("unassigned P1"))
                if selectors.needs_hands(obj)
                else ""
            )

    def base_context(self):
        context = super().base_context()
        user = self.request.user
        staff = permissions.is_provider_user(user)
        context["can_import"] = permissions.area_allows(user, "incidents", permissions.ALL)
        saved = list(permissions.restrict(SavedFilter.objects.all(), user).order_by("name")) if staff else []
        params = self.request.GET.copy()
        params.pop("page", None)
        context["saved_filters"] = saved
        context["can_save_filter"] = staff
        context["active_filter"] = next((f for f in saved if f.query == params.urlencode()), None)
        can_bulk = staff and permissions.has_permission(user, permissions.CHANGE, Incident)
        context["can_bulk"] = can_bulk
        # On a phone the queue keeps what an agent acts on (ticket, priority, status, time left).
        context["wide_only"] = ("customer", "assignee", "created")
        if can_bulk:
            context["bulk_teams"] = permissions.restrict(
                Team.objects.filter(organization__kind="provider").order_by("name"), user
            )
            context["bulk_people"] = permissions.restrict(
                Person.objects.filter(organization__kind="provider").order_by("name"), user
            )
            context["bulk_steps"] = [t for t in INCIDENT_WORKFLOW.transitions if not t.needs]
        return context


def _back_to_queue(request) -> str:
    """The queue the form was posted from (only ever the queue itself, with its filter)."""
    query = request.POST.get("query", "").lstrip("?")
    base = reverse("incidents:incident_list")
    return f"{base}?{query}" if query else base


class IncidentBulk(generic.LoginRequiredMixin, View):
    """Assign the selected tickets, or move them along their lifecycle, from the queue: each ticket
    through the same service as on its own page, refused ones named."""

    def post(self, request):
        user = request.user
        if not permissions.is_provider_user(user) or not permissions.has_permission(
            user, permissions.CHANGE, Incident
        ):
            raise PermissionDenied(_("You may not change tickets."))
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()][:500]
        if not ids:
            messages.error(request, _("Select the tickets first."))
            return redirect(_back_to_queue(request))
        action = request.POST.get("action", "")
        try:
            if action == "assign":
                outcome = services.incident_bulk_assign(
                    actor=user,
                    ids=[int(i) for i in ids],
                    team=self._pick(Team, request.POST.get("assignment_group")),
                    person=self._pick(Person, request.POST.get("assignee")),
                )
            elif action == "transition":
                outcome = services.incident_bulk_transition(
                    actor=user,
                    ids=[int(i) for i in ids],
                    transition=request.POST.get("transition", ""),
                    note=request.POST.get("note", ""),
                )
            else:
                messages.error(request, _("Choose what to do with the selected tickets."))
                return redirect(_back_to_queue(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_back_to_queue(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(_back_to_queue(request))
        self._report(request, outcome)
        return redirect(_back_to_queue(request))

    def _pick(self, model, raw: str | None):
        if not raw or not raw.isdigit():
            return None
        candidates = model.objects.filter(pk=raw, organization__kind="provider")
        found = permissions.restrict(candidates, self.request.user).select_related("organization").first()
        if found is None:
            raise ValidationError(_("No such team or person of the provider."))
        return found

    @staticmethod
    def _report(request, outcome: services.BulkOutcome) -> None:
        if outcome.done:
            messages.success(
                request,
                ngettext("%(n)d ticket changed.", "%(n)d tickets changed.", len(outcome.done))
                % {"n": len(outcome.done)},
            )
        if outcome.refused:
            names = "; ".join(f"{ref}: {reason}" for ref, reason in outcome.refused[:20])
            more = len(outcome.refused) - 20
            messages.error(
                request,
                ngettext(
                    "%(n)d ticket refused — %(names)s",
                    "%(n)d tickets refused — %(names)s",
                    len(outcome.refused),
                )
                % {"n": len(outcome.refused), "names": names + (f" (+{more})" if more > 0 else "")},
            )


class SavedFilterSave(generic.LoginRequiredMixin, View):
    """Save the queue's current filter under a name; it shows as a tab of the queue."""

    def post(self, request):
        if not permissions.is_provider_user(request.user):
            raise PermissionDenied(_("Saved filters are for the provider's staff."))
        try:
            saved = services.saved_filter_save(
                actor=request.user, name=request.POST.get("name", ""), query=request.POST.get("query", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_back_to_queue(request))
        messages.success(request, _("Filter saved as %(name)s.") % {"name": saved.name})
        return redirect(saved.get_absolute_url())


class SavedFilterDelete(generic.LoginRequiredMixin, View):
    def post(self, request, pk: int):
        try:
            services.saved_filter_delete(actor=request.user, pk=pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved filter removed."))
        return redirect("incidents:incident_list")


class IncidentDetail(generic.RecordDetailView):
    model = Incident
    transition_service = staticmethod(services.incident_transition)
    template_name = "incidents/incident_detail.html"

    def context(self, obj):
        user = self.request.user
        now = timezone.now()
        context = super().context(obj)
        context["clocks"] = [
            {**clock_reading(clock_state(c, now), now), "label": c.get_metric_display()}
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
        user = self.request.user
        if instance is None and "channel" in form.fields and "channel" not in self.request.GET:
            form.initial["channel"] = services.default_channel(user)
        # Tickets are raised for customers and internal groups only (the model's rule): the choices say so.
        raised_for = Incident.RAISED_FOR
        if "customer" in form.fields and not form.fields["customer"].widget.is_hidden:
            form.fields["customer"].queryset = form.fields["customer"].queryset.filter(kind__in=raised_for)
        if "caller" in form.fields:
            form.fields["caller"].queryset = form.fields["caller"].queryset.filter(
                organization__kind__in=raised_for
            )
        first = next((n for n in form.fields if not form.fields[n].widget.is_hidden), None)
        if first is not None and instance is None:
            form.fields[first].widget.attrs["autofocus"] = True
        elif "title" in form.fields:
            form.fields["title"].widget.attrs["autofocus"] = True
        if not permissions.is_customer_user(user):
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
            context["short_form"] = True
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
    """Import ticket history from one to five export files in the browser with a preset or a mapping of
    one's own (the same importer as `servitium import-incidents`); for incident managers. Preview shows the
    first tickets; Import checks each file's header and queues the run (imports/web.py, imports/runs.py);
    importing the same files again changes nothing."""

    template_name = "incidents/incident_import.html"

    def allowed(self, request) -> bool:
        return permissions.area_allows(request.user, "incidents", permissions.ALL)

    def context(self, **extra):
        runs = mapping_import.recent_runs(self.request.user)
        return {
            "presets": mapping_files.presets(),
            "max_files": mapping_import.MAX_FILES,
            "runs": runs,
            **extra,
        }

    def get(self, request):
        if not self.allowed(request):
            raise PermissionDenied(_("Importing needs the incident manager role."))
        return render(request, self.template_name, self.context())

    def post(self, request):
        if not self.allowed(request):
            raise PermissionDenied(_("Importing needs the incident manager role."))
        try:
            if request.POST.get("action") not in ("preview", "run"):
                raise mapping_import.FormProblem(_("Choose Preview or Import."))
            found = mapping_import.handle(request)
        except mapping_import.FormProblem as exc:
            return render(
                request, self.template_name, self.context(error=str(exc), form=request.POST), status=400
            )
        if "run" in found:  # queued: its own page follows it
            return redirect(found["run"])
        return render(request, self.template_name, self.context(form=request.POST, **found))


class IncidentImportReport(View):
    """The report of the user's latest finished mapping import, as a file."""

    def get(self, request):
        if not permissions.area_allows(request.user, "incidents", permissions.ALL):
            raise PermissionDenied(_("Importing needs the incident manager role."))
        return mapping_import.download(request)


class IncidentImportRunPage(View):
    """One import started in the browser: its progress while the task queue runs it, then its result."""

    def get(self, request, pk):
        run = mapping_import.visible_run(request, pk)
        return render(
            request,
            "incidents/incident_import_run.html",
            {
                "run": run,
                "stage": mapping_import.stage_label(run.stage),
                "result": mapping_import.result_of(run),
                "refresh_seconds": 3,
            },
        )


class IncidentImportRunStatus(View):
    """The run's status as JSON, polled by the run page's script."""

    def get(self, request, pk):
        return mapping_import.status(mapping_import.visible_run(request, pk))


class IncidentImportRunReport(View):
    """The run's report as a text file, or (?format=json) JSON."""

    def get(self, request, pk):
        run = mapping_import.visible_run(request, pk)
        return mapping_import.report_file(run, request.GET.get("format") == "json")


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
