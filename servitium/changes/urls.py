from django.urls import path

from . import views

app_name = "changes"

urlpatterns = [
    path("", views.ChangeList.as_view(), name="change_list"),
    path("new/", views.ChangeForm.as_view(), name="change_create"),
    path("<int:pk>/", views.ChangeDetail.as_view(), name="change_detail"),
    path("<int:pk>/edit/", views.ChangeForm.as_view(), name="change_edit"),
    path("calendar/", views.ChangeCalendar.as_view(), name="change_calendar"),
    path("cab/", views.ChangeBoardView.as_view(), name="change_board"),
    path("schedule.ics", views.schedule_feed, name="schedule_ics"),
    path("policies/", views.PolicyList.as_view(), name="changepolicy_list"),
    path("policies/new/", views.PolicyForm.as_view(), name="changepolicy_create"),
    path("policies/<int:pk>/", views.PolicyDetail.as_view(), name="changepolicy_detail"),
    path("policies/<int:pk>/edit/", views.PolicyForm.as_view(), name="changepolicy_edit"),
    path("boards/", views.BoardList.as_view(), name="changeadvisoryboard_list"),
    path("boards/new/", views.BoardForm.as_view(), name="changeadvisoryboard_create"),
    path("boards/<int:pk>/", views.BoardDetail.as_view(), name="changeadvisoryboard_detail"),
    path("boards/<int:pk>/edit/", views.BoardForm.as_view(), name="changeadvisoryboard_edit"),
    path("templates/", views.TemplateList.as_view(), name="standardchangetemplate_list"),
    path("templates/new/", views.TemplateForm.as_view(), name="standardchangetemplate_create"),
    path("templates/<int:pk>/", views.TemplateDetail.as_view(), name="standardchangetemplate_detail"),
    path("templates/<int:pk>/edit/", views.TemplateForm.as_view(), name="standardchangetemplate_edit"),
    path("blackouts/", views.BlackoutList.as_view(), name="blackoutwindow_list"),
    path("blackouts/new/", views.BlackoutForm.as_view(), name="blackoutwindow_create"),
    path("blackouts/<int:pk>/", views.BlackoutDetail.as_view(), name="blackoutwindow_detail"),
    path("blackouts/<int:pk>/edit/", views.BlackoutForm.as_view(), name="blackoutwindow_edit"),
    path("updates/", views.UpdateList.as_view(), name="changeconfigurationupdate_list"),
    path("updates/new/", views.UpdateForm.as_view(), name="changeconfigurationupdate_create"),
    path("updates/<int:pk>/", views.UpdateDetail.as_view(), name="changeconfigurationupdate_detail"),
    path("updates/<int:pk>/edit/", views.UpdateForm.as_view(), name="changeconfigurationupdate_edit"),
]
