"""The export of one customer's records: a ZIP in open formats with a manifest, streamed.

Every record type is one JSON Lines member (one record per line, the model's field names, foreign keys as
`<name>_id`), tickets also as CSV; stored files (ticket attachments, the PDFs of service reports) are members
of their own. `manifest.json` lists every member with its size, record count and SHA-256, and the totals.

Nothing of another customer goes in: tickets, agreements, reports, communications and complaints are
selected by their customer; configuration items only when they serve this customer alone (a CI shared with
other customers is the provider's infrastructure); documents only when the customer's exit plan names them.

Streaming: the tickets are never held in memory. Each member is written straight into the ZIP through
`ZipFile.open(name, "w", force_zip64=True)`, hashed and counted as it is written; tickets are read with
`.iterator(chunk_size=...)` and their history (change log, public replies, SLA clocks, imported events,
attachments) is fetched in bulk per chunk of ticket ids, never per ticket.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from . import rows

FORMAT = "servitium-customer-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 5000  # tickets per bulk fetch of their history
FLUSH = 1 << 20  # bytes buffered before a write into the ZIP member
BLOCK = 1 << 20  # bytes per read of a stored file


def _plain(value: Any) -> Any:
    """A database value as JSON: times in ISO 8601, decimals as strings (no float rounding)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return str(value)


def _json_line(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=_plain) + "\n").encode()


@dataclass
class Member:
    """One file of the export as written: what the manifest says of it."""

    name: str
    kind: str  # jsonl, csv, file
    records: int | None = 0
    size: int = 0
    sha256: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "size": self.size,
            "records": self.records,
            "sha256": self.sha256,
        }


class _MemberWriter:
    """Writes one ZIP member in blocks, hashing and sizing what it writes."""

    def __init__(self, archive: zipfile.ZipFile, member: Member) -> None:
        self.member = member
        self.handle = archive.open(member.name, "w", force_zip64=True)
        self.digest = hashlib.sha256()
        self.buffer = bytearray()

    def write(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= FLUSH:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.digest.update(self.buffer)
            self.handle.write(self.buffer)
            self.member.size += len(self.buffer)
            self.buffer = bytearray()

    def close(self) -> None:
        self.flush()
        self.handle.close()
        self.member.sha256 = self.digest.hexdigest()


@dataclass
class ExportResult:
    members: list[Member] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {m.name: m.records for m in self.members if m.records is not None}


def columns(model: type[models.Model], exclude: Iterable[str] = ()) -> list[str]:
    """The stored columns of a model, by attribute name (`customer_id` for a foreign key), in model order."""
    skip = set(exclude)
    return [f.attname for f in model._meta.concrete_fields if f.name not in skip and f.attname not in skip]


def _batched(values: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name).strip("._") or "file"
    return cleaned[:120]


class CustomerExport:
    """Writes the export of `customer` into `target` (a path or a seekable binary file)."""

    def __init__(
        self,
        customer: models.Model,
        *,
        generated_by: str = "system",
        reference: str | None = None,
        documents: Iterable[int] = (),
        chunk: int = CHUNK,
        now: dt.datetime | None = None,
    ) -> None:
        self.customer = customer
        self.generated_by = generated_by
        self.reference = reference
        self.document_ids = sorted(set(documents))
        self.chunk = chunk
        self.now = now or timezone.now()
        self.result = ExportResult()

    # --- members ------------------------------------------------------------------------------------------
    def _open(self, archive: zipfile.ZipFile, name: str, kind: str) -> _MemberWriter:
        member = Member(name, kind, records=None if kind == "file" else 0)
        self.result.members.append(member)
        return _MemberWriter(archive, member)

    def _jsonl(self, archive: zipfile.ZipFile, name: str, lines: Iterable[bytes]) -> None:
        """A JSON Lines member from encoded lines (one record each)."""
        writer = self._open(archive, name, "jsonl")
        try:
            for line in lines:
                writer.write(line)
                writer.member.records += 1
        finally:
            writer.close()

    def _rows(
        self,
        queryset: models.QuerySet,
        names: list[str],
        rename: dict[str, str] | None = None,
        chunk: bool = False,
    ) -> Iterator[bytes]:
        """`chunk`: the history of one chunk of tickets, bounded in size: read at once (a server-side
        cursor would make the database plan for the first rows)."""
        return rows.json_lines(queryset, names, rename, server_side=not chunk)

    def _of_tickets(self, field: str, ids: list[int]) -> dict[str, Any]:
        """The filter of rows belonging to one chunk of the customer's tickets (ids ascending): the id range,
        which the history's indexes scan in order, joined to the customer's tickets in that range, so the
        query stays a few parameters long whatever the chunk size."""
        from servitium.incidents.models import Incident

        low, high = ids[0], ids[-1]
        mine = Incident.objects.filter(customer=self.customer, pk__gte=low, pk__lte=high).values("pk")
        return {f"{field}__gte": low, f"{field}__lte": high, f"{field}__in": mine}

    def _table(self, archive: zipfile.ZipFile, name: str, queryset: models.QuerySet, exclude=()) -> None:
        """A whole record type of the customer (never many rows of one customer: not streamed in chunks)."""
        names = columns(queryset.model, exclude)
        self._jsonl(archive, name, self._rows(queryset.order_by("pk"), names))

    def _file(self, archive: zipfile.ZipFile, name: str, stored: Any) -> None:
        writer = self._open(archive, name, "file")
        with stored.open("rb") as source:
            while block := source.read(BLOCK):
                writer.write(block)
        writer.close()

    # --- the customer's tickets ---------------------------------------------------------------------------
    def _tickets(self):
        from servitium.incidents.models import Incident

        return Incident.objects.filter(customer=self.customer).order_by("pk")

    def _ticket_id_chunks(self) -> Iterator[list[int]]:
        ids = self._tickets().values_list("pk", flat=True).iterator(chunk_size=self.chunk)
        return _batched(ids, self.chunk)

    TICKET_NAMES = ("service__name", "caller__name", "assignee__name", "assignment_group__name")

    def ticket_columns(self) -> list[str]:
        from servitium.incidents.models import Incident

        return [*columns(Incident), *self.TICKET_NAMES]

    @staticmethod
    def _header(name: str) -> str:
        return name.replace("__", "_")

    def _write_tickets(self, archive: zipfile.ZipFile) -> None:
        names = self.ticket_columns()
        rename = {n: self._header(n) for n in self.TICKET_NAMES}
        self._jsonl(archive, "tickets/tickets.jsonl", self._rows(self._tickets(), names, rename))
        writer = self._open(archive, "tickets/tickets.csv", "csv")
        text = io.StringIO()
        out = csv.writer(text, lineterminator="\r\n")
        try:
            for cells in rows.csv_rows(self._tickets(), names, rename):
                out.writerow(cells)
                writer.member.records += 1
                if text.tell() >= FLUSH:
                    writer.write(text.getvalue().encode())
                    text.seek(0)
                    text.truncate()
            writer.write(text.getvalue().encode())
        finally:
            writer.close()
        if writer.member.records:
            writer.member.records -= 1  # the header is no record

    def _history(self, ids: list[int]) -> Iterator[dict[str, Any]]:
        from servitium.core.models import ChangeRecord
        from servitium.incidents.models import Incident

        names = [
            "id",
            "object_id",
            "timestamp",
            "actor_name",
            "action",
            "changes",
            "message",
            "context",
            "request_id",
            "seq",
            "chain_hash",
        ]
        found = ChangeRecord.objects.filter(
            object_type=Incident.object_type(), **self._of_tickets("object_id", ids)
        )
        yield from self._rows(
            found.order_by("object_id", "id"), names, {"object_id": "ticket_id"}, chunk=True
        )

    def _comments(self, ids: list[int]) -> Iterator[dict[str, Any]]:
        from servitium.core.models import Comment

        names = ["id", "object_id", "created", "visibility", "body", "author__username", "author_name"]
        # Public replies only, as the customer sees them on the ticket: internal work notes are the
        # provider's own records and may speak of other customers.
        found = Comment.objects.filter(
            target_type=self._ticket_type,
            visibility=Comment.Visibility.PUBLIC,
            **self._of_tickets("object_id", ids),
        )
        rename = {"object_id": "ticket_id", "author__username": "author_username"}
        yield from self._rows(found.order_by("object_id", "created", "id"), names, rename, chunk=True)

    def _related(self, model: type[models.Model], ids: list[int]) -> Iterator[dict[str, Any]]:
        names = columns(model)
        rename = {"incident_id": "ticket_id"}
        found = model.objects.filter(**self._of_tickets("incident_id", ids))
        yield from self._rows(found.order_by("incident_id", "pk"), names, rename, chunk=True)

    def _attachment_rows(self, ids: list[int]):
        from servitium.core.models import Attachment

        return Attachment.objects.filter(
            target_type=self._ticket_type, **self._of_tickets("object_id", ids)
        ).order_by("object_id", "pk")

    def _attachment_path(self, attachment: Any, folder: str) -> str:
        return f"{folder}/{attachment.object_id}/{attachment.pk}-{safe_name(attachment.name)}"

    def _attachments_index(self, ids: list[int]) -> Iterator[bytes]:
        for a in self._attachment_rows(ids).only(
            "pk", "object_id", "name", "size", "content_type", "sha256", "created"
        ):
            yield _json_line(
                {
                    "id": a.pk,
                    "ticket_id": a.object_id,
                    "name": a.name,
                    "size": a.size,
                    "content_type": a.content_type,
                    "sha256": a.sha256,
                    "created": a.created,
                    "path": self._attachment_path(a, "tickets/attachments"),
                }
            )

    def _per_chunk(self, archive: zipfile.ZipFile, name: str, fetch) -> None:
        """A member of ticket history: the history of each chunk of ticket ids fetched in one query."""
        self._jsonl(archive, name, (row for ids in self._ticket_id_chunks() for row in fetch(ids)))

    def _write_ticket_history(self, archive: zipfile.ZipFile) -> None:
        from servitium.incidents.models import IncidentEvent, SlaClock

        self._per_chunk(archive, "tickets/changes.jsonl", self._history)
        self._per_chunk(archive, "tickets/comments.jsonl", self._comments)
        self._per_chunk(archive, "tickets/sla_clocks.jsonl", lambda ids: self._related(SlaClock, ids))
        self._per_chunk(archive, "tickets/events.jsonl", lambda ids: self._related(IncidentEvent, ids))
        self._per_chunk(archive, "tickets/attachments.jsonl", self._attachments_index)
        for ids in self._ticket_id_chunks():
            for attachment in self._attachment_rows(ids):
                self._file(archive, self._attachment_path(attachment, "tickets/attachments"), attachment.file)

    # --- the customer's other records ---------------------------------------------------------------------
    def _write_organization(self, archive: zipfile.ZipFile) -> None:
        from servitium.parties.models import Organization, Person

        self._table(archive, "customer/organization.jsonl", Organization.objects.filter(pk=self.customer.pk))
        self._table(archive, "customer/people.jsonl", Person.objects.filter(organization=self.customer))

    def _write_agreements(self, archive: zipfile.ZipFile) -> None:
        from servitium.agreements.models import (
            ServiceLevelAgreement,
            ServiceReview,
            ServiceTarget,
            TargetPerformance,
        )

        mine = ServiceLevelAgreement.objects.filter(customer=self.customer)
        self._table(archive, "agreements/agreements.jsonl", mine)
        self._table(archive, "agreements/targets.jsonl", ServiceTarget.objects.filter(agreement__in=mine))
        self._table(
            archive,
            "agreements/target_performance.jsonl",
            TargetPerformance.objects.filter(target__agreement__in=mine),
        )
        self._table(archive, "agreements/reviews.jsonl", ServiceReview.objects.filter(agreement__in=mine))

    def _write_reports(self, archive: zipfile.ZipFile) -> None:
        from servitium.core.models import Attachment
        from servitium.reporting.models import ServiceReport

        reports = ServiceReport.objects.filter(customer=self.customer)
        self._table(archive, "reports/service_reports.jsonl", reports, exclude=("html",))
        report_type = ContentType.objects.get_for_model(ServiceReport)
        stored = Attachment.objects.filter(target_type=report_type, object_id__in=reports.values("pk"))
        for attachment in stored.order_by("object_id", "pk"):
            self._file(archive, self._attachment_path(attachment, "reports/files"), attachment.file)

    def configuration_items(self) -> models.QuerySet:
        """The CIs that serve this customer and no other (shared infrastructure stays out)."""
        from servitium.cmdb.models import ConfigurationItem

        through = ConfigurationItem.customers.through
        mine = through.objects.filter(organization_id=self.customer.pk).values("configurationitem_id")
        shared = through.objects.exclude(organization_id=self.customer.pk).values("configurationitem_id")
        return ConfigurationItem.objects.filter(pk__in=mine).exclude(pk__in=shared)

    def _write_cis(self, archive: zipfile.ZipFile) -> None:
        self._table(archive, "cmdb/configuration_items.jsonl", self.configuration_items())

    def _write_documents(self, archive: zipfile.ZipFile) -> None:
        from servitium.documents.models import Document, DocumentVersion

        documents = Document.objects.filter(pk__in=self.document_ids)
        self._table(archive, "documents/documents.jsonl", documents)
        self._table(
            archive, "documents/versions.jsonl", DocumentVersion.objects.filter(document__in=documents)
        )

    def _write_relationship(self, archive: zipfile.ZipFile) -> None:
        from servitium.relationships.models import (
            Communication,
            Complaint,
            CustomerRelationship,
            InterestedParty,
            SurveyResponse,
        )

        for name, model in (
            ("relationship", CustomerRelationship),
            ("interested_parties", InterestedParty),
            ("communications", Communication),
            ("complaints", Complaint),
            ("survey_responses", SurveyResponse),
        ):
            self._table(archive, f"relationship/{name}.jsonl", model.objects.filter(customer=self.customer))

    # --- the whole --------------------------------------------------------------------------------------
    def write(self, target: str | Path | IO[bytes]) -> ExportResult:
        from servitium.incidents.models import Incident

        self._ticket_type = ContentType.objects.get_for_model(Incident)
        with zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True
        ) as archive:
            self._write_organization(archive)
            self._write_tickets(archive)
            self._write_ticket_history(archive)
            self._write_agreements(archive)
            self._write_reports(archive)
            self._write_cis(archive)
            self._write_documents(archive)
            self._write_relationship(archive)
            manifest = self.manifest()
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
        self.result.manifest = manifest
        return self.result

    def manifest(self) -> dict[str, Any]:
        from servitium import __version__ as version

        members = self.result.members
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "export": self.reference,
            "customer": {"id": self.customer.pk, "name": self.customer.name},
            "generated_at": self.now.isoformat(),
            "generated_by": self.generated_by,
            "software": f"servitium {version}",
            "files": [m.as_dict() for m in members],
            "totals": {
                "files": len(members),
                "records": sum(m.records or 0 for m in members),
                "bytes": sum(m.size for m in members),
            },
        }


def file_sha256(path: str | Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()
