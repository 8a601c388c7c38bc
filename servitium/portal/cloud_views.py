"""The portal's pages on the organization's cloud services: subscriptions (quotas, use, onboarding steps),
resource requests, exit plans with their data exports, and charging statements. Each parses input, calls
one selector or service, renders; another organization's record is "not found"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from servitium.core.errors import ApplicationError

from . import cloud_selectors as selectors
from . import cloud_services as services
from . import forms
from .views import _errors_to_form, _not_found, _page, _refusal, customer_page


@customer_page
def subscriptions(request: HttpRequest) -> HttpResponse:
    rows = [selectors.subscription_row(s) for s in selectors.subscriptions(request.user)[:200]]
    return _page(request, "cloud/subscriptions.html", {"rows": rows})


@customer_page
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    subscription = selectors.subscription_get(user, pk)
    if subscription is None:
        return _not_found(request, _("No such subscription."))
    refused, status = "", 200
    if request.method == "POST":
        task = selectors.task_get(user, subscription, request.POST.get("task"))
        if task is None:
            return _not_found(request, _("No such onboarding step."))
        try:
            services.task_done(actor=user, task=task, note=request.POST.get("note", "")[:5000])
        except (ValidationError, ApplicationError) as exc:
            refused, status = _refusal(exc)
        else:
            done = (
                _("Thank you: you accepted the service.")
                if task.kind == "acceptance"
                else _("Marked as done: %(title)s.") % {"title": task.title}
            )
            messages.success(request, done)
            return redirect("portal:subscription", pk=pk)
    return _page(
        request,
        "cloud/subscription.html",
        {
            **selectors.subscription_row(subscription),
            "quotas": selectors.quota_lines(subscription, user),
            "onboarding": selectors.onboarding(subscription, user),
            "requests": [
                selectors.request_row(r)
                for r in selectors.resource_requests(user).filter(subscription=subscription)[:20]
            ],
            "plans": [selectors.plan_row(p, user) for p in selectors.exit_plans_of(subscription, user)],
            "refused": refused,
        },
        status=status,
    )


@customer_page
def resource_requests(request: HttpRequest) -> HttpResponse:
    rows = [selectors.request_row(r) for r in selectors.resource_requests(request.user)[:200]]
    return _page(request, "cloud/requests.html", {"rows": rows})


@customer_page
def resource_request_form(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    subscription = selectors.subscription_get(user, pk)
    if subscription is None:
        return _not_found(request, _("No such subscription."))
    form = forms.ResourceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.resource_request(actor=user, subscription=subscription, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            _errors_to_form(form, exc)
        else:
            text = (
                _("Your request %(ref)s is within your quota: it is approved and we set it up.")
                if made.within_quota
                else _("Your request %(ref)s is over quota: it needs our approval first.")
            )
            messages.success(request, text % {"ref": made.reference})
            return redirect("portal:resource_requests")
    return _page(
        request,
        "cloud/request_form.html",
        {
            **selectors.subscription_row(subscription),
            "form": form,
            "quotas": selectors.quota_lines(subscription, user),
        },
        status=400 if form.errors else 200,
    )


def _acknowledge_export(request: HttpRequest) -> tuple[Any, str, int]:
    """The "confirm receipt" button of an export: (response to send, refusal, status)."""
    export = selectors.export_get(request.user, request.POST.get("export"))
    if export is None:
        return _not_found(request, _("No such data export.")), "", 404
    try:
        services.export_acknowledge(actor=request.user, export=export)
    except (ValidationError, ApplicationError) as exc:
        return None, *_refusal(exc)
    messages.success(request, _("Thank you: you confirmed receipt of %(ref)s.") % {"ref": export.reference})
    return redirect(request.path), "", 302


@customer_page
def exits(request: HttpRequest) -> HttpResponse:
    user = request.user
    refused, status = "", 200
    if request.method == "POST":
        response, refused, status = _acknowledge_export(request)
        if response is not None:
            return response
    return _page(
        request,
        "cloud/exits.html",
        {
            "plans": [selectors.plan_row(p, user) for p in selectors.exit_plans(user)[:100]],
            "exports": [selectors.export_row(e, user) for e in selectors.exports(user)[:100]],
            "refused": refused,
        },
        status=status,
    )


@customer_page
def exit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = selectors.exit_plan_get(user, pk)
    if plan is None:
        return _not_found(request, _("No such exit plan."))
    refused, status = "", 200
    if request.method == "POST":
        if request.POST.get("action") == "agree":
            try:
                services.plan_acknowledge(actor=user, plan=plan)
            except (ValidationError, ApplicationError) as exc:
                refused, status = _refusal(exc)
            else:
                messages.success(
                    request, _("Thank you: you agreed the exit plan %(ref)s.") % {"ref": plan.reference}
                )
                return redirect("portal:exit_plan", pk=pk)
        else:
            response, refused, status = _acknowledge_export(request)
            if response is not None:
                return response
        plan = selectors.exit_plan_get(user, pk)
    return _page(
        request,
        "cloud/exit_plan.html",
        {
            **selectors.plan_row(plan, user),
            "items": selectors.inventory(plan, user),
            "subscriptions": list(plan.subscriptions.all()),
            "exports": [selectors.export_row(e, user) for e in selectors.exports(user, plan)],
            "refused": refused,
        },
        status=status,
    )


@customer_page
def statements(request: HttpRequest) -> HttpResponse:
    rows = [selectors.statement_row(s) for s in selectors.statements(request.user)[:200]]
    return _page(request, "cloud/statements.html", {"rows": rows})


@customer_page
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = selectors.statements(request.user).filter(pk=pk).first()
    if statement is None:
        return _not_found(request, _("No such statement."))
    return _page(request, "cloud/statement.html", selectors.statement_row(statement))
