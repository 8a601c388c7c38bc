from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from servitium.core.api.schemaview import SchemaView
from servitium.core.login import RateLimitedLoginView
from servitium.site import ops
from servitium.site.home import favicon, home
from servitium.site.search import search_page

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon),
    path("search/", search_page, name="search"),
    path("login/", RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/", include("servitium.sso.urls")),  # single sign-on (answers 404 unless configured)
    # Operators' endpoints (servitium/site/ops.py): Prometheus scrapes /metrics; health for balancers.
    path("metrics", ops.metrics_view, name="metrics"),
    path("health/", ops.health_view, name="health"),
    path("health/ready/", ops.ready_view, name="health-ready"),
    path("api/v1/", include("servitium.api_urls", namespace="api")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the page needs no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="core/api_docs.html"),
        name="api-docs",
    ),
    path("portal/", include("servitium.portal.urls")),
    path("help-articles/", include("servitium.portal.staff_urls")),
    path("catalog/", include("servitium.catalog.urls")),
    path("parties/", include("servitium.parties.urls")),
    path("agreements/", include("servitium.agreements.urls")),
    path("relationships/", include("servitium.relationships.urls")),
    path("suppliers/", include("servitium.suppliers.urls")),
    path("incidents/", include("servitium.incidents.urls")),
    path("problems/", include("servitium.problems.urls")),
    path("cmdb/", include("servitium.cmdb.urls")),
    path("changes/", include("servitium.changes.urls")),
    path("releases/", include("servitium.releases.urls")),
    path("design/", include("servitium.design.urls")),
    path("conformity/", include("servitium.conformity.urls")),
    path("sms/", include("servitium.sms.urls")),
    path("sms/documents/", include("servitium.documents.urls")),
    path("sms/risks/", include("servitium.risks.urls")),
    path("sms/competence/", include("servitium.competence.urls")),
    path("sms/improvement/", include("servitium.improvement.urls")),
    path("sms/audits/", include("servitium.audits.urls")),
    path("sms/reviews/", include("servitium.reviews.urls")),
    path("cloud/", include("servitium.cloud.urls")),
    path("exits/", include("servitium.exits.urls")),
    path("webhooks/", include("servitium.webhooks.urls")),
    path("events/", include("servitium.events.urls")),
    path("assurance/", include("servitium.reporting.urls")),
    path("assurance/availability/", include("servitium.availability.urls")),
    path("assurance/capacity/", include("servitium.capacity.urls")),
    path("assurance/finance/", include("servitium.finance.urls")),
    path("assurance/security/", include("servitium.security.urls")),
]
