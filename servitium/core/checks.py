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

Requirement ids are `<framework slug>#<identifier>`; the conformity app rejects unknown ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

MET, PARTLY_MET, NOT_MET, NOT_APPLICABLE = "met", "partly_met", "not_met", "not_applicable"
STATUSES = (MET, PARTLY_MET, NOT_MET, NOT_APPLICABLE)
# What a requirement reads when nothing can judge it yet (no check applies, no attestation, no record): the
# engine's status, never a check's -- a check that finds nothing to look at says "not applicable".
NO_EVIDENCE = "no_evidence"
FAILED = (NOT_MET, PARTLY_MET)  # evidence shows a shortfall


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


@dataclass(frozen=True)
class Check:
    id: str
    requirements: tuple[str, ...]
    title: str
    func: Callable[[], CheckResult]

    def run(self) -> CheckResult:
        result = self.func()
        if not isinstance(result, CheckResult):
            raise TypeError(f"check {self.id} returned {type(result).__name__}, not CheckResult")
        return result


REGISTRY: dict[str, Check] = {}


def register(check_id: str, *, requirements: Iterable[str], title: str) -> Callable:
    requirements = tuple(requirements)
    if not requirements or not all("#" in r for r in requirements):
        raise ValueError(f"check {check_id}: requirements must be '<framework>#<identifier>' strings")

    def decorator(func: Callable[[], CheckResult]) -> Callable[[], CheckResult]:
        if check_id in REGISTRY and REGISTRY[check_id].func is not func:
            raise ValueError(f"check {check_id} registered twice")
        REGISTRY[check_id] = Check(check_id, requirements, title, func)
        return func

    return decorator


def checks_for(requirement: str) -> list[Check]:
    return [c for c in REGISTRY.values() if requirement in c.requirements]


def autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("checks")
