from django.urls import path

from . import views

app_name = "availability"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    path("", views.ServiceAvailabilityList.as_view(), name="service_availability_list"),
    path("services/<int:pk>/", views.ServiceAvailabilityDetail.as_view(), name="service_availability"),
    *crud(
        "requirements/",
        "availabilityrequirement",
        views.RequirementList,
        views.RequirementForm,
        views.RequirementDetail,
    ),
    *crud("outages/", "outage", views.OutageList, views.OutageForm, views.OutageDetail),
    *crud(
        "plans/",
        "availabilityplan",
        views.AvailabilityPlanList,
        views.AvailabilityPlanForm,
        views.AvailabilityPlanDetail,
    ),
    *crud(
        "continuity/requirements/",
        "continuityrequirement",
        views.ContinuityRequirementList,
        views.ContinuityRequirementForm,
        views.ContinuityRequirementDetail,
    ),
    *crud(
        "continuity/plans/",
        "continuityplan",
        views.ContinuityPlanList,
        views.ContinuityPlanForm,
        views.ContinuityPlanDetail,
    ),
    *crud(
        "continuity/tests/",
        "continuitytest",
        views.ContinuityTestList,
        views.ContinuityTestForm,
        views.ContinuityTestDetail,
    ),
    *crud(
        "continuity/invocations/",
        "continuityinvocation",
        views.InvocationList,
        views.InvocationForm,
        views.InvocationDetail,
    ),
]
