"""The portal's pages: each parses input, calls one selector or service, renders. Staff never reach them
(PortalMiddleware sends them home); a record outside the customer's organization is "not found"."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core.errors import ApplicationError
from servitium.parties import services as party_services
from servitium.relationships.models import Complaint

from . import cloud_selectors, forms, selectors, services


def customer_page(view):
    """Signed-in customer users only (the middleware has already sent staff home)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_customer_user(request.user):
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapped


def _errors_to_form(form, exc: Exception) -> None:
    """A service's refusal shown on the form: on the field it names, else above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ApplicationError):
        form.add_error(None, exc.message)
    else:
        form.add_error(None, list(getattr(exc, "messages", [str(exc)])))


def _refusal(exc: Exception) -> tuple[str, int]:
    """A service's refusal as a sentence above the page, with its status (409 for the lifecycle)."""
    if isinstance(exc, ApplicationError):
        return exc.message, exc.status
    return " ".join(getattr(exc, "messages", [str(exc)])), 400


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"portal/{template}", context, status=status)


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    """Another organization's record, or none at all: the same answer, in the portal's own layout."""
    return _page(request, "not_found.html", {"message": message}, status=404)


@customer_page
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    open_tickets = [selectors.ticket_row(t) for t in selectors.tickets(user, open_only=True)[:20]]
    return _page(
        request,
        "home.html",
        {
            "rows": open_tickets,
            "approvals": selectors.approvals_waiting(user),
            "surveys": selectors.surveys_to_answer(user),
            "waiting": cloud_selectors.waiting_for_you(user),
        },
    )


@customer_page
def ticket_list(request: HttpRequest) -> HttpResponse:
    show_closed = request.GET.get("show") == "all"
    found = selectors.tickets(request.user, open_only=not show_closed)[:200]
    return _page(
        request, "tickets.html", {"rows": [selectors.ticket_row(t) for t in found], "all": show_closed}
    )


@customer_page
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    incident = selectors.ticket_get(user, pk)
    if incident is None:
        return _not_found(request, _("No such ticket."))
    reply, upload = forms.ReplyForm(), forms.UploadForm()
    refused = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "reply":
                reply = forms.ReplyForm(request.POST)
                if reply.is_valid():
                    services.ticket_reply(actor=user, incident=incident, body=reply.cleaned_data["body"])
                    messages.success(request, _("Your reply was sent."))
                    return redirect("portal:ticket", pk=pk)
            elif action == "upload":
                upload = forms.UploadForm(request.POST, request.FILES)
                if upload.is_valid():
                    services.ticket_attach(actor=user, incident=incident, upload=upload.cleaned_data["file"])
                    messages.success(request, _("Your file was added."))
                    return redirect("portal:ticket", pk=pk)
            elif action in ("solved", "not_solved"):
                services.ticket_confirm(
                    actor=user,
                    incident=incident,
                    solved=action == "solved",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Thank you for letting us know."))
                return redirect("portal:ticket", pk=pk)
            elif action in ("approve", "reject"):
                services.approval_decide(
                    actor=user,
                    incident=incident,
                    approve=action == "approve",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Your decision was recorded."))
                return redirect("portal:ticket", pk=pk)
        except (ValidationError, ApplicationError) as exc:
            if action in ("reply", "upload"):
                _errors_to_form(upload if action == "upload" else reply, exc)
            else:  # a decision or confirmation refused: said above the page
                refused = _refusal(exc)[0]
    return _page(
        request,
        "ticket.html",
        {
            "ticket": incident,
            "status": selectors.wording.status_words(incident),
            "clocks": selectors.ticket_clocks(incident),
            "comments": selectors.conversation(incident, user),
            "updates": selectors.updates(incident, user),
            "attachments": selectors.attachments(incident, user),
            "can_confirm": selectors.can_confirm(incident),
            "can_decide": incident in selectors.approvals_waiting(user),
            "reply": reply,
            "upload": upload,
            "refused": refused,
        },
        status=400 if (reply.errors or upload.errors or refused) else 200,
    )


@customer_page
def report_problem(request: HttpRequest) -> HttpResponse:
    form = forms.ProblemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.problem_report(actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Thank you. Your ticket is %(ref)s.") % {"ref": incident.reference})
            return redirect("portal:ticket", pk=incident.pk)
    return _page(request, "report.html", {"form": form}, status=400 if form.errors else 200)


@customer_page
def catalogue(request: HttpRequest) -> HttpResponse:
    return _page(request, "catalogue.html", {"groups": selectors.catalogue(request.user)})


@customer_page
def request_form(request: HttpRequest, key: str) -> HttpResponse:
    entry = selectors.catalogue_entry(request.user, key)
    if entry is None:
        return _not_found(request, _("This is not in your catalogue."))
    form = forms.RequestForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.request_raise(
                actor=request.user, entry=entry, choices=form.choices(), details=form.cleaned_data["details"]
            )
        except (ValidationError, ApplicationError) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Thank you. Your request is %(ref)s.") % {"ref": incident.reference})
            return redirect("portal:ticket", pk=incident.pk)
    return _page(request, "request.html", {"entry": entry, "form": form}, status=400 if form.errors else 200)


@customer_page
def approvals(request: HttpRequest) -> HttpResponse:
    return _page(request, "approvals.html", {"waiting": selectors.approvals_waiting(request.user)})


@customer_page
def service_levels(request: HttpRequest) -> HttpResponse:
    user = request.user
    return _page(
        request,
        "service_levels.html",
        {"agreements": selectors.agreements(user), "reports": selectors.reports(user)},
    )


@customer_page
def surveys(request: HttpRequest) -> HttpResponse:
    return _page(request, "surveys.html", {"invitations": selectors.surveys_to_answer(request.user)})


@customer_page
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.surveys_to_answer(request.user).filter(pk=pk).first()
    if invitation is None:
        return _not_found(request, _("No such survey waiting for you."))
    form = forms.SurveyForm(request.POST or None, survey=invitation.survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(actor=request.user, invitation=invitation, answers=form.answers())
        except (ValidationError, ApplicationError) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Thank you for your answers."))
            return redirect("portal:surveys")
    return _page(
        request, "survey.html", {"invitation": invitation, "form": form}, status=400 if form.errors else 200
    )


@customer_page
def complaints(request: HttpRequest) -> HttpResponse:
    form = forms.ComplaintForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_raise(actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("We received your complaint %(ref)s.") % {"ref": complaint.reference})
            return redirect("portal:complaint", pk=complaint.pk)
    return _page(
        request,
        "complaints.html",
        {"complaints": selectors.complaints(request.user), "form": form},
        status=400 if form.errors else 200,
    )


@customer_page
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.complaints(request.user).filter(pk=pk).first()
    if complaint is None:
        return _not_found(request, _("No such complaint."))
    return _page(
        request,
        "complaint.html",
        {"complaint": complaint, "open": complaint.status != Complaint.Status.CLOSED},
    )


@customer_page
def help_articles(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    return _page(
        request, "help.html", {"articles": selectors.help_articles(request.user, search), "q": search}
    )


@customer_page
def help_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.help_articles(request.user).filter(pk=pk).first()
    if article is None:
        return _not_found(request, _("No such help article."))
    return _page(request, "help_article.html", {"article": article})


@customer_page
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.preferences(request.user)
    initial = {t: getattr(current, t) if current else True for t in forms.PreferencesForm.MAIL}
    initial.update({t: getattr(request.user, t) for t in forms.PreferencesForm.ACCOUNT})
    form = forms.PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # both or neither
                services.preferences_save(
                    actor=request.user, data={t: data[t] for t in forms.PreferencesForm.MAIL}
                )
                party_services.own_preferences_update(
                    user=request.user, data={t: data[t] for t in forms.PreferencesForm.ACCOUNT}
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            translation.activate(data["language"] or translation.get_language())
            messages.success(request, _("Your choices are saved."))
            return redirect("portal:preferences")
    return _page(request, "preferences.html", {"form": form})
