from django.urls import path

from . import views

app_name = "cmdb"

urlpatterns = [
    path("", views.CIList.as_view(), name="ci_list"),
    path("new/", views.CIForm.as_view(), name="ci_create"),
    path("<int:pk>/", views.CIDetail.as_view(), name="ci_detail"),
    path("<int:pk>/edit/", views.CIForm.as_view(), name="ci_edit"),
    path("types/", views.CITypeList.as_view(), name="citype_list"),
    path("types/new/", views.CITypeForm.as_view(), name="citype_create"),
    path("types/<int:pk>/", views.CITypeDetail.as_view(), name="citype_detail"),
    path("types/<int:pk>/edit/", views.CITypeForm.as_view(), name="citype_edit"),
    path("relationships/new/", views.CIRelationshipForm.as_view(), name="cirelationship_create"),
    path("relationships/<int:pk>/", views.CIRelationshipDetail.as_view(), name="cirelationship_detail"),
    path("relationships/<int:pk>/edit/", views.CIRelationshipForm.as_view(), name="cirelationship_edit"),
]
