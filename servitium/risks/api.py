"""REST resources of risk management: `risk-matrices` (with `activate/`), `risks` (transitions, `review/`,
`heat-map/`) and `risk-actions` (transitions)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet, serializer_for

from . import selectors, services
from .models import Risk, RiskAction, RiskMatrix
from .resources import RiskMatrixResource, RiskResource


class RiskSerializer(RecordSerializer):
    actions = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Ids of the treatment actions (written at /api/v1/risk-actions/).",
    )

    class Meta:
        resource = RiskResource


class RiskMatrixViewSet(RecordViewSet):
    """Risk matrices: levels, bands with colours, appetite. One is active; `activate/` switches to another
    and scores every risk on it again."""

    queryset = RiskMatrix.objects.all()
    create_service = staticmethod(services.matrix_create)
    update_service = staticmethod(services.matrix_update)
    delete_service = staticmethod(services.matrix_delete)

    @extend_schema(request=None, responses=serializer_for(RiskMatrixResource))
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk=None) -> Response:
        """Make this matrix the active one."""
        matrix = self.get_object()
        self._require(permissions.CHANGE, matrix)
        matrix = services.matrix_activate(actor=request.user, instance=matrix)
        return Response(self.get_serializer(matrix).data)


class ReviewInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    next_review = serializers.DateField(required=False, allow_null=True, default=None)


CELL = inline_serializer(
    "RiskHeatMapCell",
    {
        "likelihood": serializers.IntegerField(),
        "impact": serializers.IntegerField(),
        "score": serializers.IntegerField(),
        "band": serializers.CharField(),
        "colour": serializers.CharField(),
        "count": serializers.IntegerField(),
    },
    many=True,
)
HEAT_MAP = inline_serializer(
    "RiskHeatMap",
    {
        "residual": serializers.BooleanField(),
        "total": serializers.IntegerField(),
        "unassessed": serializers.IntegerField(),
        "cells": CELL,
    },
)


class RiskViewSet(RecordViewSet):
    """Risks and opportunities; transitions: assess, treat (treatment_option, acceptance_reason), monitor,
    close (residual_likelihood, residual_impact), reassess, reopen. `review/` records a review."""

    queryset = Risk.objects.select_related("owner").prefetch_related(
        "actions", "services", "cis", "suppliers", "changes"
    )
    serializer_class = RiskSerializer
    create_service = staticmethod(services.risk_create)
    update_service = staticmethod(services.risk_update)
    transition_service = staticmethod(services.risk_transition)

    @extend_schema(request=ReviewInputSerializer, responses=RiskSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        """Record a review of the risk: the next review date moves on and the overdue flag clears."""
        risk = self.get_object()
        self._require(permissions.CHANGE, risk)
        payload = ReviewInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        risk = services.risk_review(
            actor=request.user,
            instance=risk,
            note=payload.validated_data["note"],
            next_review=payload.validated_data["next_review"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=risk.pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("residual", bool, description="Residual instead of inherent scores.")],
        responses=HEAT_MAP,
    )
    @action(detail=False, methods=["get"], url_path="heat-map", filter_backends=[], pagination_class=None)
    def heat_map(self, request: Request) -> Response:
        """Open risks counted per likelihood and impact, each cell with its band and colour."""
        self._require(permissions.VIEW)
        residual = request.query_params.get("residual", "").lower() in ("1", "true", "yes")
        found = selectors.heat_map(request.user, residual=residual)
        cells = [
            {
                "likelihood": c.likelihood,
                "impact": c.impact,
                "score": c.score,
                "band": c.band["name"],
                "colour": c.band["colour"],
                "count": c.count,
            }
            for row in found["rows"]
            for c in row["cells"]
        ]
        return Response(
            {"residual": residual, "total": found["total"], "unassessed": found["unassessed"], "cells": cells}
        )


class RiskActionViewSet(RecordViewSet):
    """Treatment actions; transitions: start, complete (outcome), cancel, reopen."""

    queryset = RiskAction.objects.select_related("risk", "owner")
    create_service = staticmethod(services.action_create)
    update_service = staticmethod(services.action_update)
    transition_service = staticmethod(services.action_transition)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("risk-matrices", RiskMatrixViewSet, basename="riskmatrix")
    router.register("risks", RiskViewSet, basename="risk")
    router.register("risk-actions", RiskActionViewSet, basename="riskaction")
