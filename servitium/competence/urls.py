from django.urls import path

from . import views

app_name = "competence"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    path("", views.Gaps.as_view(), name="gaps"),
    path("resources/", views.ServiceResourcesList.as_view(), name="resources"),
    path("resources/<int:pk>/", views.ServiceResources.as_view(), name="service_resources"),
    *crud("areas", "competencearea", views.AreaList, views.AreaForm, views.AreaDetail),
    *crud("competences", "competence", views.CompetenceList, views.CompetenceForm, views.CompetenceDetail),
    *crud(
        "requirements",
        "competencerequirement",
        views.RequirementList,
        views.RequirementForm,
        views.RequirementDetail,
    ),
    *crud("held", "personcompetence", views.HeldList, views.HeldForm, views.HeldDetail),
    *crud("training", "trainingrecord", views.TrainingList, views.TrainingForm, views.TrainingDetail),
    *crud("budgets", "resourcebudget", views.BudgetList, views.BudgetForm, views.BudgetDetail),
]
