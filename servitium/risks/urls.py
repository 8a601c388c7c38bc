from django.urls import path

from . import views

app_name = "risks"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    path("heat-map/", views.HeatMap.as_view(), name="heat_map"),
    *crud("", "risk", views.RiskList, views.RiskForm, views.RiskDetail),
    *crud("matrices/", "riskmatrix", views.MatrixList, views.MatrixForm, views.MatrixDetail),
    *crud("actions/", "riskaction", views.ActionList, views.ActionForm, views.ActionDetail),
]
