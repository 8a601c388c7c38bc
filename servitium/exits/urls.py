"""Pages of exit and transfer, under /exits/."""

from django.urls import path

from . import views

app_name = "exits"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    *crud("", "exitplan", views.PlanList, views.PlanForm, views.PlanDetail),
    *crud("items/", "exititem", views.ItemList, views.ItemForm, views.ItemDetail),
    *crud("exports/", "dataexport", views.ExportList, views.ExportForm, views.ExportDetail),
    *crud("handovers/", "handoverrecord", views.HandoverList, views.HandoverForm, views.HandoverDetail),
    *crud("disposals/", "disposalrecord", views.DisposalList, views.DisposalForm, views.DisposalDetail),
]
