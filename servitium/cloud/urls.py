"""Pages of the cloud service lifecycle, under /cloud/."""

from django.urls import path

from . import views

app_name = "cloud"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    *crud("", "subscription", views.SubscriptionList, views.SubscriptionForm, views.SubscriptionDetail),
    *crud("quotas/", "subscriptionquota", views.QuotaList, views.QuotaForm, views.QuotaDetail),
    *crud("templates/", "onboardingtemplate", views.TemplateList, views.TemplateForm, views.TemplateDetail),
    *crud(
        "template-tasks/",
        "onboardingtemplatetask",
        views.TemplateTaskList,
        views.TemplateTaskForm,
        views.TemplateTaskDetail,
    ),
    *crud("onboarding/", "onboardingtask", views.TaskList, views.TaskForm, views.TaskDetail),
    *crud("requests/", "resourcerequest", views.RequestList, views.RequestForm, views.RequestDetail),
    path("usage/upload/", views.UsageUpload.as_view(), name="usage_upload"),
    *crud("usage/", "usagerecord", views.UsageList, views.UsageForm, views.UsageDetail),
]
