"""UI pages for webhook subscriptions (declared in resources.py): list, detail (with the delivery log,
the secret for administrators and the test button, see panels.py), form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from servitium.core import outbound, permissions
from servitium.core import views as generic
from servitium.core.forms import RecordForm

from . import services
from .models import WebhookSubscription, subscribable_record_types
from .resources import SUBSCRIPTION_WRITES

EVENT_LABELS = {
    outbound.CREATED: _("created"),
    outbound.UPDATED: _("updated"),
    outbound.DELETED: _("deleted"),
    outbound.TRANSITION: _("status changed (transition)"),
    outbound.COMMENT: _("comment added"),
    outbound.BREACH: _("SLA target breached"),
    outbound.AT_RISK: _("SLA target at risk"),
}


class SubscriptionForm(RecordForm):
    """Record types and events chosen from lists (stored as JSON lists of names)."""

    record_types = forms.MultipleChoiceField(
        label=_("record types"), widget=forms.SelectMultiple(attrs={"size": 10})
    )
    events = forms.MultipleChoiceField(
        label=_("events"), choices=[(e, EVENT_LABELS[e]) for e in outbound.EVENTS]
    )

    class Meta:
        model = WebhookSubscription
        fields = list(SUBSCRIPTION_WRITES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_types"].choices = subscribable_record_types()


class WebhookSubscriptionList(generic.RecordListView):
    model = WebhookSubscription


class WebhookSubscriptionDetail(generic.RecordDetailView):
    model = WebhookSubscription


class WebhookSubscriptionForm(generic.RecordFormView):
    model = WebhookSubscription
    create_service = staticmethod(services.subscription_create)
    update_service = staticmethod(services.subscription_update)

    def get_form_class(self, creating: bool) -> type[forms.ModelForm]:
        # Administrators are the only writers (the declaration's area) and write every declared field.
        return SubscriptionForm


def subscription_test(request: HttpRequest, pk: int) -> HttpResponse:
    """The detail page's test button: a ping, tried once, its outcome in the delivery log."""
    if request.method != "POST" or not request.user.is_authenticated:
        raise Http404(_("No such page."))
    subscription = (
        permissions.restrict(WebhookSubscription.objects.all(), request.user, permissions.CHANGE)
        .filter(pk=pk)
        .first()
    )
    if subscription is None:
        raise Http404(_("No such page."))
    sent = services.send_ping(actor=request.user, instance=subscription)
    if sent.state == sent.State.DELIVERED:
        messages.success(
            request, _("Test delivery answered with HTTP %(code)s.") % {"code": sent.status_code}
        )
    elif sent.state == sent.State.FAILED:
        messages.error(request, _("Test delivery failed: %(error)s") % {"error": sent.error})
    else:
        messages.info(request, _("Test delivery queued."))
    return redirect(subscription.get_absolute_url())
