from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "reporting"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    found = [
        path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
    ]
    if form_view is not None:
        found += [
            path(f"{prefix}new/", form_view.as_view(), name=f"{name}_create"),
            path(f"{prefix}<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
        ]
    return found


urlpatterns = [
    path("", views.Home.as_view(), name="home"),
    *crud(
        "definitions/", "reportdefinition", views.DefinitionList, views.DefinitionForm, views.DefinitionDetail
    ),
    *crud("reports/", "servicereport", views.ReportList, None, views.ReportDetail),
    path(
        "reports/new/",
        RedirectView.as_view(pattern_name="reporting:reportdefinition_list"),
        name="servicereport_create",
    ),  # reports are generated from their definition
    path("reports/<int:pk>/pdf/", views.ReportPdf.as_view(), name="servicereport_pdf"),
    path("reports/<int:pk>/page/", views.ReportPage.as_view(), name="servicereport_page"),
    *crud("actions/", "reportaction", views.ActionList, views.ActionForm, views.ActionDetail),
]
