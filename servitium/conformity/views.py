"""UI of the conformity engine: the dashboard (heat map by clause, trend over runs, drill-down to the
evidence), scenario readiness, the phased plan, attestations and nonconformities."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic

from . import coverage, selectors, services
from .models import Assessment, Attestation, Exclusion, Framework, PlanItem, Result

EDITIONS = ("iso20000-1:2018", "iso20000-1:2011")
RESULTS_PER_PAGE = 200
TREND_RUNS = 20


class ConformityView(generic.LoginRequiredMixin, generic.View):
    """Pages of users who may read assessments (the declaration decides); customers and others get 404."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and not permissions.has_permission(
            request.user, permissions.VIEW, Assessment
        ):
            raise Http404(_("No such page."))
        return super().dispatch(request, *args, **kwargs)

    def visible(self, model):
        return permissions.restrict(model._default_manager.all(), self.request.user)


class Dashboard(ConformityView):
    def get(self, request: HttpRequest) -> HttpResponse:
        edition = request.GET.get("edition", EDITIONS[0])
        latest = selectors.latest_assessment(covering=edition)
        runs = list(self.visible(Assessment).order_by("-started_at", "-id")[:TREND_RUNS])
        context = {
            "edition": edition,
            "editions": EDITIONS,
            "latest": latest,
            "heat_map": selectors.heat_map(latest, edition) if latest else [],
            "totals": selectors.by_edition(latest) if latest else [],
            "by_process": selectors.by_process(latest, edition) if latest else [],
            "trend": selectors.met_trend_chart(list(reversed(runs)), edition),
            "legend": selectors.FAILURES_FIRST,
            "runs": runs,
            "can_run": permissions.has_permission(request.user, permissions.ADD, Assessment),
            "frameworks": self.visible(Framework),
        }
        return render(request, "conformity/dashboard.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not permissions.has_permission(request.user, permissions.ADD, Assessment):
            raise Http404(_("No such page."))
        slug = request.POST.get("framework") or None
        framework = Framework.objects.filter(slug=slug).first() if slug else None
        assessment = services.assessment_run(actor=request.user, framework=framework)
        messages.success(request, _("Assessment %(ref)s stored.") % {"ref": assessment.reference})
        return redirect("conformity:assessment_detail", pk=assessment.pk)


class AssessmentDetail(ConformityView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        assessment = self.visible(Assessment).filter(pk=pk).first()
        if assessment is None:
            raise Http404(_("No such record."))
        status = request.GET.get("status", "")
        results = self.visible(Result).filter(assessment=assessment).select_related("requirement__framework")
        if status:
            results = results.filter(status=status)
        # Failures first, then what has no evidence, then the rest; in catalogue order within each group.
        rank = Case(
            *(When(status=s, then=Value(i)) for i, s in enumerate(selectors.FAILURES_FIRST)),
            default=Value(len(selectors.FAILURES_FIRST)),
            output_field=IntegerField(),
        )
        results = results.annotate(rank=rank).order_by(
            "rank", "requirement__framework__slug", "requirement__order", "id"
        )
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        previous = (
            self.visible(Assessment)
            .filter(started_at__lt=assessment.started_at)
            .order_by("-started_at")
            .first()
        )
        context = {
            "assessment": assessment,
            "page": page,
            "results": page.object_list,
            "status": status,
            "editions": selectors.by_edition(assessment),
            "diff": selectors.diff(assessment, previous) if previous else None,
            "previous": previous,
            "gap": selectors.gap_analysis(assessment),
        }
        return render(request, "conformity/assessment_detail.html", context)


class ResultDetail(ConformityView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        result = (
            self.visible(Result)
            .select_related("requirement__framework", "assessment", "attestation")
            .filter(pk=pk)
        ).first()
        if result is None:
            raise Http404(_("No such record."))
        return render(request, "conformity/result_detail.html", {"result": result})


class Coverage(ConformityView):
    """Which obligations a check, a record rule or only an attestation can judge, per edition."""

    def get(self, request: HttpRequest) -> HttpResponse:
        edition = request.GET.get("edition", EDITIONS[0])
        if edition not in coverage.EDITIONS:
            raise Http404(_("No such edition."))
        context = {"edition": edition, "editions": EDITIONS, "report": coverage.coverage(edition)}
        return render(request, "conformity/coverage.html", context)


class Scenarios(ConformityView):
    def get(self, request: HttpRequest) -> HttpResponse:
        latest = selectors.latest_assessment(covering=selectors.SCENARIOS)
        rows = selectors.by_scenario(latest) if latest else []
        return render(request, "conformity/scenarios.html", {"latest": latest, "scenarios": rows})


class Plan(ConformityView):
    def get(self, request: HttpRequest) -> HttpResponse:
        items = list(self.visible(PlanItem).select_related("activity", "owner"))
        latest = selectors.latest_assessment(covering=selectors.ACTIVITIES)
        statuses = selectors.plan_statuses(items, latest)
        rows = [
            {"item": i, "auto": statuses[i.pk], "status": i.manual_status or statuses[i.pk]} for i in items
        ]
        context = {
            "latest": latest,
            "rows": rows,
            "phases": selectors.plan_achievement(items, statuses),
            "labels": dict(PlanItem.Progress.choices),
        }
        return render(request, "conformity/plan.html", context)


class PlanItemViews:
    """Plan items are listed on the plan page and generated from the catalogue, never added by hand (the
    declaration gives nobody the add action)."""

    def url_name(self, suffix: str) -> str:
        return "conformity:plan" if suffix in ("list", "create") else f"conformity:planitem_{suffix}"


class PlanItemDetail(PlanItemViews, generic.RecordDetailView):
    model = PlanItem


class PlanItemForm(PlanItemViews, generic.RecordFormView):
    model = PlanItem


class AttestationList(generic.RecordListView):
    model = Attestation

    def base_queryset(self):
        return Attestation.objects.select_related("requirement", "attested_by", "reviewed_by")


class AttestationDetail(generic.RecordDetailView):
    model = Attestation


class AttestationForm(generic.RecordFormView):
    model = Attestation


class ExclusionList(generic.RecordListView):
    model = Exclusion

    def base_queryset(self):
        return Exclusion.objects.select_related("requirement", "approved_by")


class ExclusionDetail(generic.RecordDetailView):
    model = Exclusion


class ExclusionForm(generic.RecordFormView):
    model = Exclusion
