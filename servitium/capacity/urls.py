"""Pages of capacity and demand, under /assurance/capacity/."""

from django.urls import path

from . import views

app_name = "capacity"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    *crud("", "capacityplan", views.PlanList, views.PlanForm, views.PlanDetail),
    *crud("lines/", "capacityplanline", views.LineList, views.LineForm, views.LineDetail),
    *crud("metrics/", "capacitymetric", views.MetricList, views.MetricForm, views.MetricDetail),
    *crud(
        "measurements/", "measurement", views.MeasurementList, views.MeasurementForm, views.MeasurementDetail
    ),
    *crud("demand/", "demand", views.DemandList, views.DemandForm, views.DemandDetail),
]
