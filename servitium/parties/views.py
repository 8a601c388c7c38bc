"""UI pages for organizations, people and teams."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core import views as generic

from . import services
from .models import Organization, Person, Team, User


class OrganizationList(generic.RecordListView):
    model = Organization
    columns = ["name", "kind", "email", "active"]
    filter_fields = ["kind", "active"]
    search_fields = ["name", "description"]
    default_sort = "name"


class OrganizationDetail(generic.RecordDetailView):
    model = Organization
    fields = ["name", "kind", "description", "website", "email", "phone", "active"]


class OrganizationForm(generic.RecordFormView):
    model = Organization
    form_fields = ["name", "kind", "description", "website", "email", "phone", "active"]


class PersonList(generic.RecordListView):
    model = Person
    columns = ["name", "organization", "email", "job_title"]
    filter_fields = ["organization"]
    search_fields = ["name", "email", "job_title"]
    default_sort = "name"

    def base_queryset(self):
        return Person.objects.select_related("organization")


class PersonDetail(generic.RecordDetailView):
    model = Person
    fields = ["name", "organization", "email", "phone", "job_title", "user", "active"]


class PersonForm(generic.RecordFormView):
    model = Person
    form_fields = ["name", "organization", "email", "phone", "job_title", "active"]


class TeamList(generic.RecordListView):
    model = Team
    columns = ["name", "organization", "lead", "email"]
    filter_fields = ["organization"]
    search_fields = ["name", "description"]
    default_sort = "name"

    def base_queryset(self):
        return Team.objects.select_related("organization", "lead")


class TeamDetail(generic.RecordDetailView):
    model = Team
    fields = ["name", "organization", "description", "lead", "members", "email"]


class TeamForm(generic.RecordFormView):
    model = Team
    form_fields = ["name", "organization", "description", "members", "lead", "email"]
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)


class UserAccountForm(forms.ModelForm):
    """Logins with roles from the role registry; the password is optional when editing."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "email",
            "first_name",
            "last_name",
            "organization",
            "roles",
            "time_zone",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [
            (r.name, str(r.label)) for r in sorted(permissions.ROLES.values(), key=lambda r: r.name)
        ]

    def clean_password(self) -> str | None:
        return self.cleaned_data.get("password") or None


class UserList(generic.RecordListView):
    model = User
    columns = ["username", "email", "organization", "is_active"]
    filter_fields = ["organization", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
    default_sort = "username"

    def base_queryset(self):
        return User.objects.select_related("organization")


class UserDetail(generic.RecordDetailView):
    model = User
    fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "organization",
        "roles",
        "time_zone",
        "is_active",
        "last_login",
    ]


class UserForm(generic.RecordFormView):
    model = User
    create_service = staticmethod(services.user_create)
    update_service = staticmethod(services.user_update)

    def form_class(self):
        return UserAccountForm
