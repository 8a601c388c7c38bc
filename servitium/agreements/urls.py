from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.AgreementList.as_view(), name="sla_list"),
    path("agreements/", views.AgreementList.as_view(), name="servicelevelagreement_list"),
    path("agreements/new/", views.AgreementForm.as_view(), name="servicelevelagreement_create"),
    path("agreements/<int:pk>/", views.AgreementDetail.as_view(), name="servicelevelagreement_detail"),
    path("agreements/<int:pk>/edit/", views.AgreementForm.as_view(), name="servicelevelagreement_edit"),
    path("targets/", views.TargetList.as_view(), name="servicetarget_list"),
    path("targets/new/", views.TargetForm.as_view(), name="servicetarget_create"),
    path("targets/<int:pk>/", views.TargetDetail.as_view(), name="servicetarget_detail"),
    path("targets/<int:pk>/edit/", views.TargetForm.as_view(), name="servicetarget_edit"),
    path("reviews/", views.ReviewList.as_view(), name="servicereview_list"),
    path("reviews/new/", views.ReviewForm.as_view(), name="servicereview_create"),
    path("reviews/<int:pk>/", views.ReviewDetail.as_view(), name="servicereview_detail"),
    path("reviews/<int:pk>/edit/", views.ReviewForm.as_view(), name="servicereview_edit"),
]
