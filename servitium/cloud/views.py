"""UI of the cloud service lifecycle under /cloud/: subscriptions (the page shows the quotas with usage bars
and charts, the onboarding checklist with owners and due dates, the resource requests and the cost
profile), quotas, onboarding templates and their tasks, onboarding tasks, resource requests, usage records
and the CSV upload of usage. Columns, filters, fields and forms come from resources.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError

from . import selectors, services
from .models import (
    OnboardingTask,
    OnboardingTemplate,
    OnboardingTemplateTask,
    ResourceRequest,
    Subscription,
    SubscriptionQuota,
    UsageRecord,
)


def _complete_task(request, task_id: str, back: str):
    """Complete an onboarding task from a page (the subscription's checklist or the task's own page)."""
    if not str(task_id).isdigit() or len(str(task_id)) > 18:
        raise Http404(_("No such record."))
    task = permissions.restrict(OnboardingTask.objects.all(), request.user).filter(pk=int(task_id)).first()
    if task is None:
        raise Http404(_("No such record."))
    if not permissions.can(request.user, permissions.CHANGE, task):
        raise PermissionDenied(_("You may not do this."))
    try:
        services.task_complete(actor=request.user, instance=task, note=request.POST.get("note", "")[:5000])
        messages.success(request, _("Done: %(task)s.") % {"task": task.title})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(back)


class SubscriptionList(generic.RecordListView):
    model = Subscription

    def base_queryset(self):
        return Subscription.objects.select_related("customer", "offering")


class SubscriptionDetail(generic.RecordDetailView):
    model = Subscription
    template_name = "cloud/subscription_detail.html"
    transition_service = staticmethod(services.subscription_transition)
    transition_fields = ("effective_end", "notice_given_on", "end")
    own_form_transitions = ("terminate",)

    def base_queryset(self):
        return Subscription.objects.select_related(
            "customer", "offering__service", "agreement", "accepted_by"
        )

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        charted = selectors.usage_charts(obj, user)
        requests = permissions.restrict(ResourceRequest.objects.filter(subscription=obj), user).order_by(
            "-created", "-id"
        )[:30]
        context.update(
            {
                "charts": charted,
                "quota_bars": selectors.quota_bars(charted),
                "checklist": selectors.checklist(obj, user),
                "requests": requests,
                "usage": selectors.usage_against_quota(obj, user)[:36],
                "cost": selectors.cost_profile(obj, user),
                "can_request": permissions.has_permission(user, permissions.ADD, ResourceRequest)
                and obj.status in (Subscription.Status.ONBOARDING, Subscription.Status.LIVE),
                "can_add_quota": context["can_change"]
                and permissions.has_permission(user, permissions.ADD, SubscriptionQuota),
                "blocked": [
                    (str(t.label), t.guard(obj))
                    for t in self.resource().workflow.from_state(obj.status)
                    if t.guard and context["can_change"] and t.guard(obj)
                ],
            }
        )
        return context

    def post(self, request, pk):
        if request.POST.get("action") != "complete_task":
            return super().post(request, pk)
        obj = self.get_object(pk)
        return _complete_task(request, request.POST.get("task", ""), obj.get_absolute_url())


class SubscriptionForm(generic.RecordFormView):
    model = Subscription
    create_service = staticmethod(services.subscription_create)
    update_service = staticmethod(services.subscription_update)


class QuotaList(generic.RecordListView):
    model = SubscriptionQuota

    def base_queryset(self):
        return SubscriptionQuota.objects.select_related("subscription")


class QuotaDetail(generic.RecordDetailView):
    model = SubscriptionQuota

    def base_queryset(self):
        return SubscriptionQuota.objects.select_related("subscription")


class QuotaForm(generic.RecordFormView):
    model = SubscriptionQuota
    create_service = staticmethod(services.quota_create)
    update_service = staticmethod(services.quota_update)


class TemplateList(generic.RecordListView):
    model = OnboardingTemplate

    def base_queryset(self):
        return OnboardingTemplate.objects.select_related("offering")


class TemplateDetail(generic.RecordDetailView):
    model = OnboardingTemplate
    template_name = "cloud/onboardingtemplate_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["steps"] = permissions.restrict(
            obj.tasks.select_related("owner", "owner_team"), self.request.user
        ).order_by("order", "id")
        return context


class TemplateForm(generic.RecordFormView):
    model = OnboardingTemplate


class TemplateTaskList(generic.RecordListView):
    model = OnboardingTemplateTask

    def base_queryset(self):
        return OnboardingTemplateTask.objects.select_related("template")


class TemplateTaskDetail(generic.RecordDetailView):
    model = OnboardingTemplateTask

    def base_queryset(self):
        return OnboardingTemplateTask.objects.select_related("template", "owner", "owner_team")


class TemplateTaskForm(generic.RecordFormView):
    model = OnboardingTemplateTask


class TaskList(generic.RecordListView):
    model = OnboardingTask

    def base_queryset(self):
        return OnboardingTask.objects.select_related("subscription", "owner")


class TaskDetail(generic.RecordDetailView):
    model = OnboardingTask
    template_name = "cloud/onboardingtask_detail.html"

    def base_queryset(self):
        return OnboardingTask.objects.select_related("subscription", "owner", "team", "done_by")

    def context(self, obj):
        context = super().context(obj)
        rows = [r for r in selectors.checklist(obj.subscription, self.request.user) if r["task"].pk == obj.pk]
        context["row"] = rows[0] if rows else None
        return context

    def post(self, request, pk):
        if request.POST.get("action") != "complete_task":
            return super().post(request, pk)
        obj = self.get_object(pk)
        return _complete_task(request, str(obj.pk), obj.get_absolute_url())


class TaskForm(generic.RecordFormView):
    model = OnboardingTask
    create_service = staticmethod(services.task_create)
    update_service = staticmethod(services.task_update)


class RequestList(generic.RecordListView):
    model = ResourceRequest

    def base_queryset(self):
        return ResourceRequest.objects.select_related("subscription")


class RequestDetail(generic.RecordDetailView):
    model = ResourceRequest
    template_name = "cloud/resourcerequest_detail.html"
    transition_service = staticmethod(services.request_transition)
    transition_fields = ("reason", "quantity", "unit_cost", "allocation_note")
    own_form_transitions = ("reject", "fulfil")

    def base_queryset(self):
        return ResourceRequest.objects.select_related(
            "subscription", "requested_by", "decided_by", "fulfilled_by"
        )


class RequestForm(generic.RecordFormView):
    model = ResourceRequest
    create_service = staticmethod(services.request_create)
    update_service = staticmethod(services.request_update)


class UsageList(generic.RecordListView):
    model = UsageRecord

    def base_queryset(self):
        return UsageRecord.objects.select_related("subscription")


class UsageDetail(generic.RecordDetailView):
    model = UsageRecord

    def base_queryset(self):
        return UsageRecord.objects.select_related("subscription")


class UsageForm(generic.RecordFormView):
    model = UsageRecord
    create_service = staticmethod(services.usage_create)
    update_service = staticmethod(services.usage_update)


class UsageUpload(generic.LoginRequiredMixin, generic.View):
    """Usage from a CSV file: every line checked, all stored or none, the error naming the line."""

    template_name = "cloud/usage_upload.html"

    def _allowed(self, request) -> bool:
        return permissions.has_permission(request.user, permissions.ADD, UsageRecord)

    def get(self, request):
        if not self._allowed(request):
            raise Http404(_("No such page."))
        return render(request, self.template_name, {"errors": []})

    def post(self, request):
        if not self._allowed(request):
            raise Http404(_("No such page."))
        upload = request.FILES.get("file")
        errors: list[str] = []
        if upload is None:
            errors = [_("Choose a CSV file.")]
        else:
            try:
                stored = services.usage_from_csv(
                    actor=request.user,
                    content=upload.read(services.CSV_MAX_BYTES + 1),
                    name=(upload.name or "")[:60],
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("%(n)d usage records stored.") % {"n": len(stored)})
                return redirect("cloud:usagerecord_list")
        return render(request, self.template_name, {"errors": errors}, status=400)
