from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.PublicCatalogue.as_view(), name="catalogue"),
    path("services/", views.ServiceList.as_view(), name="service_list"),
    path("services/new/", views.ServiceForm.as_view(), name="service_create"),
    path("services/<int:pk>/", views.ServiceDetail.as_view(), name="service_detail"),
    path("services/<int:pk>/edit/", views.ServiceForm.as_view(), name="service_edit"),
    path("services/<int:pk>/map/", views.ServiceGraph.as_view(), name="service_graph"),
    path("components/", views.ComponentList.as_view(), name="servicecomponent_list"),
    path("components/new/", views.ComponentForm.as_view(), name="servicecomponent_create"),
    path("components/<int:pk>/", views.ComponentDetail.as_view(), name="servicecomponent_detail"),
    path("components/<int:pk>/edit/", views.ComponentForm.as_view(), name="servicecomponent_edit"),
    path("offerings/", views.OfferingList.as_view(), name="offering_list"),
    path("offerings/new/", views.OfferingForm.as_view(), name="offering_create"),
    path("offerings/<int:pk>/", views.OfferingDetail.as_view(), name="offering_detail"),
    path("offerings/<int:pk>/edit/", views.OfferingForm.as_view(), name="offering_edit"),
]
