from django.urls import path

from . import staff_views

app_name = "help_articles"

urlpatterns = [
    path("<int:pk>/publish/", staff_views.publish, name="publish"),
    path("<int:pk>/withdraw/", staff_views.withdraw, name="withdraw"),
]
