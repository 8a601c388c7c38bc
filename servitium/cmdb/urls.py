from django.urls import path

from . import views
from . import views_control as control

app_name = "cmdb"

urlpatterns = [
    path("", views.CIList.as_view(), name="ci_list"),
    path("new/", views.CIForm.as_view(), name="ci_create"),
    path("import/", control.CIImport.as_view(), name="ci_import"),
    path("licences/", control.LicenceView.as_view(), name="licence_list"),
    path("<int:pk>/", views.CIDetail.as_view(), name="ci_detail"),
    path("<int:pk>/edit/", views.CIForm.as_view(), name="ci_edit"),
    path("types/", views.CITypeList.as_view(), name="citype_list"),
    path("types/new/", views.CITypeForm.as_view(), name="citype_create"),
    path("types/<int:pk>/", views.CITypeDetail.as_view(), name="citype_detail"),
    path("types/<int:pk>/edit/", views.CITypeForm.as_view(), name="citype_edit"),
    path("relationships/", views.CIRelationshipList.as_view(), name="cirelationship_list"),
    path("relationships/new/", views.CIRelationshipForm.as_view(), name="cirelationship_create"),
    path("relationships/<int:pk>/", views.CIRelationshipDetail.as_view(), name="cirelationship_detail"),
    path("relationships/<int:pk>/edit/", views.CIRelationshipForm.as_view(), name="cirelationship_edit"),
    path("baselines/", control.BaselineList.as_view(), name="baseline_list"),
    path("baselines/new/", control.BaselineCreate.as_view(), name="baseline_create"),
    path("baselines/<int:pk>/", control.BaselineDetail.as_view(), name="baseline_detail"),
    path("baselines/<int:pk>/edit/", control.BaselineEdit.as_view(), name="baseline_edit"),
    path("baselines/<int:pk>/compare/", control.BaselineCompare.as_view(), name="baseline_compare"),
    path("audits/", control.AuditList.as_view(), name="configurationaudit_list"),
    path("audits/new/", control.AuditForm.as_view(), name="configurationaudit_create"),
    path("audits/<int:pk>/", control.AuditDetail.as_view(), name="configurationaudit_detail"),
    path("audits/<int:pk>/edit/", control.AuditForm.as_view(), name="configurationaudit_edit"),
    path("findings/", control.FindingList.as_view(), name="auditfinding_list"),
    path("findings/new/", control.FindingForm.as_view(), name="auditfinding_create"),
    path("findings/<int:pk>/", control.FindingDetail.as_view(), name="auditfinding_detail"),
    path("findings/<int:pk>/edit/", control.FindingForm.as_view(), name="auditfinding_edit"),
    path("library/", control.MasterCopyList.as_view(), name="mastercopy_list"),
    path("library/new/", control.MasterCopyForm.as_view(), name="mastercopy_create"),
    path("library/<int:pk>/", control.MasterCopyDetail.as_view(), name="mastercopy_detail"),
    path("library/<int:pk>/edit/", control.MasterCopyForm.as_view(), name="mastercopy_edit"),
]
