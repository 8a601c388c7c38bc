from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("subscriptions/", views.WebhookSubscriptionList.as_view(), name="webhooksubscription_list"),
    path("subscriptions/new/", views.WebhookSubscriptionForm.as_view(), name="webhooksubscription_create"),
    path(
        "subscriptions/<int:pk>/",
        views.WebhookSubscriptionDetail.as_view(),
        name="webhooksubscription_detail",
    ),
    path(
        "subscriptions/<int:pk>/edit/",
        views.WebhookSubscriptionForm.as_view(),
        name="webhooksubscription_edit",
    ),
    path("subscriptions/<int:pk>/test/", views.subscription_test, name="webhooksubscription_test"),
]
