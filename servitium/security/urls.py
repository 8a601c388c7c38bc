"""Pages of information security, under /assurance/security/."""

from django.urls import path

from . import views

app_name = "security"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    path("", views.Overview.as_view(), name="overview"),
    path("controls/import/", views.ImportControls.as_view(), name="import_controls"),
    *crud("settings", "securitysettings", views.SettingsList, views.SettingsForm, views.SettingsDetail),
    *crud("controls", "securitycontrol", views.ControlList, views.ControlForm, views.ControlDetail),
    *crud(
        "assessments",
        "securityriskassessment",
        views.AssessmentList,
        views.AssessmentForm,
        views.AssessmentDetail,
    ),
    *crud("incidents", "securityincidentlink", views.LinkList, views.LinkForm, views.LinkDetail),
    *crud("changes", "securityimpactassessment", views.ImpactList, views.ImpactForm, views.ImpactDetail),
    *crud("access", "accessgrant", views.GrantList, views.GrantForm, views.GrantDetail),
]
