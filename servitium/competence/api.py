"""REST resources of resources and competence: `competence-areas`, `competences`,
`competence-requirements`, `person-competences`, `training-records`, `resource-budgets`, and the read-only
`competence-gaps/` and `service-resources/{service id}/`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.catalog.models import Service
from servitium.core import permissions
from servitium.core.api.base import RecordViewSet
from servitium.core.api.fields import query_int

from . import selectors
from .models import (
    Competence,
    CompetenceArea,
    CompetenceRequirement,
    PersonCompetence,
    ResourceBudget,
    TrainingRecord,
)


class CompetenceAreaViewSet(RecordViewSet):
    queryset = CompetenceArea.objects.all()


class CompetenceViewSet(RecordViewSet):
    queryset = Competence.objects.select_related("area")


class CompetenceRequirementViewSet(RecordViewSet):
    queryset = CompetenceRequirement.objects.select_related("competence", "team")


class PersonCompetenceViewSet(RecordViewSet):
    queryset = PersonCompetence.objects.select_related("person", "competence", "assessed_by")


class TrainingRecordViewSet(RecordViewSet):
    queryset = TrainingRecord.objects.select_related("person", "competence")


class ResourceBudgetViewSet(RecordViewSet):
    queryset = ResourceBudget.objects.select_related("service")


GAP = inline_serializer(
    "CompetenceGap",
    {
        "person": serializers.IntegerField(),
        "person_name": serializers.CharField(),
        "role": serializers.CharField(),
        "requirement": serializers.IntegerField(),
        "competence": serializers.IntegerField(),
        "competence_name": serializers.CharField(),
        "required_level": serializers.IntegerField(),
        "held_level": serializers.IntegerField(),
        "status": serializers.ChoiceField(choices=["met", "below", "missing", "expired"]),
        "expired_on": serializers.DateField(allow_null=True),
    },
    many=True,
)
ROLE = inline_serializer(
    "CompetenceRoleCoverage",
    {
        "requirement": serializers.IntegerField(),
        "role": serializers.CharField(),
        "competence": serializers.IntegerField(),
        "competence_name": serializers.CharField(),
        "required_level": serializers.IntegerField(),
        "people": serializers.IntegerField(),
        "meeting": serializers.IntegerField(),
        "status": serializers.ChoiceField(choices=["met", "partial", "unmet", "vacant"]),
    },
    many=True,
)


def _require_view(user, model) -> None:
    if not permissions.has_permission(user, permissions.VIEW, model):
        raise PermissionDenied(
            "Competence records are for the provider's SMS roles, top management and auditors."
        )


class CompetenceGapViewSet(viewsets.ViewSet):
    """Every person against the competence requirements of their roles (job title or team), and per
    requirement how many of its people meet it. Expired certificates count as gaps."""

    @extend_schema(
        parameters=[
            OpenApiParameter("person", int, description="Only this person."),
            OpenApiParameter("competence", int, description="Only this competence."),
            OpenApiParameter("gaps_only", bool, description="Leave out the requirements that are met."),
        ],
        responses=inline_serializer("CompetenceGaps", {"people": GAP, "roles": ROLE}),
    )
    def list(self, request: Request) -> Response:
        _require_view(request.user, CompetenceRequirement)
        person = query_int(request, "person", 0, 0, 2**62) or None
        competence = query_int(request, "competence", 0, 0, 2**62) or None
        requirements = CompetenceRequirement.objects.all()
        if competence:
            requirements = requirements.filter(competence_id=competence)
        rows, roles = selectors.gaps(request.user, requirements=requirements)
        if person:
            rows = [g for g in rows if g.person.pk == person]
        if request.query_params.get("gaps_only", "").lower() in ("1", "true", "yes"):
            rows = [g for g in rows if g.status != selectors.MET]
            roles = [r for r in roles if r.status != "met"]
        return Response({"people": [g.as_dict() for g in rows], "roles": [r.as_dict() for r in roles]})


NAMED = inline_serializer("NamedRecord", {"id": serializers.IntegerField(), "name": serializers.CharField()})


class ServiceResourceViewSet(viewsets.ViewSet):
    """The four kinds of resource behind a service (TR 20000-17): human (owner, teams that handled its
    incidents and problems in the last year, CI owners), technical (its CIs and components), information
    (active known errors, open problems) and financial (budgets per year)."""

    lookup_value_regex = r"[0-9]+"

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Id of the service.")],
        responses=inline_serializer(
            "ServiceResources",
            {
                "service": serializers.IntegerField(),
                "service_name": serializers.CharField(),
                "human": inline_serializer(
                    "HumanResources",
                    {
                        "owner": serializers.CharField(allow_null=True),
                        "teams": inline_serializer(
                            "SupportingTeam",
                            {
                                "id": serializers.IntegerField(),
                                "name": serializers.CharField(),
                                "incidents": serializers.IntegerField(),
                            },
                            many=True,
                        ),
                        "problem_teams": serializers.ListField(child=serializers.CharField()),
                        "ci_owners": serializers.ListField(child=serializers.CharField()),
                    },
                ),
                "technical": inline_serializer(
                    "TechnicalResources",
                    {
                        "ci_count": serializers.IntegerField(),
                        "cis": inline_serializer(
                            "ServiceCI",
                            {
                                "id": serializers.IntegerField(),
                                "reference": serializers.CharField(),
                                "name": serializers.CharField(),
                                "status": serializers.CharField(),
                            },
                            many=True,
                        ),
                        "by_status": serializers.DictField(child=serializers.IntegerField()),
                        "components": serializers.ListField(child=serializers.CharField()),
                    },
                ),
                "information": inline_serializer(
                    "InformationResources",
                    {
                        "known_error_count": serializers.IntegerField(),
                        "known_errors": inline_serializer(
                            "ServiceKnownError",
                            {
                                "id": serializers.IntegerField(),
                                "reference": serializers.CharField(),
                                "title": serializers.CharField(),
                            },
                            many=True,
                        ),
                        "open_problems": serializers.IntegerField(),
                    },
                ),
                "financial": inline_serializer(
                    "FinancialResources",
                    {
                        "budgets": inline_serializer(
                            "ServiceBudget",
                            {
                                "id": serializers.IntegerField(),
                                "year": serializers.IntegerField(),
                                "budget": serializers.DecimalField(max_digits=14, decimal_places=2),
                                "actual": serializers.DecimalField(
                                    max_digits=14, decimal_places=2, allow_null=True
                                ),
                            },
                            many=True,
                        )
                    },
                ),
            },
        ),
    )
    def retrieve(self, request: Request, pk=None) -> Response:
        _require_view(request.user, ResourceBudget)
        service = (
            permissions.restrict(Service.objects.filter(pk=pk), request.user).first()
            if str(pk).isdigit()
            else None
        )
        if service is None:
            raise NotFound("No such service.")
        found = selectors.service_resources(service, request.user)
        human, technical, info = found["human"], found["technical"], found["information"]
        return Response(
            {
                "service": service.pk,
                "service_name": service.name,
                "human": {**human, "owner": str(human["owner"]) if human["owner"] else None},
                "technical": {
                    **technical,
                    "cis": [
                        {"id": c.pk, "reference": c.reference, "name": c.name, "status": c.status}
                        for c in technical["cis"]
                    ],
                },
                "information": {
                    **info,
                    "known_errors": [
                        {"id": k.pk, "reference": k.reference, "title": k.title} for k in info["known_errors"]
                    ],
                },
                "financial": {
                    "budgets": [
                        {
                            "id": b.pk,
                            "year": b.year,
                            "budget": str(b.budget),
                            "actual": None if b.actual is None else str(b.actual),
                        }
                        for b in found["financial"]["budgets"]
                    ]
                },
            }
        )


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("competence-areas", CompetenceAreaViewSet, basename="competencearea")
    router.register("competences", CompetenceViewSet, basename="competence")
    router.register("competence-requirements", CompetenceRequirementViewSet, basename="competencerequirement")
    router.register("person-competences", PersonCompetenceViewSet, basename="personcompetence")
    router.register("training-records", TrainingRecordViewSet, basename="trainingrecord")
    router.register("resource-budgets", ResourceBudgetViewSet, basename="resourcebudget")
    router.register("competence-gaps", CompetenceGapViewSet, basename="competence-gaps")
    router.register("service-resources", ServiceResourceViewSet, basename="service-resources")
