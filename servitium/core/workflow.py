"""Lifecycles as explicit transition tables, checked by one small helper.

Each process declares its transitions once (name, from-states, to-state, the permission action it needs);
API and UI offer exactly `Workflow.available(...)` and call the process's transition service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from . import hooks
from .errors import TransitionNotAllowed


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    label: Any
    action: str = "change"  # permission action on the record's area
    needs: tuple[str, ...] = ()  # input fields the transition requires (missing -> 400)
    guard: Callable[[Any], str | None] | None = None  # returns a reason when blocked (-> 409)


@dataclass
class Workflow:
    states: Iterable[str]
    transitions: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.states = tuple(self.states)
        self._by_name = {t.name: t for t in self.transitions}
        unknown = {s for t in self.transitions for s in (*t.sources, t.target)} - set(self.states)
        if unknown:
            raise ValueError(f"transitions name unknown states: {sorted(unknown)}")

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise TransitionNotAllowed(
                _("Unknown transition %(name)s. Known: %(known)s.")
                % {"name": name, "known": ", ".join(sorted(self._by_name))}
            ) from None

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def check(self, instance: Any, state: str, name: str) -> Transition:
        transition = self.get(name)
        if state not in transition.sources:
            raise TransitionNotAllowed(
                _("Cannot %(name)s from status %(state)s.") % {"name": name, "state": state}
            )
        if transition.guard is not None:
            reason = transition.guard(instance)
            if reason:
                raise TransitionNotAllowed(reason)
        if isinstance(instance, models.Model):
            reason = hooks.refusal(instance, transition.name)  # rules higher apps add (core.hooks)
            if reason:
                raise TransitionNotAllowed(reason)
        return transition

    def available(self, instance: Any, state: str) -> list[Transition]:
        """Transitions from `state` whose guards pass now (permission is checked by the caller)."""
        # A transition that takes input (`needs`) is offered even when its guard fails now: the input may
        # satisfy it.
        return [t for t in self.from_state(state) if t.guard is None or t.needs or not t.guard(instance)]
