"""UI of change management: changes (list, detail with assessment, approvals, conflicts and configuration
updates, form), the change calendar (month view), the CAB view, the iCalendar feed, and generic pages for
the policy, boards, standard change templates, blackout windows and configuration updates."""

from __future__ import annotations

import calendar as cal
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError
from servitium.parties.models import User

from . import ical, selectors, services
from . import lifecycle as L
from .models import (
    BlackoutWindow,
    Change,
    ChangeAdvisoryBoard,
    ChangeApproval,
    ChangeConfigurationUpdate,
    ChangePolicy,
    StandardChangeTemplate,
)

FEED_DAYS_BACK, FEED_DAYS_AHEAD = 30, 365


class ChangeList(generic.RecordListView):
    model = Change
    template_name = "changes/change_list.html"


class ChangeDetail(generic.RecordDetailView):
    model = Change
    template_name = "changes/change_detail.html"
    transition_service = staticmethod(services.change_transition)
    transition_fields = tuple(L.TRANSITION_FIELDS)

    def base_queryset(self):
        return Change.objects.select_related("template", "requester", "owner", "implementer", "problem")

    def context(self, obj: Change):
        context = super().context(obj)
        user = self.request.user
        policy = selectors.active_policy()
        authority, board, quorum = services.approval_route(obj, policy)
        conflicts = selectors.conflicts_for(obj)
        # Inside a blackout window, approving takes a reason: the approve button becomes a small form.
        override = any(c.kind == "blackout" for c in conflicts) and not obj.blackout_override_reason

        def takes_input(t) -> bool:
            return bool(t.needs) or (t.name == "approve" and override)

        context.update(
            {
                "approvals": obj.approvals.select_related("approver", "board"),
                "conflicts": conflicts,
                "updates": obj.configuration_updates.select_related("ci"),
                "customers": selectors.affected_customers(obj),
                "major_reasons": selectors.major_reasons(obj, policy) if obj.category != "major" else [],
                "route": {"authority": authority, "board": board, "quorum": quorum},
                "can_decide": (
                    (obj.status == L.SUBMITTED or obj.retrospective_review_required)
                    and services.may_decide(user, obj, policy)
                    and not obj.approvals.filter(approver=user).exists()
                ),
                "decisions": ChangeApproval.Decision.choices,
                "can_plan_updates": context["can_change"]
                and obj.status in (L.DRAFT, L.SUBMITTED, L.APPROVED),
                # Transitions that take input get their own small form; the others are plain buttons.
                "transitions": [t for t in context["allowed_transitions"] if not takes_input(t)],
                "input_transitions": [t for t in context["allowed_transitions"] if takes_input(t)],
                "step_forms": [],  # the template's own forms above (review, failure, blackout override)
            }
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if "decision" not in request.POST:
            return super().post(request, pk)
        change = self.get_object(pk)
        try:
            services.change_approval_record(
                actor=request.user,
                change=change,
                decision=request.POST["decision"],
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("Your decision is recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(change.get_absolute_url())


class ChangeForm(generic.RecordFormView):
    model = Change
    create_service = staticmethod(services.change_create)
    update_service = staticmethod(services.change_update)


# --- calendar, CAB and feed ------------------------------------------------------------------------------


def _month(request: HttpRequest) -> dt.date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(p) for p in raw.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        return today.replace(day=1)


class ChangeCalendar(generic.RecordMixin, generic.View):
    """The schedule of change for one month: a week grid, each day listing the changes planned on it,
    conflicts highlighted, blackout windows marked."""

    model = Change

    def get(self, request: HttpRequest) -> HttpResponse:
        if not selectors.schedule_readable(request.user):
            raise Http404(_("No such page."))
        first = _month(request)
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
        last_day = cal.monthrange(first.year, first.month)[1]
        end = start + dt.timedelta(days=last_day)
        plan = selectors.schedule(start, end, changes=self.visible(), statuses=(*L.SCHEDULED, *L.IMPLEMENTED))
        conflicting = plan.conflicting_ids
        weeks = []
        for week in cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
            days = []
            for day in week:
                lo = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
                hi = lo + dt.timedelta(days=1)
                days.append(
                    {
                        "date": day,
                        "in_month": day.month == first.month,
                        "changes": [
                            {"obj": c, "conflict": c.pk in conflicting}
                            for c in plan.changes
                            if c.planned_start < hi and c.planned_end > lo
                        ],
                        "blackouts": [b for b in plan.blackouts if b.start < hi and b.end > lo],
                    }
                )
            weeks.append(days)
        feed = request.build_absolute_uri(f"/changes/schedule.ics?token={ical.feed_token(request.user)}")
        return render(
            request,
            "changes/change_calendar.html",
            {
                **self.base_context(),
                "month": first,
                "previous": (first - dt.timedelta(days=1)).replace(day=1),
                "next": (first + dt.timedelta(days=32)).replace(day=1),
                "weeks": weeks,
                "conflicts": plan.conflicts,
                "changes_by_id": {c.pk: c for c in plan.changes},
                "feed_url": feed,
            },
        )


class ChangeBoardView(generic.RecordMixin, generic.View):
    """The CAB view: changes waiting for my decision, and what each board still has to decide."""

    model = Change

    def get(self, request: HttpRequest) -> HttpResponse:
        if not selectors.schedule_readable(request.user):
            raise Http404(_("No such page."))
        visible = self.visible().select_related("owner")
        mine = services.decidable_by(request.user, visible).prefetch_related(
            Prefetch("approvals", queryset=ChangeApproval.objects.select_related("approver"))
        )
        waiting = visible.filter(status=L.SUBMITTED) | visible.filter(retrospective_review_required=True)
        return render(
            request,
            "changes/change_board.html",
            {
                **self.base_context(),
                "mine": mine.order_by("planned_start", "id"),
                "waiting": waiting.prefetch_related("approvals").order_by("planned_start", "id")[:200],
                "boards": ChangeAdvisoryBoard.objects.prefetch_related("members"),
                "decisions": ChangeApproval.Decision.choices,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        change = self.visible().filter(pk=request.POST.get("change") or 0).first()
        if change is None:
            raise Http404(_("No such record."))
        try:
            services.change_approval_record(
                actor=request.user,
                change=change,
                decision=request.POST.get("decision", ""),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("Decision on %(ref)s recorded.") % {"ref": change.reference})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("changes:change_board")


def schedule_feed(request: HttpRequest) -> HttpResponse:
    """iCalendar feed of the schedule of change: signed-in users, or anyone holding a user's secret feed
    address (`?token=`, shown on the calendar page); the user must be allowed to see changes."""
    user = request.user if request.user.is_authenticated else None
    if user is None:
        user = ical.user_for_token(request.GET.get("token", ""), User.objects.all())
    if user is None:
        return HttpResponse(_("A feed token or a sign-in is needed."), status=401, content_type="text/plain")
    if not selectors.schedule_readable(user):
        return HttpResponse(_("Not allowed."), status=403, content_type="text/plain")
    now = timezone.now()
    changes = (
        permissions.restrict(Change.objects.all(), user)
        .filter(
            status__in=(*L.SCHEDULED, *L.IMPLEMENTED),
            planned_start__lt=now + dt.timedelta(days=FEED_DAYS_AHEAD),
            planned_end__gt=now - dt.timedelta(days=FEED_DAYS_BACK),
        )
        .order_by("planned_start", "id")[:5000]
    )
    body = ical.calendar(changes, base_url=request.build_absolute_uri("/").rstrip("/"), now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="schedule-of-change.ics"'
    return response


# --- policy, boards, templates, blackout windows, configuration updates ---------------------------------


class PolicyList(generic.RecordListView):
    model = ChangePolicy


class PolicyDetail(generic.RecordDetailView):
    model = ChangePolicy


class PolicyForm(generic.RecordFormView):
    model = ChangePolicy
    create_service = staticmethod(services.policy_create)
    update_service = staticmethod(services.policy_update)


class BoardList(generic.RecordListView):
    model = ChangeAdvisoryBoard


class BoardDetail(generic.RecordDetailView):
    model = ChangeAdvisoryBoard


class BoardForm(generic.RecordFormView):
    model = ChangeAdvisoryBoard


class TemplateList(generic.RecordListView):
    model = StandardChangeTemplate


class TemplateDetail(generic.RecordDetailView):
    model = StandardChangeTemplate


class TemplateForm(generic.RecordFormView):
    model = StandardChangeTemplate


class BlackoutList(generic.RecordListView):
    model = BlackoutWindow


class BlackoutDetail(generic.RecordDetailView):
    model = BlackoutWindow


class BlackoutForm(generic.RecordFormView):
    model = BlackoutWindow


class UpdateList(generic.RecordListView):
    """Configuration updates across changes (each also lives on its change's page)."""

    model = ChangeConfigurationUpdate

    def base_queryset(self):
        return ChangeConfigurationUpdate.objects.select_related("change", "ci")


class UpdateDetail(generic.RecordDetailView):
    model = ChangeConfigurationUpdate


class UpdateForm(generic.RecordFormView):
    """Planned from the change's page (`?change=<id>` pre-fills the form)."""

    model = ChangeConfigurationUpdate
    create_service = staticmethod(services.configuration_update_create)
    update_service = staticmethod(services.configuration_update_update)
