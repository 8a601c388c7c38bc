"""Conformity checks evidenced by documented information (2011 4.3, 4.1.2; 2018 5.2, 7.3, 7.5).

Each check names the leaf obligations it evidences. Documents "in force" are those with an effective,
approved version; the service management policy is the document marked as such.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import NOT_APPLICABLE, NOT_MET, CheckResult, Evidence, record_rule, register, tally

from . import selectors
from .models import Document, DocumentVersion, RecordSeries

V = DocumentVersion.Status
E2011, E2018 = "iso20000-1:2011#", "iso20000-1:2018#"
# The processes the system runs that a provider documents (the standard's processes that have a module).
CORE_PROCESSES = ("incidents", "problems", "changes", "releases", "cmdb", "agreements", "suppliers")


def in_force():
    return Document.objects.exclude(current_version=None)


def _nothing_registered() -> CheckResult | None:
    """An installation with no documents yet has nothing to judge here (the missing policy is reported by
    documents.policy_documented)."""
    if Document.objects.exists():
        return None
    return CheckResult(NOT_APPLICABLE, _("No documents are registered yet."))


def _policy_result(absent: str = NOT_APPLICABLE) -> tuple[Document | None, CheckResult | None]:
    """The policy, or the result to give when there is none or none in force. Without a policy, the
    checks of its qualities have nothing to judge (not applicable): its absence is reported once, by
    documents.policy_documented."""
    policy = selectors.sms_policy()
    if policy is None:
        return None, CheckResult(absent, _("No document is marked as the service management policy."))
    if policy.current_version_id is None:
        return policy, CheckResult(
            NOT_MET,
            _("The service management policy %(doc)s has no approved version in force.") % {"doc": policy},
            gaps=[Evidence.of(policy)],
        )
    return policy, None


@register(
    "documents.policy_documented",
    requirements=[f"{E2011}4.3.1.a", f"{E2018}5.2.2.a", f"{E2018}7.5.4.b"],
    title=_("The service management policy is a controlled document with an approved version in force"),
)
def policy_documented() -> CheckResult:
    policy, refusal = _policy_result(absent=NOT_MET)
    if refusal:
        return refusal
    version = policy.current_version
    return CheckResult.from_counts(
        total=1,
        good=1,
        met=_("%(doc)s: version %(v)s in force since %(day)s, approved by %(who)s.")
        % {
            "doc": policy,
            "v": version.version,
            "day": version.effective_date,
            "who": version.approved_by or "—",
        },
        not_met="",
        none="",
        evidence=[policy, version],
    )


def _policy_covers(leaf: str):
    def run() -> CheckResult:
        policy, refusal = _policy_result()
        if refusal:
            return refusal
        covered = leaf in (policy.requirements or [])
        return CheckResult.from_counts(
            total=1,
            good=int(covered),
            met=_("The approved policy %(doc)s states that it addresses %(leaf)s.")
            % {"doc": policy, "leaf": leaf},
            not_met=_("The policy %(doc)s does not list %(leaf)s among the clauses it addresses.")
            % {"doc": policy, "leaf": leaf},
            none="",
            evidence=[policy] if covered else [],
            gaps=[] if covered else [policy],
        )

    run.__name__ = "policy_covers_" + leaf.split("#")[1].replace(".", "_")
    return run


# The policy's content obligations: met when the approved policy says (in its clause references) that it
# addresses them. The approver, who is not the author, vouches for that by approving. (Whether the policy
# fits the organization's purpose, 2011 4.1.2.a / 2018 5.2.1.a, is a person's judgement: an attestation.)
POLICY_CONTENT = {
    f"{E2011}4.1.2.b": _("The policy commits to meeting service requirements"),
    f"{E2011}4.1.2.c": _("The policy commits to continual improvement"),
    # 2011 asks for a policy on continual improvement with criteria for judging opportunities; kept in the
    # SMS policy (or a policy it names), it is listed there like the other content obligations.
    f"{E2011}4.5.5.1.s1": _("The policy sets the criteria for judging improvement opportunities"),
    f"{E2011}4.1.2.d": _("The policy frames the service management objectives"),
    f"{E2018}5.2.1.b": _("The policy frames the service management objectives"),
    f"{E2018}5.2.1.c": _("The policy commits to meeting applicable requirements"),
    f"{E2018}5.2.1.d": _("The policy commits to continual improvement"),
}
for _leaf, _title in POLICY_CONTENT.items():
    register(
        "documents.policy_covers_" + _leaf.replace("iso20000-1:", "").replace("#", "_"),
        requirements=[_leaf],
        title=_title,
    )(_policy_covers(_leaf))


@register(
    "documents.policy_acknowledged",
    requirements=[f"{E2011}4.1.2.e", f"{E2018}7.3.s1"],
    title=_("Staff have acknowledged the policy and the other documents that ask for it"),
)
def policy_acknowledged() -> CheckResult:
    """Every person who should has acknowledged the version in force of each document that asks for it."""
    policy, refusal = _policy_result()
    if refusal:
        return refusal
    documents = list(selectors.documents_to_acknowledge())
    standings = [selectors.acknowledgement_standing(d) for d in documents]
    expected = sum(s.expected for s in standings)
    done = sum(s.acknowledged for s in standings)
    teams = sorted({t.team.name for s in standings for t in s.teams if t.missing})
    missing = [p for s in standings for p in s.missing]
    return CheckResult.from_counts(
        total=expected,
        good=done,
        met=_("Everyone asked has acknowledged the version in force (%(n)d acknowledgements).") % {"n": done},
        not_met=_("%(bad)d of %(n)d acknowledgements are missing; teams with gaps: %(teams)s.")
        % {"bad": expected - done, "n": expected, "teams": ", ".join(teams) or "—"},
        none=_("Nobody is asked to acknowledge a document in force."),
        evidence=documents,
        gaps=missing[:20],
        figures={"teams_with_gaps": teams},
    )


@register(
    "documents.policy_available",
    requirements=[f"{E2018}5.2.2.c"],
    title=_("The policy in force is available to interested parties (not confidential, with a point of use)"),
)
def policy_available() -> CheckResult:
    policy, refusal = _policy_result()
    if refusal:
        return refusal
    good = policy.confidentiality != Document.Confidentiality.CONFIDENTIAL and bool(
        policy.points_of_use.strip()
    )
    return CheckResult.from_counts(
        total=1,
        good=int(good),
        met=_("%(doc)s is %(level)s and published at: %(where)s.")
        % {"doc": policy, "level": policy.get_confidentiality_display(), "where": policy.points_of_use},
        not_met=_("%(doc)s is confidential or names no point of use where parties can obtain it.")
        % {"doc": policy},
        none="",
        evidence=[policy] if good else [],
        gaps=[] if good else [policy],
    )


@register(
    "documents.policy_reviewed",
    requirements=[f"{E2011}4.1.2.f"],
    title=_("The policy is reviewed at its planned interval"),
)
def policy_reviewed() -> CheckResult:
    policy, refusal = _policy_result()
    if refusal:
        return refusal
    overdue = bool(policy.next_review and policy.next_review < timezone.localdate())
    return CheckResult.from_counts(
        total=1,
        good=int(not overdue),
        met=_("Policy last reviewed %(last)s; next review %(next)s.")
        % {"last": policy.last_reviewed or "—", "next": policy.next_review or "—"},
        not_met=_("The policy's review was due on %(next)s.") % {"next": policy.next_review},
        none="",
        evidence=[] if overdue else [policy],
        gaps=[policy] if overdue else [],
    )


@register(
    "documents.processes_documented",
    requirements=[f"{E2011}4.3.1.f", f"{E2018}7.5.4.e", f"{E2018}7.5.1.a"],
    title=_("Every SMS process the system runs has a process document in force"),
)
def processes_documented() -> CheckResult:
    empty = _nothing_registered()
    if empty:
        return empty
    documents = list(in_force().filter(kind=Document.Kind.PROCESS))
    covered = {p for d in documents for p in d.processes or []}
    missing = [p for p in CORE_PROCESSES if p not in covered]
    return CheckResult.from_counts(
        total=len(CORE_PROCESSES),
        good=len(CORE_PROCESSES) - len(missing),
        met=_("All %(n)d processes have a process document in force.") % {"n": len(CORE_PROCESSES)},
        not_met=_("No process document in force for: %(names)s.") % {"names": ", ".join(missing)},
        none="",
        evidence=documents[:20],
        figures={"processes_without_document": missing},
    )


def _in_force_of(kind: str, process: str) -> list[Document]:
    return [d for d in in_force().filter(kind=kind) if process in (d.processes or [])]


@register(
    "documents.key_policies_and_plans",
    requirements=[f"{E2011}4.3.1.c", f"{E2018}7.5.4.d"],
    title=_(
        "The change management policy, the information security policy and the continuity plan are in force"
    ),
)
def key_policies_and_plans() -> CheckResult:
    empty = _nothing_registered()
    if empty:
        return empty
    wanted = {
        _("change management policy"): ("policy", "changes"),
        _("information security policy"): ("policy", "security"),
        _("service continuity plan"): ("plan", "continuity"),
    }
    found = {name: _in_force_of(kind, process) for name, (kind, process) in wanted.items()}
    missing = [str(name) for name, docs in found.items() if not docs]
    return CheckResult.from_counts(
        total=len(wanted),
        good=len(wanted) - len(missing),
        met=_("Each key process policy and plan has a document in force."),
        not_met=_("Not in force: %(names)s.") % {"names": ", ".join(missing)},
        none="",
        evidence=[d for docs in found.values() for d in docs],
    )


@register(
    "documents.sms_plan_documented",
    requirements=[f"{E2011}4.3.1.b", f"{E2018}7.5.4.c"],
    title=_("The service management plan is a controlled document in force"),
)
def sms_plan_documented() -> CheckResult:
    empty = _nothing_registered()
    if empty:
        return empty
    plans = _in_force_of("plan", "sms")
    if not plans:
        return CheckResult(NOT_MET, _("No plan serving the management system is in force."))
    return CheckResult.from_counts(
        total=1,
        good=1,
        met=_("%(doc)s is in force.") % {"doc": plans[0]},
        not_met="",
        none="",
        evidence=plans,
    )


def _approved_in_force():
    """Documents registered as needed: in force with an approved version, or not (a draft never released)."""
    return tally(
        Document.objects.all(), Q(current_version__isnull=False, current_version__approved_by__isnull=False)
    )


@register(
    "documents.documents_approved_before_issue",
    requirements=[f"{E2011}4.3.2.a", f"{E2018}7.5.2.c", f"{E2018}7.5.1.b"],
    title=_("Every registered document has a version in force, approved by someone other than its author"),
)
def documents_approved_before_issue() -> CheckResult:
    counted = _approved_in_force()
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d documents have an approved version in force.") % {"n": counted.total},
        not_met=_("%(bad)d of %(n)d documents have no approved version in force: %(list)s.")
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "list": ", ".join(str(d) for d in counted.gaps[:10]),
        },
        none=_("No documents are registered."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


@register(
    "documents.reviews_on_time",
    requirements=[f"{E2011}4.3.2.c", f"{E2018}7.5.2.c"],
    title=_("Documents are reviewed by their next review date"),
)
def reviews_on_time() -> CheckResult:
    today = timezone.localdate()
    counted = tally(in_force(), ~Q(next_review__lt=today))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("No document in force is overdue for review."),
        not_met=_("Overdue for review: %(list)s.") % {"list": ", ".join(str(d) for d in counted.gaps[:10])},
        none=_("No documents in force."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


_DISTRIBUTED = Q(distribution_teams__isnull=False) | Q(distribution_people__isnull=False)

record_rule(
    "documents.documents_distributed",
    requirements=[f"{E2011}4.3.2.b", f"{E2018}7.5.3.s3"],
    title=_("Every document in force names whom it is distributed to"),
    model="documents.Document",
    where={"current_version__isnull": False},
    every=_DISTRIBUTED,
)

record_rule(
    "documents.available_at_point_of_use",
    requirements=[f"{E2011}4.3.2.e", f"{E2018}7.5.3.s1"],
    title=_("Every document in force says where people find it, and its version in force has content"),
    model="documents.Document",
    where={"current_version__isnull": False},
    every=Q(points_of_use__gt="")
    & (Q(current_version__body__gt="") | Q(current_version__file__isnull=False)),
)

record_rule(
    "documents.versions_identified",
    requirements=[f"{E2011}4.3.2.d", f"{E2018}7.5.3.s5"],
    title=_("Every released version states its label, what changed and who approved it"),
    model="documents.DocumentVersion",
    where={"status__in": [V.EFFECTIVE, V.SUPERSEDED]},
    every=Q(summary__gt="", approved_by__isnull=False, approved_at__isnull=False),
)

record_rule(
    "documents.documents_identified",
    requirements=[f"{E2018}7.5.2.a"],
    title=_("Every document has an owner, and each of its versions an author"),
    model="documents.Document",
    every=Q(owner__isnull=False) & ~Q(versions__author__isnull=True),
)

record_rule(
    "documents.format_and_media",
    requirements=[f"{E2018}7.5.2.b"],
    title=_("Every version in force holds its content as text or as a stored file with its SHA-256"),
    model="documents.DocumentVersion",
    where={"status": V.EFFECTIVE},
    every=Q(body__gt="") | Q(file__isnull=False, file_sha256__gt=""),
)

record_rule(
    "documents.external_controlled",
    requirements=[f"{E2011}4.3.2.g", f"{E2018}7.5.3.s7"],
    title=_("Every external document names its issuer and the issuer's version, and is distributed"),
    model="documents.Document",
    where={"kind": Document.Kind.EXTERNAL},
    every=Q(source__gt="", external_version__gt="") & _DISTRIBUTED,
)

record_rule(
    "documents.external_documents_kept",
    requirements=[f"{E2011}4.3.1.h"],
    title=_("Documents the provider needs from outside (external documents) are registered and in force"),
    model="documents.Document",
    where={"kind": Document.Kind.EXTERNAL, "current_version__isnull": False},
)

record_rule(
    "documents.procedures_documented",
    requirements=[f"{E2011}4.3.1.g", f"{E2018}7.5.4.k"],
    title=_("Procedures are documented and in force"),
    model="documents.Document",
    where={"kind": Document.Kind.PROCEDURE, "current_version__isnull": False},
)


@register(
    "documents.obsolete_marked",
    requirements=[f"{E2011}4.3.2.h"],
    title=_("Replaced versions are kept, marked obsolete, and never in force beside the current one"),
)
def obsolete_marked() -> CheckResult:
    retired = DocumentVersion.objects.filter(status__in=[V.SUPERSEDED, V.OBSOLETE])
    counted = tally(retired, Q(retired_at__isnull=False))
    stray = Document.objects.filter(current_version__status__in=[V.SUPERSEDED, V.OBSOLETE])
    if stray.exists():
        return CheckResult(
            NOT_MET,
            _("Documents point to an obsolete version as in force: %(list)s.")
            % {"list": ", ".join(str(d) for d in stray[:10])},
            gaps=[Evidence.of(d) for d in stray[:20]],
        )
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d replaced versions are kept and marked obsolete."),
        not_met=_("%(bad)d replaced versions carry no date from which they are obsolete."),
        none=_("No version has been replaced yet."),
    )


def _procedure_for(clause: str) -> list[Document]:
    return [
        d
        for d in in_force().filter(kind=Document.Kind.PROCEDURE)
        if any(r == clause or r.startswith(clause + ".") for r in d.requirements or [])
    ]


# Documented procedures the editions ask for by name: met when a procedure in force says (in its clause
# references) that it serves the clause, under either edition's number.
PROCEDURES = (
    (
        "documents.document_control_procedure",
        [f"{E2011}4.3.2.s1"],
        (f"{E2011}4.3.2", f"{E2018}7.5"),
        _("A procedure in force states how documents are controlled and who may do what"),
    ),
    (
        "documents.record_control_procedure",
        [f"{E2011}4.3.3.s2"],
        (f"{E2011}4.3.3", f"{E2018}7.5.3"),
        _("A procedure in force states how records are identified, stored, protected, kept and disposed of"),
    ),
    (
        "documents.audit_procedure",
        [f"{E2011}4.5.4.2.s1"],
        (f"{E2011}4.5.4.2", f"{E2018}9.2"),
        _("A procedure in force states how internal audits are planned, carried out and reported"),
    ),
    (
        "documents.improvement_procedure",
        [f"{E2011}4.5.5.1.s2"],
        (f"{E2011}4.5.5", f"{E2018}10"),
        _("A procedure in force states how improvements are proposed, decided, made and evaluated"),
    ),
    (
        "documents.complaint_procedure",
        [f"{E2011}7.1.s7"],
        (f"{E2011}7.1", f"{E2018}8.3.2"),
        _("A procedure in force states how customer complaints are handled"),
    ),
    (
        "documents.major_incident_procedure",
        [f"{E2011}8.1.s9", f"{E2018}8.6.1.s3"],
        (f"{E2011}8.1.s9", f"{E2018}8.6.1.s3"),
        _("A procedure in force states how major incidents are classified and managed"),
    ),
)


def _procedure_in_force(clauses: tuple[str, ...]):
    def check() -> CheckResult:
        empty = _nothing_registered()
        if empty:
            return empty
        found = [d for clause in clauses for d in _procedure_for(clause)]
        named = " / ".join(c.split("#")[1] for c in clauses)
        if not found:
            return CheckResult(
                NOT_MET, _("No procedure in force refers to %(clauses)s.") % {"clauses": named}
            )
        return CheckResult.from_counts(
            total=1,
            good=1,
            met=_("%(doc)s is in force.") % {"doc": found[0]},
            not_met="",
            none="",
            evidence=found,
        )

    return check


for _id, _leaves, _clauses, _title in PROCEDURES:
    register(_id, requirements=_leaves, title=_title)(_procedure_in_force(_clauses))


record_rule(
    "documents.records_register_kept",
    requirements=[f"{E2011}4.3.3.s1", f"{E2018}7.5.4.l"],
    title=_("A records register lists the records the SMS keeps as evidence"),
    model="documents.RecordSeries",
)

record_rule(
    "documents.records_retrievable",
    requirements=[f"{E2018}7.5.3.s4"],
    title=_("Every record series says where it is kept and who owns it"),
    model="documents.RecordSeries",
    every=Q(location__gt="", owner__isnull=False),
)


@register(
    "documents.retention_controlled",
    requirements=[f"{E2018}7.5.3.s6"],
    title=_(
        "Every record series has a retention period and a disposal method; legal holds state their reason"
    ),
)
def retention_controlled() -> CheckResult:
    counted = tally(
        RecordSeries.objects.all(),
        Q(retention_months__gte=1, disposal_method__gt="")
        & (Q(legal_hold=False) | Q(legal_hold_reason__gt="")),
    )
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d record series state retention and disposal.") % {"n": counted.total},
        not_met=_("Series without retention or disposal rules: %(list)s.")
        % {"list": ", ".join(str(s) for s in counted.gaps[:10])},
        none=_("No record series are registered."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


@register(
    "documents.protected",
    requirements=[f"{E2018}7.5.3.s2"],
    title=_("Confidential documents are distributed only to named people or teams"),
)
def protected() -> CheckResult:
    confidential = Document.objects.filter(confidentiality=Document.Confidentiality.CONFIDENTIAL)
    counted = tally(confidential, Q(pk__in=confidential.filter(_DISTRIBUTED).values("pk")))
    if counted.total == 0:
        # Nothing is confidential: every document is at least classified (internal by default).
        total = Document.objects.count()
        return CheckResult.from_counts(
            total=total,
            good=total,
            met=_("All %(n)d documents carry a confidentiality level; none is confidential.") % {"n": total},
            not_met="",
            none=_("No documents are registered."),
        )
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("Every confidential document names its readers."),
        not_met=_("Confidential documents without a distribution list: %(list)s.")
        % {"list": ", ".join(str(d) for d in counted.gaps[:10])},
        none="",
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


# The SMS documentation also consists of records other processes keep (2018 7.5.4.g-i; internal agreements
# (7.5.4.j) exist only where there are internal suppliers, so nothing is judged for them here; the 2011 items
# 4.3.1.d-e are left to the catalogue's and the agreements' own evidence):
# the register only needs to know they exist and are current.
record_rule(
    "documents.catalogue_documented",
    requirements=[f"{E2018}7.5.4.g", f"{E2011}4.3.1.d"],
    title=_("The catalogue of services is kept (live services are recorded)"),
    model="catalog.Service",
    where={"status": "live"},
)

record_rule(
    "documents.slas_documented",
    requirements=[f"{E2018}7.5.4.h", f"{E2011}4.3.1.e"],
    title=_("Agreed service level agreements are kept"),
    model="agreements.ServiceLevelAgreement",
    where={"kind": "sla", "status": "agreed"},
)

record_rule(
    "documents.supplier_contracts_documented",
    requirements=[f"{E2018}7.5.4.i"],
    title=_("Active contracts with external suppliers are kept"),
    model="suppliers.SupplierContract",
    where={"status": "active"},
)

# A corrective action or an improvement that changes a policy, plan, process or procedure is answered by an
# approved document version written for it (2011 4.5.5.2 c; 2018 10.1 e). "Approved" covers versions
# since replaced: the change happened even if the document has moved on.
_APPROVED_VERSION = Q(document_versions__approved_at__isnull=False)

record_rule(
    "documents.sms_changed_by_corrective_action",
    requirements=[f"{E2018}10.1.e"],
    title=_(
        "Every completed corrective action that changes the SMS is answered by an approved document version"
    ),
    model="improvement.CorrectiveAction",
    where={"status": "done", "changes_sms": True},
    every=_APPROVED_VERSION,
)

record_rule(
    "documents.sms_changed_by_improvement",
    requirements=[f"{E2011}4.5.5.2.c", f"{E2018}10.1.e"],
    title=_("Every carried-out improvement that changes the SMS is answered by an approved document version"),
    model="improvement.ImprovementOpportunity",
    where={"status__in": ["implemented", "evaluated"], "changes_sms": True},
    every=_APPROVED_VERSION,
)


# Knowledge (2018 7.6): what the SMS and the services depend on is kept as knowledge articles — controlled
# documents, in force and reviewed on time — and each reaches the people who need it.
def _knowledge_current() -> Q:
    today = timezone.localdate()
    return Q(current_version__isnull=False) & ~Q(next_review__lt=today)


record_rule(
    "documents.knowledge_maintained",
    requirements=[f"{E2018}7.6.s1"],
    title=_("Knowledge articles are in force and reviewed by their next review date"),
    model="documents.Document",
    where={"kind": "knowledge"},
    every=_knowledge_current,
)

record_rule(
    "documents.knowledge_available",
    requirements=[f"{E2018}7.6.s2"],
    # Knowledge locked away as confidential is not available to the desk that needs it.
    title=_(
        "Every knowledge article names where people find it, reaches a team, people or the public, and is "
        "not classified confidential"
    ),
    model="documents.Document",
    where={"kind": "knowledge"},
    every=~Q(points_of_use="")
    & ~Q(confidentiality="confidential")
    & (
        Q(distribution_teams__isnull=False)
        | Q(distribution_people__isnull=False)
        | Q(confidentiality="public")
    ),
)
