"""Pages of service design and transition, under /design/."""

from django.urls import path

from . import views

app_name = "design"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    *crud("", "designproject", views.ProjectList, views.ProjectForm, views.ProjectDetail),
    *crud(
        "requirements/",
        "servicerequirement",
        views.RequirementList,
        views.RequirementForm,
        views.RequirementDetail,
    ),
    *crud(
        "criteria/",
        "serviceacceptancecriterion",
        views.CriterionList,
        views.CriterionForm,
        views.CriterionDetail,
    ),
    *crud("outcomes/", "expectedoutcome", views.OutcomeList, views.OutcomeForm, views.OutcomeDetail),
    *crud("handover/", "handoveritem", views.HandoverList, views.HandoverForm, views.HandoverDetail),
]
