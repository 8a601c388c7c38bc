from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path("", views.NonconformityList.as_view(), name="nonconformity_list"),
    path("new/", views.NonconformityForm.as_view(), name="nonconformity_create"),
    path("<int:pk>/", views.NonconformityDetail.as_view(), name="nonconformity_detail"),
    path("<int:pk>/edit/", views.NonconformityForm.as_view(), name="nonconformity_edit"),
    path("actions/", views.CorrectiveActionList.as_view(), name="correctiveaction_list"),
    path("actions/new/", views.CorrectiveActionForm.as_view(), name="correctiveaction_create"),
    path("actions/<int:pk>/", views.CorrectiveActionDetail.as_view(), name="correctiveaction_detail"),
    path("actions/<int:pk>/edit/", views.CorrectiveActionForm.as_view(), name="correctiveaction_edit"),
    path("opportunities/", views.OpportunityList.as_view(), name="improvementopportunity_list"),
    path("opportunities/new/", views.OpportunityForm.as_view(), name="improvementopportunity_create"),
    path("opportunities/<int:pk>/", views.OpportunityDetail.as_view(), name="improvementopportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.OpportunityForm.as_view(), name="improvementopportunity_edit"),
]
