"""The portal's short forms. Choices of services come from the user's own organization only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import selectors, wording

TEXT = forms.TextInput(attrs={"class": "form-control"})
NOT_YOURS = _("Choose one of the services your organization receives.")


def _service_field(user: Any, *, required: bool) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=selectors.my_services(user),
        required=required,
        label=_("Which service?"),
        empty_label=_("Choose a service") if required else _("None in particular"),
        error_messages={"invalid_choice": NOT_YOURS, "required": _("Choose the service this is about.")},
    )


class ProblemForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "service": _service_field(user, required=True),
            "title": forms.CharField(label=_("What is wrong?"), max_length=250, widget=TEXT),
            "details": forms.CharField(
                label=_("Details"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                help_text=_("What you see, since when, and what you tried."),
            ),
            "effect": forms.ChoiceField(
                label=_("How badly does this affect you?"),
                choices=wording.EFFECT_CHOICES,
                widget=forms.RadioSelect,
            ),
        }


class RequestForm(forms.Form):
    """One choice per option kind of the offering, and anything else to say."""

    def __init__(self, *args: Any, entry: selectors.CatalogueEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in entry.option_groups:
            self.fields[f"option_{group['kind']}"] = forms.ChoiceField(
                label=group["label"],
                choices=[(o.name, o.name) for o in group["options"]],
                initial=group["default"],
                widget=forms.RadioSelect,
            )
        self.fields["details"] = forms.CharField(
            label=_("Anything we should know?"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        )
        self.entry = entry

    def choices(self) -> dict[str, str]:
        return {g["kind"]: self.cleaned_data.get(f"option_{g['kind']}", "") for g in self.entry.option_groups}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Add a file"))


class ComplaintForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "service": _service_field(user, required=False),
            "title": forms.CharField(label=_("What is your complaint about?"), max_length=200, widget=TEXT),
            "description": forms.CharField(
                label=_("Tell us what happened"),
                widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
            ),
        }


SCALE = [(str(n), str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    """The survey's questions: 1 (poor) to 5 (very good), or a text answer."""

    def __init__(self, *args: Any, survey: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = survey.questions
        for q in survey.questions:
            if q.get("type", "scale") == "scale":
                self.fields[f"q_{q['id']}"] = forms.TypedChoiceField(
                    label=q["text"], choices=SCALE, coerce=int, widget=forms.RadioSelect
                )
            else:
                self.fields[f"q_{q['id']}"] = forms.CharField(
                    label=q["text"],
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                )

    def answers(self) -> dict[str, Any]:
        found = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q_{q['id']}")
            if value not in (None, ""):
                found[q["id"]] = value
        return found


class PreferencesForm(forms.Form):
    replies = forms.BooleanField(label=_("Our replies to your tickets"), required=False)
    waiting = forms.BooleanField(label=_("When we need something from you"), required=False)
    resolved = forms.BooleanField(label=_("When your ticket is solved"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        help_text=_("For example Europe/Berlin. Leave empty to use the server's time zone."),
    )

    MAIL = ("replies", "waiting", "resolved")
    ACCOUNT = ("language", "time_zone")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As my browser prefers")), *settings.LANGUAGES]


class PublishForm(forms.Form):
    title = forms.CharField(
        label=_("Title for customers"),
        max_length=250,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    advice = forms.CharField(
        label=_("What customers can do"), widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"})
    )


class ResourceRequestForm(forms.Form):
    """More (or fewer) of a resource under a subscription; the resources with a quota are suggested."""

    resource = forms.CharField(
        label=_("Which resource?"),
        max_length=80,
        widget=forms.TextInput(attrs={"class": "form-control", "list": "quota-resources"}),
        help_text=_("For example vCPU, RAM or seats."),
    )
    change = forms.DecimalField(
        label=_("How much more?"),
        max_digits=18,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
        help_text=_("A negative number gives resources back, e.g. -2."),
    )
    justification = forms.CharField(
        label=_("What do you need it for?"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
