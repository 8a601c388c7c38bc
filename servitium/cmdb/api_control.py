"""REST resources that control the configuration: `baselines` (with `items/` and `diff/`),
`configuration-audits` (with `import/` and transitions), `audit-findings` (with the follow-up actions) and
`master-copies`. All are the provider's own: customer users see none of them."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fields import id_field
from servitium.core.api.parsers import FormParser, JSONParser, MultiPartParser
from servitium.core.filters import record_id

from . import audits, baselines, services
from .api_inputs import InputsSerializer
from .models import CIType, ConfigurationItem
from .records import AuditFinding, Baseline, ConfigurationAudit, MasterCopy
from .resources import AuditFindingResource, BaselineResource, ConfigurationAuditResource


class MasterCopyViewSet(RecordViewSet):
    """The definitive library: authorised copies of software, documents, images and escrowed licence keys.
    `cis` lists the CIs that reference the copy (set from the CI's `master_copies`)."""

    queryset = MasterCopy.objects.select_related("custodian").prefetch_related("cis")


class BaselineSerializer(InputsSerializer):
    """A frozen snapshot of CIs; `cis` (write only) lists the CIs to freeze for scope `cis`."""

    cis = serializers.ListField(
        child=id_field(),
        write_only=True,
        required=False,
        help_text="Ids of the CIs to freeze (scope `cis`).",
    )
    inputs = ("cis",)

    class Meta:
        resource = BaselineResource


def _baseline_create(*, actor: Any, data: dict[str, Any], m2m: Any = None) -> Baseline:
    """`scope` `cis` freezes the listed CIs; `service`, `ci_type` and `customer` freeze what that covers."""
    data = dict(data)
    cis = data.pop("cis", None) or []
    scope = data.get("scope") or Baseline.Scope.CIS
    if bool(data.get("source_type")) != (data.get("source_id") is not None):
        raise DRFValidationError(
            {"source_id": [_("Give both the type and the id of the cause, or neither.")]}
        )
    source = (data["source_type"], data["source_id"]) if data.get("source_type") else None
    common = {
        "actor": actor,
        "name": data.get("name", ""),
        "purpose": data.get("purpose", ""),
        "source": source,
    }
    if scope == Baseline.Scope.CIS:
        if not cis:
            raise DRFValidationError({"cis": [_("List the ids of the CIs to freeze.")]})
        visible = set(
            permissions.restrict(ConfigurationItem.objects.filter(pk__in=cis), actor).values_list(
                "pk", flat=True
            )
        )
        hidden = [c for c in cis if c not in visible]
        if hidden:
            raise DRFValidationError(
                {"cis": [_("No CI with id(s) %(ids)s.") % {"ids": ", ".join(map(str, hidden))}]}
            )
        return services.baseline_create(cis=cis, **common)
    if data.get("scope_id") is None:
        raise DRFValidationError({"scope_id": [_("This scope needs the record it is taken for.")]})
    return services.baseline_for_scope(scope=scope, scope_id=data["scope_id"], **common)


class FrozenRelationshipSerializer(serializers.Serializer):
    kind = serializers.CharField()
    target = serializers.CharField(help_text="The target CI's reference.")
    target_name = serializers.CharField()


class BaselineItemSerializer(serializers.Serializer):
    """One CI as the baseline froze it (cmdb.baselines.snapshots): related records by name."""

    ci = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()
    ci_type = serializers.CharField()
    status = serializers.CharField()
    version = serializers.CharField()
    owner = serializers.CharField(allow_null=True)
    location = serializers.CharField(allow_null=True)
    service = serializers.CharField(allow_null=True)
    customers = serializers.ListField(child=serializers.CharField())
    master_copies = serializers.ListField(child=serializers.CharField())
    attributes = serializers.DictField()
    relationships = FrozenRelationshipSerializer(many=True)


DIFF_SCHEMA = inline_serializer(
    "BaselineDiff",
    {
        "from": serializers.DictField(),
        "to": serializers.DictField(),
        "added": serializers.ListField(child=serializers.DictField()),
        "removed": serializers.ListField(child=serializers.DictField()),
        "changed": serializers.ListField(child=serializers.DictField()),
        "relationships": serializers.DictField(),
    },
)


def _baseline_label(baseline: Baseline) -> dict[str, Any]:
    return {
        "id": baseline.pk,
        "reference": baseline.reference,
        "name": baseline.name,
        "taken": baseline.created,
    }


class BaselineViewSet(RecordViewSet):
    """Frozen snapshots of CIs. Create with `{"name", "purpose", "cis": [ids]}` or with `scope`
    (`service` — the service CI and all it depends on, `ci_type`, `customer`) and `scope_id`. Only the name
    and purpose can be corrected afterwards."""

    queryset = Baseline.objects.all()
    serializer_class = BaselineSerializer
    create_service = staticmethod(_baseline_create)
    update_service = staticmethod(services.baseline_update)

    @extend_schema(responses=BaselineItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def items(self, request: Request, pk=None) -> Response:
        """Every CI of the baseline as it was frozen."""
        baseline = self.get_object()
        return Response([{"ci": i.ci_pk, **i.data} for i in baseline.items.all()])

    @extend_schema(
        responses=DIFF_SCHEMA,
        parameters=[
            OpenApiParameter("against", OpenApiTypes.STR, description="Another baseline's id, or `now`.")
        ],
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk=None) -> Response:
        """What changed from this baseline to another one (`?against=<id>`) or to the records now
        (`?against=now`, the default): CIs added, removed and changed field by field, and relationships."""
        baseline = self.get_object()
        against = request.query_params.get("against", "now").strip()
        if against == "now":
            after, label = baselines.current(baseline), {"now": True}
        else:
            number = record_id(against)
            other = self.get_queryset().filter(pk=number).first() if number else None
            if other is None:
                raise DRFValidationError({"against": [_("Give a baseline id you can see, or now.")]})
            after, label = baselines.stored(other), _baseline_label(other)
        result = baselines.diff(baselines.stored(baseline), after)
        return Response({"from": _baseline_label(baseline), "to": label, **result})


class ConfigurationAuditSerializer(RecordSerializer):
    """A configuration audit with the counts of what was discovered and found."""

    discovered_count = serializers.SerializerMethodField()
    findings_open = serializers.SerializerMethodField()
    findings_total = serializers.SerializerMethodField()

    class Meta:
        resource = ConfigurationAuditResource

    def get_discovered_count(self, obj: ConfigurationAudit) -> int:
        return len(obj.discovered or [])

    # Lists and details read the counts from the viewset's annotation; a record just created or changed
    # by a service has none, and counts once.
    def get_findings_open(self, obj: ConfigurationAudit) -> int:
        counted = getattr(obj, "findings_open", None)
        return counted if counted is not None else obj.findings.filter(status="open").count()

    def get_findings_total(self, obj: ConfigurationAudit) -> int:
        counted = getattr(obj, "findings_total", None)
        return counted if counted is not None else obj.findings.count()


class AuditImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="CSV or JSON from a discovery tool.")
    rows = serializers.ListField(child=serializers.DictField(), required=False, help_text="Rows as JSON.")


class ConfigurationAuditViewSet(RecordViewSet):
    """Configuration audits: `POST import/` discovered data (multipart `file`, CSV or JSON, or JSON
    `{"rows": [...]}`), then the `reconcile` transition turns every difference into a finding; `close` once
    every finding is closed."""

    queryset = ConfigurationAudit.objects.annotate(
        findings_total=Count("findings", distinct=True),
        findings_open=Count("findings", filter=Q(findings__status="open"), distinct=True),
    )
    serializer_class = ConfigurationAuditSerializer
    transition_service = staticmethod(audits.audit_transition)

    @extend_schema(request=AuditImportSerializer, responses=ConfigurationAuditSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_data(self, request: Request, pk=None) -> Response:
        """Load discovered data; bad rows are listed in `row_errors`, the rest is kept."""
        audit = self.get_object()
        self._require(permissions.CHANGE, audit)
        upload = request.FILES.get("file")
        if upload is not None:
            content, name = upload.read(), upload.name or "upload"
        elif isinstance(request.data.get("rows"), list):
            content, name = json.dumps(request.data["rows"]), "rows.json"
        else:
            raise DRFValidationError({"file": [_('Upload a CSV or JSON file, or send {"rows": [...]}.')]})
        audits.audit_import(actor=request.user, audit=audit, content=content, filename=name)
        return Response(self.get_serializer(self.get_queryset().get(pk=audit.pk)).data)


class AuditFindingSerializer(RecordSerializer):
    """One difference a configuration audit found, and its follow-up."""

    # Described as plain text so that its open/closed choice set does not collide in the OpenAPI enums with
    # other records' identical ones (read-only: it changes through transitions).
    status = serializers.CharField(read_only=True, help_text="`open` or `closed`.")

    class Meta:
        resource = AuditFindingResource


class RegisterSerializer(serializers.Serializer):
    ci_type = id_field(required=False, help_text="When the discovered type is unknown.")
    owner = id_field(required=False)


class AuditFindingViewSet(RecordViewSet):
    """Findings of configuration audits and their follow-up: `register-ci/` (unexpected), `apply-discovered/`
    (differing), `retire-ci/` (missing); or the `close` transition with a `resolution` (e.g. `accepted`)."""

    queryset = AuditFinding.objects.select_related("audit", "ci", "owner")
    serializer_class = AuditFindingSerializer
    transition_service = staticmethod(audits.finding_transition)

    def _settle(self, request: Request, service, **kwargs) -> Response:
        finding = self.get_object()
        self._require(permissions.CHANGE, finding)
        finding = service(actor=request.user, finding=finding, **kwargs)
        return Response(self.get_serializer(finding).data)

    @extend_schema(request=RegisterSerializer, responses=AuditFindingSerializer)
    @action(detail=True, methods=["post"], url_path="register-ci")
    def register_ci(self, request: Request, pk=None) -> Response:
        """Record the unexpected CI from its discovered values (optionally naming its type and owner)."""
        payload = RegisterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = {}
        for field, model in (("ci_type", CIType), ("owner", _person_model())):
            if field in payload.validated_data:
                found = (
                    permissions.restrict(model.objects.all(), request.user)
                    .filter(pk=payload.validated_data[field])
                    .first()
                )
                if found is None:
                    raise DRFValidationError({field: [_("No such record that you can see.")]})
                data[field] = found
        return self._settle(request, audits.finding_register_ci, data=data)

    @extend_schema(request=None, responses=AuditFindingSerializer)
    @action(detail=True, methods=["post"], url_path="apply-discovered")
    def apply_discovered(self, request: Request, pk=None) -> Response:
        """Write the discovered values to the recorded CI."""
        return self._settle(request, audits.finding_apply_discovered)

    @extend_schema(request=None, responses=AuditFindingSerializer)
    @action(detail=True, methods=["post"], url_path="retire-ci")
    def retire_ci(self, request: Request, pk=None) -> Response:
        """The missing CI is really gone: retire it."""
        return self._settle(request, audits.finding_retire_ci)


def _person_model():
    from servitium.parties.models import Person

    return Person


def register(router) -> None:
    router.register("baselines", BaselineViewSet, basename="baseline")
    router.register("configuration-audits", ConfigurationAuditViewSet, basename="configurationaudit")
    router.register("audit-findings", AuditFindingViewSet, basename="auditfinding")
    router.register("master-copies", MasterCopyViewSet, basename="mastercopy")
