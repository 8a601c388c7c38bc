from django.urls import path

from . import views

app_name = "relationships"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    *crud("complaints", "complaint", views.ComplaintList, views.ComplaintForm, views.ComplaintDetail),
    *crud(
        "customers",
        "customerrelationship",
        views.RelationshipList,
        views.RelationshipForm,
        views.RelationshipDetail,
    ),
    *crud(
        "communications",
        "communication",
        views.CommunicationList,
        views.CommunicationForm,
        views.CommunicationDetail,
    ),
    *crud("surveys", "survey", views.SurveyList, views.SurveyForm, views.SurveyDetail),
]
