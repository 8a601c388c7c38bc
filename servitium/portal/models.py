"""The portal's own records: known errors published to customers as help articles, and which mails a
customer user wants to receive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class HelpArticle(BaseModel):
    """A known error shown to the customers of its service as a help article, in words they understand.
    A known error stays provider-internal until someone publishes it; withdrawing keeps the text."""

    known_error = models.OneToOneField(
        "problems.KnownError", on_delete=models.CASCADE, related_name="help_article"
    )
    title = models.CharField(_("title"), max_length=250, help_text=_("What the customer notices."))
    advice = models.TextField(_("what to do"), help_text=_("The workaround, in the customer's words."))
    published = models.BooleanField(_("shown to customers"), default=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("help article")

    def __str__(self) -> str:
        return self.title


class NotificationPreference(BaseModel):
    """Which mails about their tickets a customer user receives (all of them until they say otherwise)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_preferences"
    )
    replies = models.BooleanField(_("our replies to your tickets"), default=True)
    waiting = models.BooleanField(_("when we need something from you"), default=True)
    resolved = models.BooleanField(_("when your ticket is resolved"), default=True)

    TOPICS = ("replies", "waiting", "resolved")

    class Meta:
        ordering = ["user"]
        verbose_name = _("notification preference")

    def __str__(self) -> str:
        return str(self.user)
