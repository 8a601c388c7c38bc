from django.urls import path

from . import views

app_name = "sms"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


v = views
urlpatterns = [
    path("", v.Home.as_view(), name="home"),
    path("raci/", v.RaciMatrix.as_view(), name="raci"),
    *crud("context", "contextissue", v.ContextIssueList, v.ContextIssueForm, v.ContextIssueDetail),
    *crud("parties", "stakeholder", v.StakeholderList, v.StakeholderForm, v.StakeholderDetail),
    *crud(
        "requirements",
        "partyrequirement",
        v.PartyRequirementList,
        v.PartyRequirementForm,
        v.PartyRequirementDetail,
    ),
    *crud("scope", "scopestatement", v.ScopeStatementList, v.ScopeStatementForm, v.ScopeStatementDetail),
    *crud("commitments", "commitment", v.CommitmentList, v.CommitmentForm, v.CommitmentDetail),
    *crud("roles", "processrole", v.ProcessRoleList, v.ProcessRoleForm, v.ProcessRoleDetail),
    *crud(
        "processes",
        "processdefinition",
        v.ProcessDefinitionList,
        v.ProcessDefinitionForm,
        v.ProcessDefinitionDetail,
    ),
    *crud("appointments", "smssettings", v.SmsSettingsList, v.SmsSettingsForm, v.SmsSettingsDetail),
    *crud("objectives", "objective", v.ObjectiveList, v.ObjectiveForm, v.ObjectiveDetail),
    *crud(
        "measurements",
        "objectivemeasurement",
        v.ObjectiveMeasurementList,
        v.ObjectiveMeasurementForm,
        v.ObjectiveMeasurementDetail,
    ),
    *crud("plan", "smsplan", v.SmsPlanList, v.SmsPlanForm, v.SmsPlanDetail),
    *crud("plan-sections", "plansection", v.PlanSectionList, v.PlanSectionForm, v.PlanSectionDetail),
    *crud(
        "communication",
        "communicationentry",
        v.CommunicationEntryList,
        v.CommunicationEntryForm,
        v.CommunicationEntryDetail,
    ),
]
