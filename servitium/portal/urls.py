from django.urls import path

from . import cloud_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("report/", views.report_problem, name="report"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<str:key>/", views.request_form, name="request"),
    path("approvals/", views.approvals, name="approvals"),
    path("service-levels/", views.service_levels, name="service_levels"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey_answer, name="survey"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("help/", views.help_articles, name="help"),
    path("help/<int:pk>/", views.help_article, name="help_article"),
    path("settings/", views.preferences, name="preferences"),
    path("cloud/", cloud_views.subscriptions, name="subscriptions"),
    path("cloud/<int:pk>/", cloud_views.subscription_detail, name="subscription"),
    path("cloud/<int:pk>/request/", cloud_views.resource_request_form, name="resource_request"),
    path("cloud/requests/", cloud_views.resource_requests, name="resource_requests"),
    path("exits/", cloud_views.exits, name="exits"),
    path("exits/<int:pk>/", cloud_views.exit_plan, name="exit_plan"),
    path("statements/", cloud_views.statements, name="statements"),
    path("statements/<int:pk>/", cloud_views.statement_detail, name="statement"),
]
