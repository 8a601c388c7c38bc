from django.urls import path

from . import views

app_name = "parties"

urlpatterns = [
    path("organizations/", views.OrganizationList.as_view(), name="organization_list"),
    path("organizations/new/", views.OrganizationForm.as_view(), name="organization_create"),
    path("organizations/<int:pk>/", views.OrganizationDetail.as_view(), name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.OrganizationForm.as_view(), name="organization_edit"),
    path("people/", views.PersonList.as_view(), name="person_list"),
    path("people/new/", views.PersonForm.as_view(), name="person_create"),
    path("people/<int:pk>/", views.PersonDetail.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonForm.as_view(), name="person_edit"),
    path("teams/", views.TeamList.as_view(), name="team_list"),
    path("teams/new/", views.TeamForm.as_view(), name="team_create"),
    path("teams/<int:pk>/", views.TeamDetail.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", views.TeamForm.as_view(), name="team_edit"),
    path("me/", views.Preferences.as_view(), name="preferences"),
    path("users/", views.UserList.as_view(), name="user_list"),
    path("users/new/", views.UserForm.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetail.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserForm.as_view(), name="user_edit"),
]
