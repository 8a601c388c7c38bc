"""Staff publish a known error to customers as a help article (from the known error's page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servitium.core import permissions
from servitium.core.errors import ApplicationError
from servitium.problems.models import KnownError

from . import forms, services
from .models import HelpArticle


def _known_error(request: HttpRequest, pk: int) -> KnownError:
    found = permissions.restrict(KnownError.objects.all(), request.user).filter(pk=pk).first()
    if found is None or not permissions.has_permission(request.user, permissions.ADD, HelpArticle):
        raise Http404(_("No such known error."))
    return found


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    known_error = _known_error(request, pk)
    form = forms.PublishForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.help_article_publish(actor=request.user, known_error=known_error, **form.cleaned_data)
        messages.success(request, _("Published to customers as a help article."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(known_error.get_absolute_url())


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    known_error = _known_error(request, pk)
    article = HelpArticle.objects.filter(known_error=known_error).first()
    if article is None:
        raise Http404(_("No help article to withdraw."))
    services.help_article_withdraw(actor=request.user, article=article)
    messages.success(request, _("The help article is no longer shown to customers."))
    return redirect(known_error.get_absolute_url())
