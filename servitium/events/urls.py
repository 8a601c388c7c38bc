"""Pages of event management, under /events/."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.EventList.as_view(), name="event_list"),
    path("<int:pk>/", views.EventDetail.as_view(), name="event_detail"),
    path("rules/", views.RuleList.as_view(), name="eventrule_list"),
    path("rules/new/", views.RuleForm.as_view(), name="eventrule_create"),
    path("rules/<int:pk>/", views.RuleDetail.as_view(), name="eventrule_detail"),
    path("rules/<int:pk>/edit/", views.RuleForm.as_view(), name="eventrule_edit"),
]
