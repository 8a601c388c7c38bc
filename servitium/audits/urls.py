from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.AuditList.as_view(), name="audit_list"),
    path("new/", views.AuditForm.as_view(), name="audit_create"),
    path("<int:pk>/", views.AuditDetail.as_view(), name="audit_detail"),
    path("<int:pk>/edit/", views.AuditForm.as_view(), name="audit_edit"),
    path("<int:pk>/report/", views.AuditReport.as_view(), name="audit_report"),
    path("programmes/", views.ProgrammeList.as_view(), name="auditprogramme_list"),
    path("programmes/new/", views.ProgrammeForm.as_view(), name="auditprogramme_create"),
    path("programmes/<int:pk>/", views.ProgrammeDetail.as_view(), name="auditprogramme_detail"),
    path("programmes/<int:pk>/edit/", views.ProgrammeForm.as_view(), name="auditprogramme_edit"),
    path("items/", views.ProgrammeItemList.as_view(), name="programmeitem_list"),
    path("items/new/", views.ProgrammeItemForm.as_view(), name="programmeitem_create"),
    path("items/<int:pk>/", views.ProgrammeItemDetail.as_view(), name="programmeitem_detail"),
    path("items/<int:pk>/edit/", views.ProgrammeItemForm.as_view(), name="programmeitem_edit"),
    path("checklist/", views.ChecklistItemList.as_view(), name="checklistitem_list"),
    path("checklist/<int:pk>/", views.ChecklistItemDetail.as_view(), name="checklistitem_detail"),
    path("checklist/<int:pk>/edit/", views.ChecklistItemForm.as_view(), name="checklistitem_edit"),
    path("findings/", views.FindingList.as_view(), name="finding_list"),
    path("findings/new/", views.FindingForm.as_view(), name="finding_create"),
    path("findings/<int:pk>/", views.FindingDetail.as_view(), name="finding_detail"),
    path("findings/<int:pk>/edit/", views.FindingForm.as_view(), name="finding_edit"),
]
