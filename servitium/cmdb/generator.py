"""Bulk generator of a large, realistic CMDB for benchmarks (`servitium generate-cis`).

Topology, top to bottom: services depend on applications; applications run on virtual machines or
container clusters and depend on databases and on applications of the same product (front ends on back
ends); databases run on virtual machines; VMs and clusters run on hosts; hosts depend on access switches
and storage; access switches on a few core switches; core switches come in connected pairs. A few hosts
depend on a monitoring application, which closes cycles (app -> VM -> host -> app), as real estates do.
Service CIs carry a catalogue service and customers, so impact analysis reaches services and customers.

Rows are written in batches without the per-record services, with COPY on PostgreSQL; every CI and every
relationship still gets its change-log entry (`changelog.record_many`, field values left out: the generated
rows are the evidence), written with the batch.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.core.changelog import record_many
from servitium.core.context import change_context
from servitium.core.dbstats import refresh_statistics
from servitium.core.references import format_reference, next_numbers
from servitium.core.sqlwrite import reserve_keys
from servitium.parties.models import Organization

from . import services
from .models import CIRelationship, ConfigurationItem

# share of each layer in the CIs generated
LAYERS = [
    ("service", 0.01),
    ("application", 0.16),
    ("database", 0.08),
    ("virtual machine", 0.45),
    ("container cluster", 0.02),
    ("server", 0.20),
    ("network device", 0.05),
    ("storage", 0.03),
]
ATTRIBUTES = {
    "service": {},
    "application": {"language": "java"},
    "database": {"engine": "postgresql"},
    "virtual machine": {"os": "Debian 12", "vcpus": 4, "memory_gb": 16},
    "container cluster": {"platform": "kubernetes"},
    "server": {"os": "VMware ESXi 8.0", "cpu_cores": 64, "memory_gb": 1024},
    "network device": {"role": "switch"},
    "storage": {"kind": "block", "capacity_tb": 200},
}
CORE_SWITCHES = 8
LOGGED = "generated"  # the change-log message of every generated record
PRODUCT_SIZE = 20  # applications that call each other
R, D, C, P = "runs_on", "depends_on", "connects_to", "part_of"


def _copy(model, rows: list[tuple], columns: list[str]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class Generator:
    def __init__(self, *, seed: int = 20261125) -> None:
        self.rng = random.Random(seed)
        self.types = services.ensure_default_types()
        self.catalogue = list(Service.objects.values_list("pk", flat=True))
        self.customers = list(Organization.objects.filter(kind="customer").values_list("pk", flat=True))
        # The CIs written, by id: a relationship's change-log entry names its ends without reading them back.
        self.written: dict[int, ConfigurationItem] = {}

    def _write_cis(self, layer: str, count: int, batch: int, run: str) -> list[int]:
        """Create `count` CIs of one layer; returns their ids."""
        ci_type = self.types[layer]
        written: list[int] = []
        now = timezone.now()
        for start in range(0, count, batch):
            size = min(batch, count - start)
            with transaction.atomic():
                refs = [format_reference("CI", n) for n in next_numbers("CI", size)]
                items = [
                    ConfigurationItem(
                        reference=ref,
                        name=f"{layer.replace(' ', '-')}-{run}-{start + i + 1}",
                        ci_type=ci_type,
                        status=ConfigurationItem.Status.IN_USE,
                        attributes=ATTRIBUTES[layer],
                        service_id=self.rng.choice(self.catalogue)
                        if layer == "service" and self.catalogue
                        else None,
                        created=now,
                        updated=now,
                    )
                    for i, ref in enumerate(refs)
                ]
                if connection.vendor == "postgresql":
                    ids = reserve_keys(ConfigurationItem, size)
                    fields = ConfigurationItem._meta.concrete_fields
                    for item, pk in zip(items, ids, strict=True):
                        item.pk = pk
                    _copy(
                        ConfigurationItem,
                        [
                            tuple(f.get_db_prep_value(getattr(item, f.attname), connection) for f in fields)
                            for item in items
                        ],
                        [f.column for f in fields],
                    )
                    record_many(items, message=LOGGED, with_changes=False)
                else:
                    items = core_services.record_bulk_create(
                        model=ConfigurationItem,
                        instances=items,
                        actor=None,
                        message=LOGGED,
                        validate_rows=False,  # built from the default types' own attribute values
                        with_changes=False,
                    )
                    ids = [item.pk for item in items]
                self.written.update((item.pk, item) for item in items)
                written.extend(ids)
        return written

    def _relationship(self, source: int, target: int, kind: str, now) -> CIRelationship:
        return CIRelationship(
            source=self.written[source], target=self.written[target], kind=kind, created=now, updated=now
        )

    def _edges(self, layers: dict[str, list[int]], target: int) -> set[tuple[int, int, str]]:
        rng, edges = self.rng, set()
        pick = rng.choice

        def add(source: int, kind: str, other: int) -> None:
            if source != other:
                edges.add((source, other, kind))

        apps, dbs, vms = layers["application"], layers["database"], layers["virtual machine"]
        clusters, hosts = layers["container cluster"], layers["server"]
        network, storage = layers["network device"], layers["storage"]
        core, access = network[:CORE_SWITCHES], network[CORE_SWITCHES:] or network
        for i, service in enumerate(layers["service"]):  # each service needs a handful of applications
            for app in apps[i :: len(layers["service"])][:12]:
                add(service, D, app)
        for app in apps:
            add(app, R, pick(clusters) if clusters and rng.random() < 0.2 else pick(vms))
            if rng.random() < 0.5:
                add(app, D, pick(dbs))
        for db in dbs:
            add(db, R, pick(vms))
        for vm in vms:
            add(vm, R, pick(hosts))
        for cluster in clusters:
            for host in rng.sample(hosts, min(3, len(hosts))):
                add(cluster, R, host)
        for host in hosts:
            add(host, D, pick(access))
            add(host, D, pick(storage))
            if rng.random() < 0.002:  # monitoring agents: the cycles of a real estate
                add(host, D, pick(apps))
        for switch in access:
            add(switch, D, pick(core))
        for a, b in zip(core[::2], core[1::2], strict=False):
            add(a, C, b)
        # The rest: applications calling applications of the same product (groups of PRODUCT_SIZE, and only
        # "forward", as front ends call back ends: no cycles, no endless chains), applications on more VMs,
        # VMs and databases on more storage.
        while len(edges) < target:
            roll = rng.random()
            if roll < 0.4:
                i = rng.randrange(len(apps))
                last = min(len(apps) - 1, (i // PRODUCT_SIZE + 1) * PRODUCT_SIZE - 1)
                if i < last:
                    add(apps[i], D, apps[rng.randint(i + 1, last)])
            elif roll < 0.7:
                add(pick(vms), D, pick(storage))
            elif roll < 0.9:
                add(pick(apps), R, pick(vms))
            else:
                add(pick(dbs), D, pick(storage))
        return edges

    def run(
        self,
        cis: int,
        relationships: int,
        *,
        batch: int = 5000,
        progress: Callable[[str], None] | None = None,
    ) -> tuple[int, int]:
        """Write `cis` CIs and about `relationships` relationships; returns the counts written."""
        with change_context(context="import"):  # logged as generated history, like imported data
            return self._run(cis, relationships, batch=batch, progress=progress)

    def _run(
        self, cis: int, relationships: int, *, batch: int, progress: Callable[[str], None] | None
    ) -> tuple[int, int]:
        run = format(self.rng.randrange(36**4), "x")
        layers: dict[str, list[int]] = {}
        for layer, share in LAYERS:
            layers[layer] = self._write_cis(layer, max(1, round(cis * share)), batch, run)
            if progress:
                progress(f"{layer}: {len(layers[layer])} CIs")
        edges = sorted(self._edges(layers, relationships))
        now = timezone.now()
        for start in range(0, len(edges), batch * 4):
            chunk = edges[start : start + batch * 4]
            with transaction.atomic():
                rels = [self._relationship(s, t, k, now) for s, t, k in chunk]
                if connection.vendor == "postgresql":
                    ids = reserve_keys(CIRelationship, len(chunk))
                    for rel, pk in zip(rels, ids, strict=True):
                        rel.pk = pk
                    _copy(
                        CIRelationship,
                        [(r.pk, now, now, r.source_id, r.target_id, r.kind, "") for r in rels],
                        ["id", "created", "updated", "source_id", "target_id", "kind", "description"],
                    )
                    record_many(rels, message=LOGGED, with_changes=False)
                else:
                    core_services.record_bulk_create(
                        model=CIRelationship,
                        instances=rels,
                        actor=None,
                        message=LOGGED,
                        validate_rows=False,  # no self-links, no duplicates by construction
                        with_changes=False,
                    )
            if progress:
                progress(f"relationships: {min(start + len(chunk), len(edges))}/{len(edges)}")
        if self.customers:
            through = ConfigurationItem.customers.through
            through.objects.bulk_create(
                [
                    through(configurationitem_id=service, organization_id=self.rng.choice(self.customers))
                    for service in layers["service"]
                ],
                batch_size=1000,
                ignore_conflicts=True,
            )
        refresh_statistics(ConfigurationItem, CIRelationship)
        return sum(len(v) for v in layers.values()), len(edges)
