"""UI: problems and known errors (generic list/detail/form), and the suggestions fragment for the incident
form (`/problems/suggest/?q=...`, called through htmx while the agent types)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError
from servitium.core.filters import record_id
from servitium.incidents.models import Incident

from . import search as fulltext
from . import selectors, services
from .models import KnownError, Problem

SUGGESTIONS = 8


class ProblemList(generic.RecordListView):
    """All problems, or the open ones (`?view=open`)."""

    model = Problem
    template_name = "problems/problem_list.html"

    def base_queryset(self):
        queryset = Problem.objects.select_related("service")
        if self.request.GET.get("view") == "open":
            queryset = queryset.exclude(status__in=Problem.ENDED)
        return queryset


class ProblemDetail(generic.RecordDetailView):
    """The problem with its incidents (link and unlink by reference), known errors and recurrence."""

    model = Problem
    transition_service = staticmethod(services.problem_transition)
    template_name = "problems/problem_detail.html"

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        linked = obj.incidents.order_by("-created", "-id")
        visible = list(permissions.restrict(linked, user))
        hidden = linked.count() - len(visible)
        recurring = permissions.restrict(selectors.recurrence(obj), user).order_by("created", "id")
        # The linked incidents as this user may see them (the declared field would name them all).
        label = Problem._meta.get_field("incidents").verbose_name
        for detail in context["details"]:
            if detail["label"] == label:
                detail["value"] = ", ".join(i.reference for i in visible)
                if hidden:
                    more = ngettext(
                        "and %(n)d incident you may not see", "and %(n)d incidents you may not see", hidden
                    ) % {"n": hidden}
                    detail["value"] = f"{detail['value']} ({more})" if visible else more
        context.update(
            {
                "linked_incidents": visible,
                "hidden_incidents": hidden,
                "known_errors": permissions.restrict(obj.known_errors.all(), user),
                "recurring_incidents": recurring[:20] if obj.resolved_at else None,
                "recurring_count": recurring.count() if obj.resolved_at else 0,
                "can_link": context["can_change"]
                and obj.status not in (Problem.Status.CLOSED, Problem.Status.CANCELLED),
                "can_escalate": context["can_change"] and obj.is_open,
                "escalate_by": selectors.escalation_due(obj),
            }
        )
        return context

    def post(self, request, pk):
        action = request.POST.get("action")
        if action not in {"link", "unlink", "escalate"}:
            return super().post(request, pk)
        obj = self.get_object(pk)
        if not permissions.can(request.user, permissions.CHANGE, obj):
            raise PermissionDenied(_("You may not do this."))
        try:
            if action == "escalate":
                services.problem_escalate(
                    actor=request.user, instance=obj, note=request.POST.get("note", "")[:5000]
                )
            elif action == "link":
                references = [r for r in re.split(r"[\s,;]+", request.POST.get("references", "")) if r]
                incidents = permissions.restrict(
                    Incident.objects.filter(reference__in=[r.upper() for r in references]), request.user
                )
                found = {i.reference for i in incidents}
                unknown = [r for r in references if r.upper() not in found]
                if unknown or not references:
                    raise ValidationError(
                        _("No incident %(refs)s that you can see.") % {"refs": ", ".join(unknown) or "—"}
                    )
                services.problem_link_incidents(actor=request.user, problem=obj, incidents=incidents)
            else:
                services.problem_unlink_incidents(
                    actor=request.user, problem=obj, incidents=request.POST.getlist("incident")
                )
            messages.success(request, _("Done."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


class ProblemForm(generic.RecordFormView):
    """Edit a problem. A new one may be raised from incidents: `/problems/new/?incident=12&incident=15`
    fills it in from them and links them."""

    model = Problem
    template_name = "problems/problem_form.html"
    create_service = staticmethod(services.problem_create)
    update_service = staticmethod(services.problem_update)

    def source_incidents(self) -> list[Incident]:
        ids = [n for n in map(record_id, self.request.GET.getlist("incident")) if n]
        if not ids:
            return []
        incidents = Incident.objects.filter(pk__in=ids, kind=Incident.Kind.INCIDENT).select_related("service")
        return list(permissions.restrict(incidents, self.request.user))

    def make_form(self, instance=None, data=None):
        form = super().make_form(instance, data)
        if "incidents" in form.fields:
            # Named when the problem is raised from incidents (?incident=...); never a list to pick from.
            form.fields["incidents"].widget = forms.MultipleHiddenInput()
        if instance is None and data is None:
            incidents = self.source_incidents()
            form.initial.update(services.defaults_from_incidents(incidents))
            form.initial["incidents"] = [i.pk for i in incidents]
        if "title" in form.fields:
            form.fields["title"].widget.attrs["autofocus"] = True
        return form

    def base_context(self):
        return {**super().base_context(), "source_incidents": self.source_incidents()}


class KnownErrorList(generic.RecordListView):
    model = KnownError
    template_name = "problems/knownerror_list.html"

    def base_queryset(self):
        return KnownError.objects.select_related("service", "problem")


class KnownErrorDetail(generic.RecordDetailView):
    model = KnownError
    transition_service = staticmethod(services.known_error_transition)


class KnownErrorForm(generic.RecordFormView):
    model = KnownError
    create_service = staticmethod(services.known_error_create)
    update_service = staticmethod(services.known_error_update)


class Suggestions(generic.LoginRequiredMixin, generic.View):
    """Known errors and resolved incidents matching what is typed in the incident form, as an HTML fragment.

    `?q=` is searched; without it, `?title=` and `?description=` (the incident form's own fields, e.g. via
    `hx-include`) are. Customers and users without the grants get an empty fragment.
    """

    def get(self, request):
        query = request.GET.get("q") or " ".join(request.GET.get(k, "") for k in ("title", "description"))
        hits = fulltext.suggest(query[:1000], request.user, limit=SUGGESTIONS)
        return render(request, "problems/_suggestions.html", {"hits": hits, "query": query.strip()})
