"""Reads of documented information: who has acknowledged what (per team), the policy's standing, and the
figures the SMS home tile, the review pack and the checks share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from servitium.parties.models import Organization, Person, Team

from .models import Document, DocumentAcknowledgement, DocumentVersion, RecordSeries


def staff() -> Any:
    """The people who work for the provider: active people of the provider's organizations."""
    return Person.objects.filter(active=True, organization__kind=Organization.Kind.PROVIDER)


def audience(document: Document):
    """Who should acknowledge a document: the people and teams it is distributed to, or all staff."""
    people = Person.objects.filter(
        Q(pk__in=document.distribution_people.values("pk"))
        | Q(teams__in=document.distribution_teams.values("pk")),
        active=True,
    ).distinct()
    if document.distribution_people.exists() or document.distribution_teams.exists():
        return people
    return staff()


@dataclass
class TeamStanding:
    team: Any
    members: int
    acknowledged: int
    missing: list = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return None if not self.members else self.acknowledged / self.members


@dataclass
class Standing:
    """How far a document's version in force has been acknowledged."""

    document: Document
    expected: int
    acknowledged: int
    missing: list
    teams: list[TeamStanding]
    unteamed: list = field(default_factory=list)  # people who have not, and are in no team

    @property
    def rate(self) -> float | None:
        return None if not self.expected else self.acknowledged / self.expected


def acknowledgement_standing(document: Document) -> Standing:
    """Per team and overall: who has (and has not) acknowledged the document's version in force."""
    version_id = document.current_version_id
    done = (
        set(DocumentAcknowledgement.objects.filter(version_id=version_id).values_list("person_id", flat=True))
        if version_id
        else set()
    )
    people = list(audience(document).order_by("name"))
    ids = {p.pk for p in people}
    teams = []
    for team in Team.objects.filter(members__in=ids).distinct().order_by("name").prefetch_related("members"):
        members = [m for m in team.members.all() if m.pk in ids]
        missing = [m for m in members if m.pk not in done]
        teams.append(TeamStanding(team, len(members), len(members) - len(missing), missing))
    missing = [p for p in people if p.pk not in done]
    in_teams = {m.pk for t in teams for m in t.team.members.all()}
    unteamed = [p for p in missing if p.pk not in in_teams]
    return Standing(document, len(people), len(people) - len(missing), missing, teams, unteamed)


def sms_policy() -> Document | None:
    return Document.objects.filter(sms_policy=True).select_related("current_version", "owner").first()


def documents_to_acknowledge():
    return Document.objects.filter(requires_acknowledgement=True).exclude(current_version=None)


def overview() -> dict[str, Any]:
    """The figures of the SMS home tile."""
    today = timezone.localdate()
    documents = Document.objects.all()
    standings = [acknowledgement_standing(d) for d in documents_to_acknowledge()]
    expected = sum(s.expected for s in standings)
    done = sum(s.acknowledged for s in standings)
    return {
        "documents": documents.count(),
        "in_force": documents.exclude(current_version=None).count(),
        "review_overdue": documents.filter(next_review__lt=today).count(),
        "awaiting_approval": DocumentVersion.objects.filter(status=DocumentVersion.Status.IN_REVIEW).count(),
        "without_version_in_force": documents.filter(current_version=None).count(),
        "acknowledgement_rate": None if not expected else round(100 * done / expected),
        "series": RecordSeries.objects.count(),
        "due_for_disposal": RecordSeries.objects.filter(due_for_disposal__gt=0).count(),
        "policy": sms_policy(),
    }
