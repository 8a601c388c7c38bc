from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.DocumentList.as_view(), name="document_list"),
    path("new/", views.DocumentForm.as_view(), name="document_create"),
    path("<int:pk>/", views.DocumentDetail.as_view(), name="document_detail"),
    path("<int:pk>/edit/", views.DocumentForm.as_view(), name="document_edit"),
    path("versions/", views.VersionList.as_view(), name="documentversion_list"),
    path("versions/new/", views.VersionForm.as_view(), name="documentversion_create"),
    path("versions/<int:pk>/", views.VersionDetail.as_view(), name="documentversion_detail"),
    path("versions/<int:pk>/edit/", views.VersionForm.as_view(), name="documentversion_edit"),
    path("awareness/", views.Awareness.as_view(), name="awareness"),
    path("acknowledgements/", views.AcknowledgementList.as_view(), name="documentacknowledgement_list"),
    path("acknowledgements/new/", views.AcknowledgementForm.as_view(), name="documentacknowledgement_create"),
    path(
        "acknowledgements/<int:pk>/",
        views.AcknowledgementDetail.as_view(),
        name="documentacknowledgement_detail",
    ),
    path(
        "acknowledgements/<int:pk>/edit/",
        views.AcknowledgementForm.as_view(),
        name="documentacknowledgement_edit",
    ),
    path("records/", views.SeriesList.as_view(), name="recordseries_list"),
    path("records/new/", views.SeriesForm.as_view(), name="recordseries_create"),
    path("records/<int:pk>/", views.SeriesDetail.as_view(), name="recordseries_detail"),
    path("records/<int:pk>/edit/", views.SeriesForm.as_view(), name="recordseries_edit"),
    path("disposals/", views.DisposalList.as_view(), name="disposalrequest_list"),
    path("disposals/new/", views.DisposalForm.as_view(), name="disposalrequest_create"),
    path("disposals/<int:pk>/", views.DisposalDetail.as_view(), name="disposalrequest_detail"),
    path("disposals/<int:pk>/edit/", views.DisposalForm.as_view(), name="disposalrequest_edit"),
]
