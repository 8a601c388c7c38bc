from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.ReviewList.as_view(), name="managementreview_list"),
    path("new/", views.ReviewForm.as_view(), name="managementreview_create"),
    path("<int:pk>/", views.ReviewDetail.as_view(), name="managementreview_detail"),
    path("<int:pk>/edit/", views.ReviewForm.as_view(), name="managementreview_edit"),
    path("<int:pk>/pack/", views.ReviewPack.as_view(), name="managementreview_pack"),
    path("<int:pk>/pack.pdf", views.ReviewPack.as_view(), {"pdf": True}, name="managementreview_pack_pdf"),
    path("actions/", views.ActionList.as_view(), name="reviewaction_list"),
    path("actions/new/", views.ActionForm.as_view(), name="reviewaction_create"),
    path("actions/<int:pk>/", views.ActionDetail.as_view(), name="reviewaction_detail"),
    path("actions/<int:pk>/edit/", views.ActionForm.as_view(), name="reviewaction_edit"),
]
