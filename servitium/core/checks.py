"""The one registry of conformity checks (see ARCHITECTURE.md, mechanism 6).

Each app declares, in its own `checks.py`, functions that read its records through the permission-free
system path and say how far a requirement is met. The conformity engine runs them; until it lands,
`servitium run-checks` prints them.

    from servitium.core.checks import CheckResult, register

    @register(
        "agreements.live_services_have_agreed_slas",
        requirements=["iso20000-1:2011#6.1", "iso20000-1:2018#8.3.3"],
        title="Every live service has an agreed SLA for each customer",
    )
    def live_services_have_agreed_slas() -> CheckResult: ...

Requirement ids are `<framework slug>#<identifier>`; the conformity app rejects unknown ones. Bind a check
to the leaf obligations it truly evidences (both editions), not to a whole clause.

Besides checks written as functions, an app may declare a **record rule**: evidence that a current,
approved record of a kind exists, or that every record of a kind has something. No code, only the query:

    record_rule(
        "suppliers.disputes_resolved",
        requirements=["iso20000-1:2011#7.2.s7", "iso20000-1:2018#8.3.4.1.s8"],
        title="Every settled supplier dispute records its resolution",
        model="suppliers.Dispute",
        where={"status__in": ["resolved", "closed"]},   # which records the rule is about
        every={"resolution__gt": ""},                    # omitted: "at least one such record exists"
    )

Both run like checks (the engine cannot tell them apart) and are counted apart in the coverage report.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

MET, PARTLY_MET, NOT_MET, NOT_APPLICABLE = "met", "partly_met", "not_met", "not_applicable"
STATUSES = (MET, PARTLY_MET, NOT_MET, NOT_APPLICABLE)
# What a requirement reads when nothing can judge it yet (no check applies, no attestation, no record): the
# engine's status, never a check's -- a check that finds nothing to look at says "not applicable".
NO_EVIDENCE = "no_evidence"
FAILED = (NOT_MET, PARTLY_MET)  # evidence shows a shortfall

T = TypeVar("T")
_RUN_MEMO: ContextVar[dict[Hashable, Any] | None] = ContextVar("check_run_memo", default=None)


@contextlib.contextmanager
def one_run() -> Iterator[None]:
    """Around a run of every check (the engine's): figures several checks read through `shared` are worked
    out once in it, so the checks judge one state of the records and a year of costs is not summed twice."""
    token = _RUN_MEMO.set({})
    try:
        yield
    finally:
        _RUN_MEMO.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or within `one_run` the value another check already computed under `key`."""
    memo = _RUN_MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@dataclass(frozen=True)
class Evidence:
    object_type: str
    object_id: int
    label: str

    @classmethod
    def of(cls, obj: models.Model) -> Evidence:
        return cls(f"{obj._meta.app_label}.{obj._meta.model_name}", obj.pk, str(obj)[:200])


@dataclass
class CheckResult:
    status: str
    message: str
    figures: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    gaps: list[Evidence] = field(default_factory=list)  # the records that fall short

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown check status {self.status!r}")

    @classmethod
    def from_counts(
        cls,
        *,
        total: int,
        good: int,
        met: str,
        not_met: str,
        none: str,
        evidence: Iterable[models.Model] = (),
        gaps: Iterable[models.Model] = (),
        figures: dict[str, Any] | None = None,
    ) -> CheckResult:
        """Met when every item is good, partly met when some are, not met when none; n/a when no items."""
        figures = {"total": total, "conforming": good, **(figures or {})}
        ev = [Evidence.of(o) for o in evidence]
        gp = [Evidence.of(o) for o in gaps]
        if total == 0:
            return cls(NOT_APPLICABLE, none, figures, ev, gp)
        if good == total:
            return cls(MET, met, figures, ev, gp)
        return cls(PARTLY_MET if good else NOT_MET, not_met, figures, ev, gp)

    @classmethod
    def from_tally(cls, counted: Tally, *, met: str, not_met: str, none: str) -> CheckResult:
        """`from_counts` for a `tally`: the messages may name %(n)d (records judged) and %(bad)d (those
        falling short), filled here so that no check repeats the arithmetic."""
        numbers = {"n": counted.total, "bad": counted.total - counted.good}
        return cls.from_counts(
            total=counted.total,
            good=counted.good,
            met=met % numbers,
            not_met=not_met % numbers,
            none=none % numbers,
            evidence=counted.evidence,
            gaps=counted.gaps,
        )


@dataclass(frozen=True)
class Tally:
    """How many records a check judged, how many were good, and the newest of each side to name."""

    total: int
    good: int
    evidence: list[models.Model]
    gaps: list[models.Model]


def tally(records: models.QuerySet, good: Q, *, newest_first: str = "-pk", shown: int = 20) -> Tally:
    """Count `records` and the `good` ones in one aggregate, then fetch examples of each side only where
    the counts say there are any: over millions of rows an empty search for examples would walk them all."""
    stats = records.aggregate(total=models.Count("pk"), good=models.Count("pk", filter=good))
    total, good_count = stats["total"], stats["good"]
    latest = records.order_by(newest_first)
    return Tally(
        total,
        good_count,
        list(latest.filter(good)[:shown]) if good_count else [],
        list(latest.exclude(good)[:shown]) if good_count < total else [],
    )


CHECK, RECORD_RULE = "check", "record_rule"  # kinds of evidence rule


@dataclass(frozen=True)
class Check:
    id: str
    requirements: tuple[str, ...]
    title: str
    func: Callable[[], CheckResult]
    kind: str = CHECK

    def run(self) -> CheckResult:
        result = self.func()
        if not isinstance(result, CheckResult):
            raise TypeError(f"check {self.id} returned {type(result).__name__}, not CheckResult")
        return result


REGISTRY: dict[str, Check] = {}


def register(check_id: str, *, requirements: Iterable[str], title: str, kind: str = CHECK) -> Callable:
    requirements = tuple(requirements)
    if not requirements or not all("#" in r for r in requirements):
        raise ValueError(f"check {check_id}: requirements must be '<framework>#<identifier>' strings")

    def decorator(func: Callable[[], CheckResult]) -> Callable[[], CheckResult]:
        if check_id in REGISTRY and REGISTRY[check_id].func is not func:
            raise ValueError(f"check {check_id} registered twice")
        REGISTRY[check_id] = Check(check_id, requirements, title, func, kind)
        return func

    return decorator


Condition = dict[str, Any] | Q | Callable[[], dict[str, Any] | Q] | None
SHOWN = 20  # records named per rule result


def _q(condition: Condition) -> Q:
    """A rule's condition as a Q; a callable is asked at run time (for "in the last 12 months")."""
    if callable(condition):
        condition = condition()
    if condition is None:
        return Q()
    return condition if isinstance(condition, Q) else Q(**condition)


def record_rule(
    rule_id: str,
    *,
    requirements: Iterable[str],
    title: str,
    model: str,
    where: Condition = None,
    every: Condition = None,
) -> Check:
    """Register a record rule (module docstring). Without `every`: met when a record of `model` matching
    `where` exists, not met (naming the kind) when none does. With `every`: met when each such record
    matches `every`, not met or partly met naming those that do not, not applicable when there are none."""

    def run() -> CheckResult:
        from django.apps import apps  # the registry is read before the app registry may be ready

        cls = apps.get_model(model)
        kind = str(cls._meta.verbose_name_plural)
        records = cls._default_manager.filter(_q(where))
        if every is None:
            found = list(records.order_by("-pk")[:SHOWN])
            if not found:
                return CheckResult(NOT_MET, _("No %(kind)s are recorded.") % {"kind": kind}, {"total": 0})
            total = records.count()
            return CheckResult(
                MET,
                _("%(n)d %(kind)s recorded.") % {"n": total, "kind": kind},
                {"total": total},
                [Evidence.of(o) for o in found],
            )
        # Through pk__in, so conditions across to-many relations neither duplicate nor drop records.
        counted = tally(records, Q(pk__in=records.filter(_q(every)).values("pk")), shown=SHOWN)
        return CheckResult.from_counts(
            total=counted.total,
            good=counted.good,
            met=_("All %(n)d %(kind)s comply.") % {"n": counted.total, "kind": kind},
            not_met=_("%(bad)d of %(n)d %(kind)s fall short: %(list)s.")
            % {
                "bad": counted.total - counted.good,
                "n": counted.total,
                "kind": kind,
                "list": ", ".join(str(o) for o in counted.gaps[:10]),
            },
            none=_("No %(kind)s to judge.") % {"kind": kind},
            evidence=counted.evidence,
            gaps=counted.gaps,
        )

    run.__name__ = rule_id.replace(".", "_")
    known = REGISTRY.get(rule_id)
    if known is not None and known.kind == RECORD_RULE and getattr(known.func, "model", None) == model:
        del REGISTRY[rule_id]  # the same declaration read again (a module reloaded), not a clash
    run.model = model  # type: ignore[attr-defined]
    register(rule_id, requirements=requirements, title=title, kind=RECORD_RULE)(run)
    return REGISTRY[rule_id]


def checks_for(requirement: str) -> list[Check]:
    return [c for c in REGISTRY.values() if requirement in c.requirements]


def autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("checks")
