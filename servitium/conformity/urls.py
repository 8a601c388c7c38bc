from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "conformity"

urlpatterns = [
    path("", views.Dashboard.as_view(), name="dashboard"),
    path("assessments/<int:pk>/", views.AssessmentDetail.as_view(), name="assessment_detail"),
    path("results/<int:pk>/", views.ResultDetail.as_view(), name="result_detail"),
    path("coverage/", views.Coverage.as_view(), name="coverage"),
    path("scenarios/", views.Scenarios.as_view(), name="scenarios"),
    path("plan/", views.Plan.as_view(), name="plan"),
    path("plan/<int:pk>/edit/", views.PlanItemForm.as_view(), name="planitem_edit"),
    path("plan/<int:pk>/", views.PlanItemDetail.as_view(), name="planitem_detail"),
    path("attestations/", views.AttestationList.as_view(), name="attestation_list"),
    path("attestations/new/", views.AttestationForm.as_view(), name="attestation_create"),
    path("attestations/<int:pk>/", views.AttestationDetail.as_view(), name="attestation_detail"),
    path("attestations/<int:pk>/edit/", views.AttestationForm.as_view(), name="attestation_edit"),
    path("exclusions/", views.ExclusionList.as_view(), name="exclusion_list"),
    path("exclusions/new/", views.ExclusionForm.as_view(), name="exclusion_create"),
    path("exclusions/<int:pk>/", views.ExclusionDetail.as_view(), name="exclusion_detail"),
    path("exclusions/<int:pk>/edit/", views.ExclusionForm.as_view(), name="exclusion_edit"),
    # Nonconformities moved to the improvement register (same ids): old links lead there.
    path("nonconformities/", RedirectView.as_view(pattern_name="improvement:nonconformity_list")),
    path(
        "nonconformities/<int:pk>/",
        RedirectView.as_view(pattern_name="improvement:nonconformity_detail"),
    ),
]
