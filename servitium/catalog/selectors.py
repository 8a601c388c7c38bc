"""Reads of the catalogue that need thought: the dependency graph around a service, the public catalogue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from servitium.core import permissions

from .models import Offering, OfferingOption, Service, ServiceComponent


@dataclass
class Graph:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": list(self.nodes.values()), "edges": self.edges}


def _edges_by_level(start: set[int], forward: bool, visible: set[int]) -> dict[int, int]:
    """Breadth-first over service dependencies (one query per level); returns service id -> distance."""
    through = Service.depends_on.through.objects
    src, dst = ("from_service_id", "to_service_id") if forward else ("to_service_id", "from_service_id")
    level, frontier, seen = 0, set(start), dict.fromkeys(start, 0)
    while frontier:
        level += 1
        pairs = through.filter(**{f"{src}__in": frontier}).values_list(dst, flat=True)
        frontier = {p for p in pairs if p not in seen and p in visible}
        for p in frontier:
            seen[p] = level
    return seen


def service_dependency_graph(service: Service, user: Any) -> Graph:
    """Everything the service depends on (upstream, positive levels), what depends on it (downstream,
    negative levels) and its components — limited to what `user` may see."""
    visible = set(permissions.restrict(Service.objects.all(), user).values_list("pk", flat=True))
    upstream = _edges_by_level({service.pk}, True, visible)
    downstream = _edges_by_level({service.pk}, False, visible)
    levels = {**{k: -v for k, v in downstream.items()}, **upstream}
    services = {s.pk: s for s in Service.objects.filter(pk__in=levels)}
    graph = Graph()
    for pk, level in levels.items():
        s = services[pk]
        graph.nodes[f"service:{pk}"] = {
            "id": f"service:{pk}",
            "kind": "service",
            "label": s.name,
            "status": s.status,
            "level": level,
            "url": s.get_absolute_url(),
            "focus": pk == service.pk,
        }
    ids = set(levels)
    for a, b in Service.depends_on.through.objects.filter(
        from_service_id__in=ids, to_service_id__in=ids
    ).values_list("from_service_id", "to_service_id"):
        graph.edges.append({"from": f"service:{a}", "to": f"service:{b}", "type": "depends_on"})
    components = permissions.restrict(ServiceComponent.objects.filter(service=service), user)
    for c in components.prefetch_related("depends_on_services").select_related("provided_by"):
        node_id = f"component:{c.pk}"
        graph.nodes[node_id] = {
            "id": node_id,
            "kind": "component",
            "label": c.name,
            "status": c.kind,
            "level": 1,
            "url": "",
            "focus": False,
            "provided_by": c.provided_by.name if c.provided_by else None,
        }
        graph.edges.append({"from": f"service:{service.pk}", "to": node_id, "type": "has_component"})
        for dep in c.depends_on_services.all():
            if dep.pk in visible:
                graph.nodes.setdefault(
                    f"service:{dep.pk}",
                    {
                        "id": f"service:{dep.pk}",
                        "kind": "service",
                        "label": dep.name,
                        "status": dep.status,
                        "level": 2,
                        "url": dep.get_absolute_url(),
                        "focus": False,
                    },
                )
                graph.edges.append({"from": node_id, "to": f"service:{dep.pk}", "type": "depends_on"})
    return graph


def graph_layout(graph: Graph, *, col_width: int = 210, row_height: int = 64) -> dict[str, Any]:
    """Column per level, row per node: coordinates for a plain SVG drawing of the graph."""
    columns: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for node in sorted(graph.nodes.values(), key=lambda n: (n["level"], n["kind"], n["label"])):
        columns[node["level"]].append(node)
    levels = sorted(columns)
    positions = {}
    for ci, level in enumerate(levels):
        for ri, node in enumerate(columns[level]):
            positions[node["id"]] = {**node, "x": 10 + ci * col_width, "y": 10 + ri * row_height}
    lines = []
    for edge in graph.edges:
        a, b = positions.get(edge["from"]), positions.get(edge["to"])
        if a and b:
            lines.append(
                {"x1": a["x"] + 180, "y1": a["y"] + 22, "x2": b["x"], "y2": b["y"] + 22, "type": edge["type"]}
            )
    height = 20 + row_height * max((len(c) for c in columns.values()), default=1)
    return {
        "nodes": list(positions.values()),
        "lines": lines,
        "width": 20 + col_width * len(levels),
        "height": height,
    }


def public_catalogue(user: Any):
    """Offerings this user may see, with their options, grouped by service for the catalogue page."""
    options = Prefetch("options", queryset=OfferingOption.objects.order_by("kind", "sort_order", "name"))
    offerings = (
        permissions.restrict(Offering.objects.all(), user)
        .filter(status=Offering.Status.AVAILABLE)
        .select_related("service")
        .prefetch_related(options)
        .order_by("service__name", "name")
    )
    grouped: dict[Service, list[Offering]] = {}
    for offering in offerings:
        grouped.setdefault(offering.service, []).append(offering)
    return grouped
