from django.urls import path

from . import views

app_name = "suppliers"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    *crud("suppliers", "supplier", views.SupplierList, views.SupplierForm, views.SupplierDetail),
    *crud("contracts", "suppliercontract", views.ContractList, views.ContractForm, views.ContractDetail),
    *crud("disputes", "dispute", views.DisputeList, views.DisputeForm, views.DisputeDetail),
    *crud(
        "governed-processes",
        "governedprocess",
        views.GovernedProcessList,
        views.GovernedProcessForm,
        views.GovernedProcessDetail,
    ),
]
