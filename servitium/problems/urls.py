from django.urls import path

from . import views

app_name = "problems"

urlpatterns = [
    path("", views.ProblemList.as_view(), name="problem_list"),
    path("new/", views.ProblemForm.as_view(), name="problem_create"),
    path("<int:pk>/", views.ProblemDetail.as_view(), name="problem_detail"),
    path("<int:pk>/edit/", views.ProblemForm.as_view(), name="problem_edit"),
    path("known-errors/", views.KnownErrorList.as_view(), name="knownerror_list"),
    path("known-errors/new/", views.KnownErrorForm.as_view(), name="knownerror_create"),
    path("known-errors/<int:pk>/", views.KnownErrorDetail.as_view(), name="knownerror_detail"),
    path("known-errors/<int:pk>/edit/", views.KnownErrorForm.as_view(), name="knownerror_edit"),
    path("suggest/", views.Suggestions.as_view(), name="suggest"),
]
