"""Conformity checks evidenced by supplier management."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, CheckResult, Evidence, record_rule, register
from servitium.parties.models import Organization

from .alignment import alignment_of
from .models import SMS_PROCESSES, Dispute, GovernedProcess, Supplier, SupplierContract, SupplierTarget


@register(
    "suppliers.every_supplier_has_manager",
    requirements=[
        "iso20000-1:2011#7.2.s1",
        "iso20000-1:2018#8.3.4.1.s1",
    ],
    title=_("Every supplier has a designated supplier manager"),
)
def every_supplier_has_manager() -> CheckResult:
    orgs = list(Organization.objects.filter(kind=Organization.Kind.SUPPLIER, active=True))
    managed = set(Supplier.objects.filter(organization__in=orgs).values_list("organization_id", flat=True))
    gaps = [o for o in orgs if o.pk not in managed]
    return CheckResult.from_counts(
        total=len(orgs),
        good=len(orgs) - len(gaps),
        met=_("All %(n)d suppliers have a supplier manager.") % {"n": len(orgs)},
        not_met=_("Suppliers without a manager: %(names)s.") % {"names": ", ".join(o.name for o in gaps)},
        none=_("No suppliers recorded."),
        evidence=[o for o in orgs if o.pk in managed],
        gaps=gaps,
    )


@register(
    "suppliers.active_contracts_complete",
    requirements=[
        "iso20000-1:2011#7.2.s2",
        "iso20000-1:2011#7.2.a",
        "iso20000-1:2011#7.2.b",
        "iso20000-1:2011#7.2.c",
        "iso20000-1:2011#7.2.d",
        "iso20000-1:2011#7.2.e",
        "iso20000-1:2011#7.2.f",
        "iso20000-1:2011#7.2.g",
        "iso20000-1:2011#7.2.h",
        "iso20000-1:2011#7.2.i",
        "iso20000-1:2011#7.2.j",
        "iso20000-1:2011#7.2.k",
        "iso20000-1:2011#7.2.l",
        "iso20000-1:2018#8.3.4.1.s2.1",
        "iso20000-1:2018#8.3.4.1.s2.2",
        "iso20000-1:2018#8.3.4.1.s2.3",
        "iso20000-1:2018#8.3.4.1.s2.4",
    ],
    title=_("Every active supplier contract states all the contents the standard lists"),
)
def active_contracts_complete() -> CheckResult:
    """Every active contract states every content item, and every active supplier works under at least
    one active contract (a supplier with only drafts works without one)."""
    active = list(
        SupplierContract.objects.filter(status=SupplierContract.Status.ACTIVE).select_related("supplier")
    )
    incomplete = [c for c in active if c.missing_items()]
    covered = {c.supplier_id for c in active}
    uncovered = list(
        Supplier.objects.filter(status=Supplier.Status.ACTIVE)
        .exclude(pk__in=covered)
        .select_related("organization")
    )
    messages = []
    if incomplete:
        messages.append(
            _("%(n)d active contracts miss content items: %(refs)s.")
            % {"n": len(incomplete), "refs": ", ".join(c.reference for c in incomplete)}
        )
    if uncovered:
        messages.append(
            _("%(n)d active suppliers have no active contract (drafts do not count): %(names)s.")
            % {"n": len(uncovered), "names": ", ".join(str(s) for s in uncovered[:10])}
        )
    return CheckResult.from_counts(
        total=len(active) + len(uncovered),
        good=len(active) - len(incomplete),
        met=_("All %(n)d active contracts are complete and every active supplier has one.")
        % {"n": len(active)},
        not_met=" ".join(messages),
        none=_("No active suppliers or contracts."),
        evidence=[c for c in active if c not in incomplete],
        gaps=[*incomplete, *uncovered],
        figures={"suppliers_without_active_contract": len(uncovered)},
    )


@register(
    "suppliers.contract_reviews_on_time",
    requirements=[
        "iso20000-1:2011#7.2.s5",
        "iso20000-1:2018#8.3.4.1.s6",
    ],
    title=_("Supplier contracts are reviewed at the planned interval"),
)
def contract_reviews_on_time() -> CheckResult:
    active = list(SupplierContract.objects.filter(status=SupplierContract.Status.ACTIVE))
    today = timezone.localdate()
    gaps = [c for c in active if c.next_review_due and c.next_review_due < today]
    return CheckResult.from_counts(
        total=len(active),
        good=len(active) - len(gaps),
        met=_("No contract review is overdue."),
        not_met=_("Contract reviews overdue: %(refs)s.") % {"refs": ", ".join(c.reference for c in gaps)},
        none=_("No active supplier contracts."),
        evidence=[c for c in active if c not in gaps],
        gaps=gaps,
    )


@register(
    "suppliers.targets_aligned_with_slas",
    requirements=[
        "iso20000-1:2018#8.3.4.1.s3",
    ],
    title=_("No supplier target is weaker than the customer SLA target it supports"),
)
def targets_aligned_with_slas() -> CheckResult:
    targets = list(
        # Draft contracts count too: a weak target under negotiation is already a risk to the agreements.
        SupplierTarget.objects.filter(
            contract__status__in=[SupplierContract.Status.DRAFT, SupplierContract.Status.ACTIVE]
        ).select_related("service", "contract__supplier__organization")
    )
    found = alignment_of(targets)
    misaligned = [t for t in targets if found[t.pk]]
    messages = [m.message for t in misaligned[:5] for m in found[t.pk]]
    return CheckResult.from_counts(
        total=len(targets),
        good=len(targets) - len(misaligned),
        met=_("All %(n)d supplier targets support the customer targets.") % {"n": len(targets)},
        not_met=" ".join(messages),
        none=_("No supplier targets on draft or active contracts."),
        evidence=[t for t in targets if t not in misaligned],
        gaps=misaligned,
    )


@register(
    "suppliers.governed_processes",
    requirements=[
        "iso20000-1:2011#4.2.s1",
        "iso20000-1:2011#4.2.a",
        "iso20000-1:2018#8.2.3.s4",
        # governed by a named person of the provider is how what others operate joins the SMS's controls
        "iso20000-1:2018#8.2.3.s5",
    ],
    title=_("Processes operated by other parties have an accountable person and documented governance"),
)
def governed_processes() -> CheckResult:
    rows = list(GovernedProcess.objects.select_related("operated_by"))
    gaps = [g for g in rows if not g.accountable_id or not g.governance.strip()]
    return CheckResult.from_counts(
        total=len(rows),
        good=len(rows) - len(gaps),
        met=_("All %(n)d processes operated by other parties are governed.") % {"n": len(rows)},
        not_met=_("%(n)d lack an accountable person or a governance description.") % {"n": len(gaps)},
        none=_("No processes operated by other parties are recorded."),
        evidence=[g for g in rows if g not in gaps],
        gaps=gaps,
    )


# --- record rules ------------------------------------------------------------------------------------

record_rule(
    "suppliers.disputes_resolved",
    requirements=["iso20000-1:2011#7.2.s7", "iso20000-1:2018#8.3.4.1.s8"],
    title=_("Every settled supplier dispute records its resolution and the day it was resolved"),
    model="suppliers.Dispute",
    where={"status__in": [Dispute.Status.RESOLVED, Dispute.Status.CLOSED]},
    every=Q(resolved_on__isnull=False) & ~Q(resolution=""),
)
record_rule(
    "suppliers.performance_reviewed",
    requirements=["iso20000-1:2011#7.2.s4", "iso20000-1:2018#8.3.4.1.s5"],
    title=_("Every recorded supplier performance period was reviewed by a named person"),
    model="suppliers.SupplierPerformance",
    every={"reviewed_by__isnull": False},
)


# --- other parties running parts of processes (2011 4.2; 2018 8.1, 8.2.3) ----------------------------


def _governed_by(kinds: tuple[str, ...]) -> list[GovernedProcess]:
    return list(GovernedProcess.objects.filter(operated_by__kind__in=kinds).select_related("operated_by"))


def _operators_managed(rows: list[GovernedProcess], managed: set, *, met, not_met, none) -> CheckResult:
    """Judge processes run by other parties by whether their operator is among the `managed` organization
    ids; `met` may name %(n)d, `not_met` %(list)s (the processes falling short)."""
    gaps = [g for g in rows if g.operated_by_id not in managed]
    return CheckResult.from_counts(
        total=len(rows),
        good=len(rows) - len(gaps),
        met=met % {"n": len(rows)},
        not_met=not_met % {"list": ", ".join(str(g) for g in gaps[:10])},
        none=none,
        evidence=[g for g in rows if g not in gaps],
        gaps=gaps,
    )


@register(
    "suppliers.process_suppliers_under_contract",
    requirements=["iso20000-1:2011#4.2.s2", "iso20000-1:2018#8.1.s3"],
    title=_("A supplier that runs part of a process is managed as a supplier, under an active contract"),
)
def process_suppliers_under_contract() -> CheckResult:
    rows = _governed_by((Organization.Kind.SUPPLIER,))
    contracted = set(
        SupplierContract.objects.filter(
            status=SupplierContract.Status.ACTIVE,
            supplier__organization_id__in={g.operated_by_id for g in rows},
            supplier__manager__isnull=False,
        ).values_list("supplier__organization_id", flat=True)
    )
    return _operators_managed(
        rows,
        contracted,
        met=_("All %(n)d parts of processes run by suppliers are under an active, managed contract."),
        not_met=_("Run by a supplier without an active, managed contract: %(list)s."),
        none=_("No supplier runs part of a process."),
    )


@register(
    "suppliers.process_groups_under_agreement",
    requirements=["iso20000-1:2011#4.2.s3", "iso20000-1:2018#8.1.s3"],
    title=_(
        "An internal group or a customer that runs part of a process is managed through service level "
        "management, under an agreed agreement"
    ),
)
def process_groups_under_agreement() -> CheckResult:
    from servitium.agreements.models import ServiceLevelAgreement

    rows = _governed_by((Organization.Kind.INTERNAL, Organization.Kind.CUSTOMER))
    agreed = set(
        ServiceLevelAgreement.objects.filter(
            status=ServiceLevelAgreement.Status.AGREED, customer_id__in={g.operated_by_id for g in rows}
        ).values_list("customer_id", flat=True)
    )
    return _operators_managed(
        rows,
        agreed,
        met=_("All %(n)d parts of processes run by internal groups or customers are under an agreement."),
        not_met=_("Run by an internal group or customer without an agreed agreement: %(list)s."),
        none=_("No internal group or customer runs part of a process."),
    )


@register(
    "suppliers.not_everything_outsourced",
    requirements=["iso20000-1:2018#8.2.3.s3"],
    title=_("No other party provides every live service's components or runs every process"),
)
def not_everything_outsourced() -> CheckResult:
    from servitium.catalog.models import ServiceComponent

    components = ServiceComponent.objects.filter(service__status="live")
    total = components.count()
    own = components.filter(Q(provided_by__isnull=True) | Q(provided_by__kind=Organization.Kind.PROVIDER))
    processes = set(GovernedProcess.objects.values_list("process", flat=True))
    findings = []
    if total and not own.exists():
        findings.append(_("every component of the live services is provided by another party"))
    if len(processes) == len(SMS_PROCESSES):
        findings.append(_("every process is run, at least in part, by another party"))
    figures = {"components": total, "own_components": own.count(), "processes_run_by_others": len(processes)}
    if not total and not processes:
        return CheckResult(
            NOT_APPLICABLE, _("No service components or processes run by others are recorded."), figures
        )
    if findings:
        return CheckResult(NOT_MET, _("Too much is outsourced: %(f)s.") % {"f": "; ".join(findings)}, figures)
    return CheckResult(
        MET,
        _(
            "The provider runs %(own)d of %(n)d components of its live services itself; other parties run "
            "parts of %(p)d of %(all)d processes."
        )
        % {"own": figures["own_components"], "n": total, "p": len(processes), "all": len(SMS_PROCESSES)},
        figures,
        evidence=[Evidence.of(c) for c in own[:20]],
    )


@register(
    "suppliers.subcontractors_documented",
    requirements=["iso20000-1:2011#7.2.s3"],
    title=_(
        "Every sub-contracted supplier names its lead supplier, whose active contract states its "
        "responsibilities and was reviewed on time"
    ),
)
def subcontractors_documented() -> CheckResult:
    today = timezone.localdate()
    subs = list(Supplier.objects.filter(lead_supplier__isnull=False).select_related("lead_supplier"))
    leads = {
        c.supplier_id: c
        for c in SupplierContract.objects.filter(
            status=SupplierContract.Status.ACTIVE, supplier_id__in={s.lead_supplier_id for s in subs}
        )
        .exclude(responsibilities="")
        .filter(Q(next_review_due__isnull=True) | Q(next_review_due__gte=today))
    }
    gaps = [s for s in subs if s.lead_supplier_id not in leads]
    return CheckResult.from_counts(
        total=len(subs),
        good=len(subs) - len(gaps),
        met=_("All %(n)d sub-contracted suppliers are covered by their lead supplier's reviewed contract.")
        % {"n": len(subs)},
        not_met=_(
            "Sub-contracted suppliers whose lead supplier has no active, reviewed contract stating its "
            "responsibilities: %(list)s."
        )
        % {"list": ", ".join(str(s) for s in gaps[:10])},
        none=_("No supplier is recorded as a sub-contractor of another."),
        evidence=[leads[s.lead_supplier_id] for s in subs if s not in gaps],
        gaps=gaps,
    )


record_rule(
    "suppliers.contract_changes_assessed",
    requirements=["iso20000-1:2011#7.2.s6", "iso20000-1:2018#8.3.4.1.s7"],
    title=_(
        "Every contract change agreed at a contract review states its impact on the SMS and the services"
    ),
    model="suppliers.ContractReview",
    where=~Q(changes_agreed=""),
    every=~Q(changes_impact=""),
)
record_rule(
    "suppliers.interfaces_stated",
    requirements=["iso20000-1:2018#8.3.4.1.s4"],
    title=_("Every active supplier contract states the interfaces between our processes and the supplier's"),
    model="suppliers.SupplierContract",
    where={"status": SupplierContract.Status.ACTIVE},
    every=~Q(interfaces=""),
)


ASSESSED_WITHIN_DAYS = 365  # performance and compliance of what others operate looked at once a year


@register(
    "suppliers.governed_processes_assessed",
    requirements=["iso20000-1:2011#4.2.c"],
    title=_(
        "Every process operated by another party says how its performance and compliance are determined, and "
        "was assessed within the last year"
    ),
)
def governed_processes_assessed() -> CheckResult:
    since = timezone.localdate() - dt.timedelta(days=ASSESSED_WITHIN_DAYS)
    rows = list(GovernedProcess.objects.select_related("operated_by"))
    good = [
        g
        for g in rows
        if g.performance_measures.strip() and g.last_assessed_on and g.last_assessed_on >= since
    ]
    gaps = [g for g in rows if g not in good]
    return CheckResult.from_counts(
        total=len(rows),
        good=len(good),
        met=_("All %(n)d processes operated by other parties were assessed within the year.")
        % {"n": len(rows)},
        not_met=_("No stated measures or no assessment within the year: %(list)s.")
        % {"list": ", ".join(str(g) for g in gaps[:10])},
        none=_("No processes operated by other parties are recorded."),
        evidence=good,
        gaps=gaps,
    )


record_rule(
    "suppliers.governed_improvement_controlled",
    requirements=["iso20000-1:2011#4.2.d"],
    title=_("Every process operated by another party says how improvements to it are planned and ranked"),
    model="suppliers.GovernedProcess",
    every=~Q(improvement_control=""),
)


def _evaluated(supplier: Supplier) -> bool:
    return bool(supplier.selection_criteria.strip() and supplier.evaluation.strip() and supplier.evaluated_on)


@register(
    "suppliers.selected_against_criteria",
    requirements=["iso20000-1:2018#8.2.3.s2"],
    title=_("Every active supplier records the criteria it was selected against and how it measured up"),
)
def selected_against_criteria() -> CheckResult:
    rows = list(Supplier.objects.filter(status=Supplier.Status.ACTIVE).select_related("organization"))
    good = [s for s in rows if _evaluated(s)]
    gaps = [s for s in rows if s not in good]
    return CheckResult.from_counts(
        total=len(rows),
        good=len(good),
        met=_("All %(n)d active suppliers were evaluated against their selection criteria.")
        % {"n": len(rows)},
        not_met=_("No selection criteria or evaluation recorded: %(list)s.")
        % {"list": ", ".join(str(s) for s in gaps[:10])},
        none=_("No active suppliers."),
        evidence=good,
        gaps=gaps,
    )


@register(
    "suppliers.component_providers_evaluated",
    requirements=["iso20000-1:2011#5.2.s5"],
    title=_(
        "Every other party that provides a component of a live service is a supplier evaluated against its "
        "selection criteria"
    ),
)
def component_providers_evaluated() -> CheckResult:
    from servitium.catalog.models import ServiceComponent

    providers = {
        c.provided_by_id: c.provided_by
        for c in ServiceComponent.objects.filter(service__status="live", provided_by__isnull=False)
        .exclude(provided_by__kind=Organization.Kind.PROVIDER)
        .select_related("provided_by")
    }
    evaluated = {
        s.organization_id for s in Supplier.objects.filter(organization_id__in=providers) if _evaluated(s)
    }
    rows = sorted(providers.values(), key=lambda o: o.name)
    gaps = [o for o in rows if o.pk not in evaluated]
    return CheckResult.from_counts(
        total=len(rows),
        good=len(rows) - len(gaps),
        met=_("All %(n)d parties that provide service components were evaluated.") % {"n": len(rows)},
        not_met=_("Provide components without a recorded evaluation: %(list)s.")
        % {"list": ", ".join(str(o) for o in gaps[:10])},
        none=_("No other party provides a component of a live service."),
        evidence=[o for o in rows if o not in gaps],
        gaps=gaps,
    )
