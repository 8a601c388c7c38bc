from django.urls import path

from . import views

app_name = "releases"

urlpatterns = [
    path("", views.ReleaseList.as_view(), name="release_list"),
    path("new/", views.ReleaseForm.as_view(), name="release_create"),
    path("<int:pk>/", views.ReleaseDetail.as_view(), name="release_detail"),
    path("<int:pk>/edit/", views.ReleaseForm.as_view(), name="release_edit"),
    path("policies/", views.ReleasePolicyList.as_view(), name="releasepolicy_list"),
    path("policies/new/", views.ReleasePolicyForm.as_view(), name="releasepolicy_create"),
    path("policies/<int:pk>/", views.ReleasePolicyDetail.as_view(), name="releasepolicy_detail"),
    path("policies/<int:pk>/edit/", views.ReleasePolicyForm.as_view(), name="releasepolicy_edit"),
]
