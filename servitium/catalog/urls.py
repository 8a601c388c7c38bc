from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.ServiceList.as_view(), name="service_list"),
    path("services/new/", views.ServiceForm.as_view(), name="service_create"),
    path("services/<int:pk>/", views.ServiceDetail.as_view(), name="service_detail"),
    path("services/<int:pk>/edit/", views.ServiceForm.as_view(), name="service_edit"),
]
