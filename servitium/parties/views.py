"""UI pages for organizations, people, teams and user accounts (declared in resources.py)."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.forms import RecordForm

from . import services
from .models import Organization, Person, Team, User
from .resources import USER_WRITE_ONLY, UserResource


class OrganizationList(generic.RecordListView):
    model = Organization


class OrganizationDetail(generic.RecordDetailView):
    model = Organization


class OrganizationForm(generic.RecordFormView):
    model = Organization


class PersonList(generic.RecordListView):
    model = Person

    def base_queryset(self):
        return Person.objects.select_related("organization")


class PersonDetail(generic.RecordDetailView):
    model = Person

    def base_queryset(self):
        return Person.objects.select_related("organization", "user")


class PersonForm(generic.RecordFormView):
    model = Person

    def make_form(self, instance=None, data=None) -> forms.ModelForm:
        form = super().make_form(instance, data)
        field = form.fields.get("user")
        if field is not None and not permissions.has_permission(self.request.user, permissions.VIEW, User):
            # Only those who may see logins (administrators) link people to them; for everybody else the
            # link stays as it is (an empty choice list would otherwise unlink the person on every save).
            field.disabled = True
            field.queryset = User.objects.filter(pk=getattr(instance, "user_id", None))
        return form


class TeamList(generic.RecordListView):
    model = Team

    def base_queryset(self):
        return Team.objects.select_related("organization", "lead")


class TeamDetail(generic.RecordDetailView):
    model = Team


class TeamForm(generic.RecordFormView):
    model = Team
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)


class UserAccountForm(RecordForm):
    """Logins with roles from the role registry; the password is optional when editing. The fields are
    the declaration's (UserResource.staff), the password among them as a form field of its own: the model's
    `password` holds the hash, which the services compute."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )
    field_order = list(UserResource.staff.create)

    class Meta:
        model = User
        fields = [n for n in UserResource.staff.create if n not in USER_WRITE_ONLY]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [
            (r.name, str(r.label)) for r in sorted(permissions.ROLES.values(), key=lambda r: r.name)
        ]

    def clean_password(self) -> str | None:
        return self.cleaned_data.get("password") or None


class UserList(generic.RecordListView):
    model = User

    def base_queryset(self):
        return User.objects.select_related("organization")


class UserDetail(generic.RecordDetailView):
    model = User

    def base_queryset(self):
        return User.objects.select_related("organization")


class UserForm(generic.RecordFormView):
    model = User
    create_service = staticmethod(services.user_create)
    update_service = staticmethod(services.user_update)

    def get_form_class(self, creating: bool) -> type[forms.ModelForm]:
        # Administrators are the only users who reach these pages (the declaration's area); they write
        # every declared field, so one form serves both steps.
        return UserAccountForm


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        help_text=_("For example Europe/Berlin. Leave empty to use the server's time zone."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As my browser prefers")), *settings.LANGUAGES]


class Preferences(LoginRequiredMixin, View):
    """My settings: every signed-in user, customer or staff, chooses their language and time zone."""

    template_name = "parties/preferences.html"

    def get(self, request):
        user = request.user
        form = PreferencesForm(initial={"language": user.language, "time_zone": user.time_zone})
        return render(request, self.template_name, self.context(form))

    def post(self, request):
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.own_preferences_update(user=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                # Activated now, so the confirmation already speaks the chosen language.
                translation.activate(form.cleaned_data["language"] or translation.get_language())
                messages.success(request, _("Your settings are saved."))
                return redirect("parties:preferences")
        return render(request, self.template_name, self.context(form), status=400)

    def context(self, form) -> dict:
        return {"form": form, "time_zones": sorted(zoneinfo.available_timezones())}
