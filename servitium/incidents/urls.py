from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentList.as_view(), name="incident_list"),
    path("new/", views.IncidentForm.as_view(), name="incident_create"),
    path("<int:pk>/", views.IncidentDetail.as_view(), name="incident_detail"),
    path("<int:pk>/edit/", views.IncidentForm.as_view(), name="incident_edit"),
]
