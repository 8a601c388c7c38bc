"""UI pages for organizations, people and teams."""

from servitium.core import views as generic

from . import services
from .models import Organization, Person, Team


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
