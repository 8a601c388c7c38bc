"""What organizations, locations, people, teams and user accounts show, who may write which field, and how
their lists filter."""

from __future__ import annotations

from servitium.core.declaration import VIEW, Access, Indexed, Resource

from .models import Location, Organization, Person, Team, User


class OrganizationResource(Resource):
    model = Organization
    area = "parties"  # the parties roles govern them; every provider user reads them (the area says so)
    tenant = "pk"  # a customer user sees its own organization
    customer_actions = {VIEW}
    fields = ("name", "kind", "description", "website", "email", "phone", "active")
    staff = Access(create=fields)
    filters = ("kind", "active", "name")
    list_filters = ("kind", "active")
    search = ("name", "description")
    orderings = ("name", "kind", "email", "active")
    ordering = ("name",)
    columns = ("name", "kind", "email", "active")
    indexed = Indexed(title="name", body=("description",), staff_only=True)


class LocationResource(Resource):
    model = Location
    area = "parties"
    tenant = "organization"  # a customer user sees its own organization's sites
    customer_actions = {VIEW}
    fields = ("organization", "name", "address", "country", "time_zone")
    staff = Access(create=fields)
    filters = ("organization", "country")
    list_filters = ("organization", "country")
    search = ("name", "address")
    orderings = ("name", "organization", "country")
    columns = ("organization", "name", "country", "time_zone")


class PersonResource(Resource):
    model = Person
    area = "parties"
    tenant = "organization"  # a customer user sees the people of its own organization, nobody else
    customer_actions = {VIEW}
    fields = (
        "name",
        "email",
        "phone",
        "job_title",
        "organization",
        "organization_display",
        "user",
        "active",
    )
    computed = ("organization_display",)
    # `user` links the person to a login: only users who may see logins (administrators) can name one,
    # because related records are chosen through the permission path.
    staff = Access(create=("name", "email", "phone", "job_title", "organization", "user", "active"))
    filters = ("organization", "active", "email", "user")
    list_filters = ("organization", "active")
    search = ("name", "email", "job_title")
    orderings = ("name", "organization", "email", "job_title")
    ordering = ("name",)
    columns = ("name", "organization", "email", "job_title")
    indexed = Indexed(title="name", body=("job_title", "email"))


class TeamResource(Resource):
    model = Team
    area = "parties"  # assignment groups: provider staff only, customers do not see them
    fields = ("name", "description", "organization", "members", "lead", "email")
    staff = Access(create=fields)
    filters = ("organization", "lead", "members")
    list_filters = ("organization",)
    search = ("name", "description")
    orderings = ("name", "organization", "lead", "email")
    ordering = ("name",)
    columns = ("name", "organization", "lead", "email")


# Input the API and the form accept but never show: the password is stored hashed by the services and is
# neither represented nor shown on the detail page.
USER_WRITE_ONLY = ("password",)
USER_WRITES = (
    "username",
    "password",
    "email",
    "first_name",
    "last_name",
    "organization",
    "roles",
    "time_zone",
    "language",
    "is_active",
)


class UserResource(Resource):
    """Logins (not a BaseModel): administrators manage them; customers only read their own (users/me)."""

    model = User
    area = "administration"
    fields = (*USER_WRITES, "last_login", "date_joined")
    # The model field holds the hash: accepted as input, never represented nor shown.
    write_only = USER_WRITE_ONLY
    staff = Access(create=USER_WRITES)
    filters = ("organization", "is_active", "username")
    list_filters = ("organization", "is_active")
    search = ("username", "email", "first_name", "last_name")
    orderings = ("username", "email", "organization", "is_active", "date_joined", "last_login")
    ordering = ("username",)
    columns = ("username", "email", "organization", "is_active")
