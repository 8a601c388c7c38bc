from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentList.as_view(), name="incident_list"),
    path("new/", views.IncidentForm.as_view(), name="incident_create"),
    path("bulk/", views.IncidentBulk.as_view(), name="incident_bulk"),
    path("filters/", views.SavedFilterSave.as_view(), name="savedfilter_create"),
    path("filters/<int:pk>/delete/", views.SavedFilterDelete.as_view(), name="savedfilter_delete"),
    path("import/", views.IncidentImport.as_view(), name="incident_import"),
    path("import/report/", views.IncidentImportReport.as_view(), name="incident_import_report"),
    path("import/runs/<int:pk>/", views.IncidentImportRunPage.as_view(), name="incident_import_run"),
    path(
        "import/runs/<int:pk>/status/", views.IncidentImportRunStatus.as_view(), name="incident_import_status"
    ),
    path(
        "import/runs/<int:pk>/report/",
        views.IncidentImportRunReport.as_view(),
        name="incident_import_run_report",
    ),
    path("<int:pk>/", views.IncidentDetail.as_view(), name="incident_detail"),
    path("<int:pk>/edit/", views.IncidentForm.as_view(), name="incident_edit"),
    path("held-mail/", views.HeldMailList.as_view(), name="heldmail_list"),
    path("held-mail/<int:pk>/", views.HeldMailDetail.as_view(), name="heldmail_detail"),
    path("held-mail/<int:pk>/edit/", views.HeldMailForm.as_view(), name="heldmail_edit"),
    path("reviews/", views.PostIncidentReviewList.as_view(), name="postincidentreview_list"),
    path("reviews/new/", views.PostIncidentReviewForm.as_view(), name="postincidentreview_create"),
    path("reviews/<int:pk>/edit/", views.PostIncidentReviewForm.as_view(), name="postincidentreview_edit"),
]
