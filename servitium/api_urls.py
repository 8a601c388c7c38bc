"""The REST API under /api/v1/ (see docs/api.md and ../shared/design/API.md)."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import routers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from servitium.agreements import api as agreements_api
from servitium.audits import api as audits_api
from servitium.availability import api as availability_api
from servitium.capacity import api as capacity_api
from servitium.catalog.api import (
    OfferingOptionViewSet,
    OfferingViewSet,
    ServiceComponentViewSet,
    ServiceViewSet,
)
from servitium.changes import api as changes_api
from servitium.cloud import api as cloud_api
from servitium.cmdb import api as cmdb_api
from servitium.competence import api as competence_api
from servitium.conformity import api as conformity_api
from servitium.core.api import resources as core_api
from servitium.core.api.search import SearchView
from servitium.design import api as design_api
from servitium.documents import api as documents_api
from servitium.events import api as events_api
from servitium.exits import api as exits_api
from servitium.finance import api as finance_api
from servitium.improvement import api as improvement_api
from servitium.incidents import api as incidents_api
from servitium.incidents.mailgate.api import InboundMailView
from servitium.parties import api as parties_api
from servitium.problems import api as problems_api
from servitium.relationships import api as relationships_api
from servitium.releases import api as releases_api
from servitium.reporting import api as reporting_api
from servitium.reviews import api as reviews_api
from servitium.risks import api as risks_api
from servitium.security import api as security_api
from servitium.sms import api as sms_api
from servitium.suppliers import api as suppliers_api
from servitium.webhooks import api as webhooks_api

app_name = "api"

router = routers.DefaultRouter()
# The busiest resources first: URL resolution tries patterns in order.
incidents_api.register(router)
router.register("organizations", parties_api.OrganizationViewSet, basename="organization")
router.register("locations", parties_api.LocationViewSet, basename="location")
router.register("people", parties_api.PersonViewSet, basename="person")
router.register("teams", parties_api.TeamViewSet, basename="team")
router.register("users", parties_api.UserViewSet, basename="user")
router.register("services", ServiceViewSet, basename="service")
router.register("service-components", ServiceComponentViewSet, basename="servicecomponent")
router.register("offerings", OfferingViewSet, basename="offering")
router.register("offering-options", OfferingOptionViewSet, basename="offeringoption")
router.register("calendars", core_api.CalendarViewSet, basename="servicehourscalendar")
router.register("comments", core_api.CommentViewSet, basename="comment")
router.register("attachments", core_api.AttachmentViewSet, basename="attachment")
router.register("changelog", core_api.ChangeRecordViewSet, basename="changerecord")
router.register("tokens", core_api.TokenViewSet, basename="apitoken")
for app_api in (
    agreements_api,
    relationships_api,
    suppliers_api,
    problems_api,
    cmdb_api,
    changes_api,
    releases_api,
    conformity_api,
    improvement_api,
    documents_api,
    sms_api,
    risks_api,
    competence_api,
    audits_api,
    finance_api,
    availability_api,
    capacity_api,
    security_api,
    design_api,
    reporting_api,
    reviews_api,
    cloud_api,
    exits_api,
    webhooks_api,
    events_api,
):
    app_api.register(router)


@extend_schema(responses=parties_api.RoleSerializer(many=True))
@api_view(["GET"])
def roles(request):
    """The role names a user can hold."""
    return Response(parties_api.role_list())


urlpatterns = [
    path("roles/", roles, name="roles"),
    path("mail/inbound/", InboundMailView.as_view(), name="mail-inbound"),
    path("search/", SearchView.as_view(), name="search"),
    path("", include(router.urls)),
]
