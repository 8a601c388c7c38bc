"""Requirement catalogues shipped as versioned YAML data (see frameworks/README.md for the format).

Pure Python on purpose: the conformity engine syncs these into the database, but the parser and its
validation must run (and be tested) without Django. Every problem raises `CatalogueError` naming the file
and the identifier, so a bad edit to the data fails loudly instead of loading half a standard.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"

FRAMEWORK_KINDS = ("requirements", "scenarios", "activities")
REQUIREMENT_KINDS = ("clause", "obligation", "scenario", "section", "activity")
EVIDENCE_KINDS = ("records", "attestation", "both")
PROCESSES = (
    "sms",
    "design-transition",
    "service-level",
    "service-reporting",
    "continuity-availability",
    "budgeting-accounting",
    "capacity",
    "information-security",
    "business-relationship",
    "supplier",
    "incident",
    "service-request",
    "problem",
    "configuration",
    "change",
    "release",
    "asset",
    "catalogue",
    "demand",
    "context",
    "leadership",
    "planning",
    "support",
    "performance-evaluation",
    "improvement",
)
DEFAULT_CLAUSES_FRAMEWORK = "iso20000-1:2011"

_FRAMEWORK_KEYS = {"slug", "title", "version", "kind", "description", "requirements", "clauses_framework"}
_ENTRY_KEYS = {
    "id",
    "title",
    "summary",
    "process",
    "evidence",
    "kind",
    "children",
    "outcomes",
    "applicable_clauses",
    "clauses",
    "phases",
    "responsibility",
    "parent",
}
_CROSSWALK_KEYS = {"from", "to", "description", "pairs"}
_PAIR_KEYS = {"from", "to"}
_CLAUSE_ID = re.compile(r"^\d+(\.\d+)*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")


class CatalogueError(ValueError):
    """The catalogue data is malformed; the message names the file and the identifier."""


@dataclass(frozen=True)
class RequirementData:
    identifier: str
    title: str
    summary: str
    parent: str | None
    kind: str  # clause | obligation | scenario | section | activity
    process: str
    evidence: str  # records | attestation | both
    order: int  # document order within the framework
    maps_to: tuple[str, ...] = ()  # identifiers in the other 20000-1 edition (filled from the crosswalk)
    applicable_clauses: tuple[str, ...] = ()  # scenarios: 2011 clauses; activities: their `clauses`
    outcomes: tuple[str, ...] = ()
    phases: tuple[int, ...] = ()
    responsibility: str = ""


@dataclass(frozen=True)
class FrameworkData:
    slug: str
    title: str
    version: str
    kind: str
    description: str
    requirements: tuple[RequirementData, ...]  # flattened, document order
    clauses_framework: str = DEFAULT_CLAUSES_FRAMEWORK  # what applicable_clauses refer to
    source: str = ""
    _index: dict[str, RequirementData] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {r.identifier: r for r in self.requirements})

    def get(self, identifier: str) -> RequirementData:
        try:
            return self._index[identifier]
        except KeyError:
            raise KeyError(f"{self.slug} has no requirement {identifier!r}") from None

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._index

    def children_of(self, identifier: str | None) -> list[RequirementData]:
        return [r for r in self.requirements if r.parent == identifier]


# --- parsing ---------------------------------------------------------------------------------------------


def _fail(source: str, identifier: str | None, problem: str) -> CatalogueError:
    where = f"{source}: {identifier}" if identifier else source
    return CatalogueError(f"{where}: {problem}")


def _read(text_or_path: str | Path) -> tuple[str, str]:
    """Return (yaml text, source name); a str without a newline that names a file is read as a path."""
    if isinstance(text_or_path, Path):
        return text_or_path.read_text(encoding="utf-8"), text_or_path.name
    if "\n" not in text_or_path and text_or_path.endswith((".yaml", ".yml")) and Path(text_or_path).is_file():
        path = Path(text_or_path)
        return path.read_text(encoding="utf-8"), path.name
    return text_or_path, "<text>"


def _load_mapping(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail(source, None, f"not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise _fail(source, None, "the file must be a mapping")
    return data


def _text(value: Any, source: str, identifier: str | None, key: str, *, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail(source, identifier, f"missing {key}")
        return ""
    if not isinstance(value, str | int | float):
        raise _fail(source, identifier, f"{key} must be text")
    return str(value).strip()


def _str_list(value: Any, source: str, identifier: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise _fail(source, identifier, f"{key} must be a list of text")
    return tuple(str(v).strip() for v in value)


class _Walker:
    """Flattens the nested entries of one framework file, checking each as it goes."""

    def __init__(self, source: str, framework_kind: str) -> None:
        self.source = source
        self.framework_kind = framework_kind
        self.out: list[RequirementData] = []
        self.seen: set[str] = set()
        self.responsibility = ""  # table B.1's merged Responsibility cells carry down in document order

    def walk(self, entries: Any, parent: RequirementData | None) -> None:
        where = parent.identifier if parent else None
        if not isinstance(entries, list):
            raise _fail(self.source, where, "requirements/children must be a list")
        for raw in entries:
            self.entry(raw, parent)

    def entry(self, raw: Any, parent: RequirementData | None) -> None:
        src = self.source
        if not isinstance(raw, dict):
            raise _fail(src, parent.identifier if parent else None, "each entry must be a mapping")
        identifier = _text(raw.get("id"), src, parent.identifier if parent else None, "id")
        unknown = set(raw) - _ENTRY_KEYS
        if unknown:
            raise _fail(src, identifier, f"unknown keys {sorted(unknown)}")
        if not _ID.match(identifier):
            raise _fail(src, identifier, "identifier may hold only letters, digits, '.' and '-'")
        if identifier in self.seen:
            raise _fail(src, identifier, "duplicate identifier")
        self.seen.add(identifier)
        parent = self._parent(raw.get("parent"), parent, identifier)
        kind = raw.get("kind") or self._default_kind(identifier, parent)
        if kind not in REQUIREMENT_KINDS:
            raise _fail(src, identifier, f"unknown kind {kind!r}")
        process = raw.get("process") or (parent.process if parent else None)
        if process is None:
            raise _fail(src, identifier, "missing process (top-level entries must name one)")
        if process not in PROCESSES:
            raise _fail(src, identifier, f"unknown process slug {process!r}")
        # Not inherited: a clause's own proof and that of each obligation under it are separate questions.
        evidence = raw.get("evidence") or "records"
        if evidence not in EVIDENCE_KINDS:
            raise _fail(src, identifier, f"evidence must be one of {EVIDENCE_KINDS}, not {evidence!r}")
        phases = self._phases(raw.get("phases"), identifier)
        if "responsibility" in raw:
            self.responsibility = _text(raw["responsibility"], src, identifier, "responsibility")
        elif kind == "section":
            self.responsibility = ""
        clauses = _str_list(raw.get("applicable_clauses"), src, identifier, "applicable_clauses")
        clauses += _str_list(raw.get("clauses"), src, identifier, "clauses")
        item = RequirementData(
            identifier=identifier,
            title=_text(raw.get("title"), src, identifier, "title"),
            summary=_text(raw.get("summary"), src, identifier, "summary"),
            parent=parent.identifier if parent else None,
            kind=kind,
            process=process,
            evidence=evidence,
            order=len(self.out),
            applicable_clauses=clauses,
            outcomes=_str_list(raw.get("outcomes"), src, identifier, "outcomes"),
            phases=phases,
            responsibility=self.responsibility if kind == "activity" else "",
        )
        if kind == "activity" and "phases" not in raw:
            # an empty list is allowed: heading rows of table B.1 carry no bullets of their own
            raise _fail(src, identifier, "an activity needs phases (a subset of 1, 2, 3, or [])")
        self.out.append(item)
        if "children" in raw:
            self.walk(raw["children"], item)

    def _parent(self, named: Any, nested: RequirementData | None, identifier: str) -> RequirementData | None:
        """A flat list may name its parent (`parent: "4.1"`); it must come earlier in the file."""
        if named is None:
            return nested
        named = str(named)
        if nested is not None and named != nested.identifier:
            raise _fail(
                self.source,
                identifier,
                f"parent {named!r} contradicts its nesting under {nested.identifier!r}",
            )
        found = next((r for r in self.out if r.identifier == named), None)
        if found is None:
            raise _fail(self.source, identifier, f"unknown parent {named!r}")
        return found

    def _default_kind(self, identifier: str, parent: RequirementData | None) -> str:
        if self.framework_kind == "scenarios":
            return "scenario"
        if self.framework_kind == "activities":
            return "activity" if parent else "section"
        return "clause" if _CLAUSE_ID.match(identifier) else "obligation"

    def _phases(self, value: Any, identifier: str) -> tuple[int, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) for p in value
        ):
            raise _fail(self.source, identifier, "phases must be a list of whole numbers")
        if any(p not in (1, 2, 3) for p in value):
            raise _fail(self.source, identifier, f"phases must lie between 1 and 3, got {value}")
        if len(set(value)) != len(value):
            raise _fail(self.source, identifier, "phases repeat")
        return tuple(sorted(value))


def parse_framework(text_or_path: str | Path) -> FrameworkData:
    """Parse and check one framework file (also used to import an additional framework)."""
    text, source = _read(text_or_path)
    data = _load_mapping(text, source)
    unknown = set(data) - _FRAMEWORK_KEYS
    if unknown:
        raise _fail(source, None, f"unknown keys {sorted(unknown)}")
    slug = _text(data.get("slug"), source, None, "slug")
    kind = _text(data.get("kind"), source, None, "kind")
    if kind not in FRAMEWORK_KINDS:
        raise _fail(source, None, f"kind must be one of {FRAMEWORK_KINDS}, not {kind!r}")
    walker = _Walker(source, kind)
    walker.walk(data.get("requirements") or [], None)
    if not walker.out:
        raise _fail(source, None, "no requirements")
    return FrameworkData(
        slug=slug,
        title=_text(data.get("title"), source, None, "title"),
        version=_text(data.get("version"), source, None, "version"),
        kind=kind,
        description=_text(data.get("description"), source, None, "description", required=False),
        requirements=tuple(walker.out),
        clauses_framework=_text(
            data.get("clauses_framework"), source, None, "clauses_framework", required=False
        )
        or DEFAULT_CLAUSES_FRAMEWORK,
        source=source,
    )


@dataclass(frozen=True)
class Crosswalk:
    source: str
    from_slug: str
    to_slug: str
    pairs: tuple[tuple[str, tuple[str, ...]], ...]


def parse_crosswalk(text_or_path: str | Path) -> Crosswalk:
    text, source = _read(text_or_path)
    data = _load_mapping(text, source)
    unknown = set(data) - _CROSSWALK_KEYS
    if unknown:
        raise _fail(source, None, f"unknown keys {sorted(unknown)}")
    pairs = []
    for raw in data.get("pairs") or []:
        if not isinstance(raw, dict) or set(raw) - _PAIR_KEYS:
            raise _fail(source, None, f"each pair must be {{from: id, to: [ids]}}, got {raw!r}")
        frm = _text(raw.get("from"), source, None, "pair from")
        targets = raw.get("to")
        if isinstance(targets, str):
            targets = [targets]
        to = _str_list(targets, source, frm, "to")
        if not to:
            raise _fail(source, frm, "pair maps to nothing")
        pairs.append((frm, to))
    return Crosswalk(
        source=source,
        from_slug=_text(data.get("from"), source, None, "from"),
        to_slug=_text(data.get("to"), source, None, "to"),
        pairs=tuple(pairs),
    )


# --- loading the shipped set -----------------------------------------------------------------------------


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _apply_crosswalks(
    frameworks: dict[str, FrameworkData], crosswalks: Iterable[Crosswalk]
) -> dict[str, FrameworkData]:
    links: dict[tuple[str, str], list[str]] = {}
    for cw in crosswalks:
        for slug in (cw.from_slug, cw.to_slug):
            if slug not in frameworks:
                raise _fail(cw.source, None, f"unknown framework {slug!r}")
        left, right = frameworks[cw.from_slug], frameworks[cw.to_slug]
        for frm, targets in cw.pairs:
            if frm not in left:
                raise _fail(cw.source, frm, f"unknown identifier in {left.slug}")
            for to in targets:
                if to not in right:
                    raise _fail(cw.source, frm, f"maps to unknown identifier {to!r} in {right.slug}")
                for key, value in (((left.slug, frm), to), ((right.slug, to), frm)):
                    if value not in links.setdefault(key, []):
                        links[key].append(value)
    result = {}
    for slug, fw in frameworks.items():
        reqs = tuple(replace(r, maps_to=tuple(links.get((slug, r.identifier), ()))) for r in fw.requirements)
        result[slug] = replace(fw, requirements=reqs)
    return result


def _check_clause_references(frameworks: dict[str, FrameworkData]) -> None:
    for fw in frameworks.values():
        referenced = [r for r in fw.requirements if r.applicable_clauses]
        if not referenced:
            continue
        target = frameworks.get(fw.clauses_framework)
        if target is None:
            raise _fail(fw.source, None, f"clauses refer to unknown framework {fw.clauses_framework!r}")
        for req in referenced:
            for clause in req.applicable_clauses:
                if clause not in target:
                    raise _fail(fw.source, req.identifier, f"names unknown {target.slug} clause {clause!r}")


@functools.lru_cache(maxsize=8)
def _load(directory: str, digest: str) -> dict[str, FrameworkData]:
    # `digest` is part of the cache key only: an edited file is parsed again, an unchanged one is not.
    frameworks: dict[str, FrameworkData] = {}
    crosswalks: list[Crosswalk] = []
    for path in _files(Path(directory)):
        if path.name.startswith("crosswalk"):
            crosswalks.append(parse_crosswalk(path))
            continue
        fw = parse_framework(path)
        if fw.slug in frameworks:
            raise _fail(
                path.name, None, f"framework slug {fw.slug!r} already used by {frameworks[fw.slug].source}"
            )
        frameworks[fw.slug] = fw
    _check_clause_references(frameworks)
    return _apply_crosswalks(frameworks, crosswalks)


def load_catalogues(directory: Path | None = None) -> dict[str, FrameworkData]:
    """Parse every framework file and the crosswalks; validate; fill maps_to both ways.

    Cached per directory and content digest, so repeated calls cost one read of the files."""
    directory = (directory or FRAMEWORKS_DIR).resolve()
    return dict(_load(str(directory), catalogue_digest(directory)))


def clear_cache() -> None:
    _load.cache_clear()


def catalogue_digest(directory: Path | None = None) -> str:
    """sha256 over the file names and contents, to know when the database copy must be re-synced."""
    digest = hashlib.sha256()
    for path in _files((directory or FRAMEWORKS_DIR).resolve()):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def iter_requirement_ids(frameworks: dict[str, FrameworkData]) -> Iterator[str]:
    """Every `<slug>#<identifier>`, the form checks use to name what they evidence."""
    for fw in frameworks.values():
        for req in fw.requirements:
            yield f"{fw.slug}#{req.identifier}"
