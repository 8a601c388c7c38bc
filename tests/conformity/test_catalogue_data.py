"""The shipped requirement catalogues: they parse, hang together and match the seed documents.

Plain pytest, no database. Where the seed documents are on disk (`../shared/seeds` next to the repo), the
scenario table of ISO/IEC 20000-9 and table B.1 of ISO/IEC TR 20000-5 are parsed and compared with the
data row by row; hand-written expectations below keep CI without the seeds honest too.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from servitium.conformity.catalogue import (
    FRAMEWORKS_DIR,
    CatalogueError,
    catalogue_digest,
    load_catalogues,
    parse_framework,
)

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
SCENARIO_SEED = SEEDS / "000_b13368852d706ddb.txt"
B1_SEED = SEEDS / "003_4ca52e2badf9b7b1.txt"

Y2011, Y2018, SCEN, B1 = "iso20000-1:2011", "iso20000-1:2018", "iso20000-9:2015", "iso20000-5:2010"

# Written by hand from the seed's scenario table ("Applicable clauses in ISO/IEC 20000-1"), in its order.
EXPECTED_SCENARIO_CLAUSES = {
    "S01": ["4.1", "7.1"],
    "S02": ["4.1", "4.3", "4.4", "4.5.1", "4.5.2", "5.2", "6.4", "6.6", "7.1"],
    "S03": ["4.3", "6.1", "7.1"],
    "S04": ["4", "5.2", "5.3", "6.1", "7.1", "7.2", "9.1", "9.2"],
    "S05": ["5.1", "5.3", "5.4", "6.1", "6.3", "6.5", "6.6", "7.1", "7.2", "9.1", "9.2", "9.3"],
    "S06": ["6.1", "7.1"],
    "S07": ["6.1", "7.1", "9.2"],
    "S08": ["4.3", "6.1", "6.3", "6.4", "6.5", "6.6", "7.1", "7.2", "8.1", "8.2", "9.1", "9.2", "9.3"],
    "S09": [
        "4.2", "4.3", "4.4", "4.5.3", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "7.1", "7.2", "8.1", "8.2",
        "9.1", "9.2", "9.3",
    ],
    "S10": ["4.3", "4.5.4", "4.5.5", "6.1", "6.2", "6.3", "6.5", "6.6", "8.2", "9.1", "9.2", "9.3"],
    "S11": ["4.2", "4.3", "4.4", "4.1.1", "4.5.5.2", "6.4", "6.5", "8.1", "9.1", "9.2", "9.3"],
    "S12": ["4.1.2", "4.2", "4.3", "4.4.1", "4.5.4", "4.5.5", "5", "6.2"],
    "S13": ["4.3", "4.4", "5", "6.1", "6.4", "6.5", "6.6", "7.1", "7.2", "9.1", "9.2", "9.3"],
    "S14": ["4.3", "4.4", "5.1", "5.2", "5.3", "5.4", "6.1", "6.3", "6.4", "6.5", "6.6", "9.1", "9.2", "9.3"],
    "S15": ["4.3", "4.4", "5.1", "5.2", "5.3", "5.4", "6.1", "6.3", "6.4", "6.5", "6.6", "9.1", "9.2", "9.3"],
}  # fmt: skip

B1_ACTIVITY_COUNT = 294
B1_SECTION_COUNT = 20
# (identifier, phases, responsibility) read by hand from table B.1, covering carried-down responsibilities.
B1_SPOT_CHECKS = [
    ("B.1.management-responsibility.a", (1, 2, 3), "Top management"),
    ("B.1.management-responsibility.b", (), "Top management"),
    ("B.1.management-responsibility.h.4", (3,), "Audit"),
    ("B.1.management-responsibility.h.5", (1, 2, 3), "Configuration management"),
    ("B.1.management-responsibility.j.3", (2,), "Implementation board"),
    ("B.1.document-and-record-management.c.9", (1,), "Project (or team member)"),
    ("B.1.plan-the-sms-and-the-service.c.11", (3,), "Project (or team member) Documentation management"),
    ("B.1.plan-the-sms-and-the-service.i.7", (2, 3), "Project (or team member) Service owner"),
    ("B.1.improvement-programme.g.8", (3,), "Service improvement management Process owners"),
    ("B.1.new-or-changed-services.d.12", (3,), "New service project team"),
    ("B.1.budgeting-and-accounting-for-services.b.2", (3,), "Project (or team member)"),
    ("B.1.information-security-management.c", (1, 2), "Project (or team member)"),
    ("B.1.incident-management.j", (3,), "Project (or team member) Incident management"),
    ("B.1.configuration-management.i", (1,), "Project (or team member)"),
    ("B.1.change-management.q", (3,), "Change management"),
    ("B.1.release-management.n", (2, 3), "Release management"),
]

REQUIRED_IDS = {
    Y2011: ["4.2", "6.1", "6.6.3", "7.1", "7.2", "8.1", "8.2", "9.1", "9.2", "9.3"],
    Y2018: [
        "8.2.3", "8.2.4", "8.2.5", "8.2.6", "8.3.2", "8.3.3", "8.3.4", "8.5.1", "8.5.1.2", "8.5.3", "8.6.1",
        "8.6.2", "8.6.3", "8.7.3.3",
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def catalogues():
    return load_catalogues()


# --- seed readers (only used when the seeds are on disk) --------------------------------------------------


def seed_scenarios() -> dict[str, list[str]]:
    """Scenario id -> 2011 clause numbers, in the seed's order; the seed writes S10 as 'S010'."""
    result: dict[str, list[str]] = {}
    current = None
    for line in SCENARIO_SEED.read_text(encoding="utf-8").splitlines():
        head = re.match(r"^S0*(\d+)\b", line)
        if head:
            current = f"S{int(head.group(1)):02d}"
        elif line.startswith("Applicable") and current:
            result[current] = re.findall(r"Clause\s+(\d+(?:\.\d+)*)", line)
    return result


def seed_b1_rows() -> list[dict]:
    """Every row of table B.1: section slug, letter/number path, bulleted phases, stated responsibility."""
    lines = B1_SEED.read_text(encoding="utf-8").splitlines()
    start = max(i for i, text in enumerate(lines) if "Table B.1" in text and "three phases" in text)
    rows, section, letter = [], None, None
    for line in lines[start + 1 :]:
        cells = line.split("\t")
        first = re.sub(r"</?b>|\*\*", "", cells[0]).strip()
        if not first or first == "Activity":
            continue
        match = re.match(r"^([a-z]|\d+)\)\s", first)
        if not match:
            section = re.sub(r"[^a-z0-9]+", "-", re.sub(r"\(.*?\)", "", first.lower())).strip("-")
            continue
        key = match.group(1)
        letter = key if key.isalpha() else letter
        rows.append(
            {
                "id": f"B.1.{section}.{key if key.isalpha() else f'{letter}.{key}'}",
                "phases": tuple(i for i in (1, 2, 3) if i < len(cells) and "•" in cells[i]),
                "responsibility": cells[4].strip() if len(cells) > 4 else "",
            }
        )
    return rows


def needs_seed(path: Path):
    if not path.exists():
        pytest.skip(f"seed document {path.name} is not available here")


# --- the files parse and hang together --------------------------------------------------------------------


def test_every_framework_file_parses(catalogues):
    assert set(catalogues) == {Y2011, Y2018, SCEN, B1}
    for path in FRAMEWORKS_DIR.glob("iso*.yaml"):
        fw = parse_framework(path)
        assert fw.requirements, path.name


def test_identifiers_unique_and_parents_exist(catalogues):
    for fw in catalogues.values():
        ids = [r.identifier for r in fw.requirements]
        assert len(ids) == len(set(ids)), fw.slug
        for req in fw.requirements:
            assert req.parent is None or req.parent in fw, (fw.slug, req.identifier)
            assert req.title and req.summary, (fw.slug, req.identifier)
        assert [r.order for r in fw.requirements] == list(range(len(ids)))


def test_obligations_sit_under_their_clause(catalogues):
    for slug in (Y2011, Y2018):
        for req in catalogues[slug].requirements:
            if req.parent:
                assert req.identifier.startswith(req.parent + "."), (slug, req.identifier)


def test_volumes(catalogues):
    assert 250 <= len(catalogues[Y2011].requirements) <= 420
    assert 200 <= len(catalogues[Y2018].requirements) <= 400
    top_2011 = [r.identifier for r in catalogues[Y2011].requirements if r.parent is None]
    top_2018 = [r.identifier for r in catalogues[Y2018].requirements if r.parent is None]
    assert top_2011 == ["4", "5", "6", "7", "8", "9"]
    assert top_2018 == ["4", "5", "6", "7", "8", "9", "10"]


def test_nested_2011_obligations_follow_the_scheme(catalogues):
    fw = catalogues[Y2011]
    assert [r.identifier for r in fw.children_of("6.2") if re.match(r"^6\.2\.[a-z]$", r.identifier)] == [
        "6.2.a", "6.2.b", "6.2.c", "6.2.d", "6.2.e", "6.2.f",
    ]  # fmt: skip
    assert [r.identifier for r in fw.children_of("6.4.a")] == [f"6.4.a.{n}" for n in range(1, 8)]
    assert {f"7.2.{c}" for c in "abcdefghijkl"} <= {r.identifier for r in fw.children_of("7.2")}
    assert fw.get("6.6.3.s1").process == "incident"  # an explicit process beats the inherited one
    assert fw.get("6.6.3.s2").process == "information-security"  # inherited from 6.6


def test_required_identifiers_exist(catalogues):
    for slug, ids in REQUIRED_IDS.items():
        for identifier in ids:
            assert identifier in catalogues[slug], f"{slug}#{identifier}"


def test_every_requirement_named_by_a_check_exists(catalogues):
    pattern = re.compile(r"\"(iso20000-[0-9]+:[0-9]{4})#([^\"]+)\"")
    named = {
        m.groups() for path in (REPO / "servitium").rglob("*.py") for m in pattern.finditer(path.read_text())
    }
    assert named, "expected the checks to name some requirements"
    missing = sorted(f"{slug}#{ident}" for slug, ident in named if ident not in catalogues.get(slug, ()))
    assert missing == []


# --- crosswalk ------------------------------------------------------------------------------------------


def test_crosswalk_is_filled_both_ways(catalogues):
    data = yaml.safe_load((FRAMEWORKS_DIR / "crosswalk-iso20000-1-2011-2018.yaml").read_text())
    old, new = catalogues[Y2011], catalogues[Y2018]
    for pair in data["pairs"]:
        for target in pair["to"]:
            assert target in old.get(pair["from"]).maps_to
            assert pair["from"] in new.get(target).maps_to


def test_crosswalk_known_correspondences(catalogues):
    old, new = catalogues[Y2011], catalogues[Y2018]
    assert set(old.get("8.1").maps_to) == {"8.6.1", "8.6.2"}
    assert set(old.get("6.1").maps_to) >= {"8.2.4", "8.3.3"}
    assert old.get("6.6.3").maps_to == ("8.7.3.3",)
    assert "9.2" in new.get("8.5.1").maps_to
    assert "4.2" in new.get("8.2.3").maps_to


def test_crosswalk_covers_every_clause_with_a_counterpart(catalogues):
    unmapped_2011 = [
        r.identifier for r in catalogues[Y2011].requirements if r.kind == "clause" and not r.maps_to
    ]
    unmapped_2018 = [
        r.identifier for r in catalogues[Y2018].requirements if r.kind == "clause" and not r.maps_to
    ]
    assert unmapped_2011 == []
    assert unmapped_2018 == ["4.1", "4.2", "7.6"]  # new in 2018: context, interested parties, knowledge


# --- ISO/IEC 20000-9 scenarios ------------------------------------------------------------------------------


def test_scenarios_match_the_hand_written_table(catalogues):
    fw = catalogues[SCEN]
    assert [r.identifier for r in fw.requirements] == list(EXPECTED_SCENARIO_CLAUSES)
    for ident, clauses in EXPECTED_SCENARIO_CLAUSES.items():
        req = fw.get(ident)
        assert list(req.applicable_clauses) == clauses, ident
        assert req.kind == "scenario" and req.outcomes, ident
        for clause in clauses:
            assert clause in catalogues[Y2011], (ident, clause)


def test_scenarios_match_the_seed_table(catalogues):
    needs_seed(SCENARIO_SEED)
    seed = seed_scenarios()
    assert list(seed) == list(EXPECTED_SCENARIO_CLAUSES)
    for ident, clauses in seed.items():
        assert list(catalogues[SCEN].get(ident).applicable_clauses) == clauses, ident


# --- ISO/IEC TR 20000-5 table B.1 --------------------------------------------------------------------------


def test_b1_counts_and_spot_checks(catalogues):
    fw = catalogues[B1]
    activities = [r for r in fw.requirements if r.kind == "activity"]
    sections = [r for r in fw.requirements if r.kind == "section"]
    assert len(activities) == B1_ACTIVITY_COUNT
    assert len(sections) == B1_SECTION_COUNT
    assert sections[-1].identifier == "B.1.release-management"
    for ident, phases, responsibility in B1_SPOT_CHECKS:
        req = fw.get(ident)
        assert (req.phases, req.responsibility) == (phases, responsibility), ident
    for req in activities:
        assert req.responsibility, req.identifier
        assert req.applicable_clauses, req.identifier
        for clause in req.applicable_clauses:
            assert clause in catalogues[Y2011], (req.identifier, clause)


def test_b1_matches_the_seed_table(catalogues):
    needs_seed(B1_SEED)
    rows = seed_b1_rows()
    fw = catalogues[B1]
    assert len(rows) == B1_ACTIVITY_COUNT
    assert [r["id"] for r in rows] == [r.identifier for r in fw.requirements if r.kind == "activity"]
    carried, previous_section = "", None
    for row in rows:
        req = fw.get(row["id"])
        section = row["id"].split(".")[2]  # B.1.<section>.<path>; merged cells never cross sections
        if section != previous_section:
            carried, previous_section = "", section
        carried = row["responsibility"] or carried
        assert req.phases == row["phases"], row["id"]
        assert req.responsibility == carried, row["id"]


# --- parser errors ------------------------------------------------------------------------------------------

MINIMAL = """
slug: "demo:1"
title: Demo
version: "1"
kind: {kind}
requirements:
{body}
"""


def framework_text(body: str, kind: str = "requirements") -> str:
    return MINIMAL.format(kind=kind, body=body)


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (
            '  - {id: "1", title: A, summary: a, process: sms}\n'
            '  - {id: "1", title: B, summary: b, process: sms}',
            "requirements",
            "1: duplicate identifier",
        ),
        (
            '  - {id: "1", title: A, summary: a, process: sms}\n'
            '  - {id: "2.1", parent: "2", title: B, summary: b, process: sms}',
            "requirements",
            "2.1: unknown parent '2'",
        ),
        (
            '  - {id: "S", title: A, summary: a, process: sms, children: '
            '[{id: "S.a", title: B, summary: b, phases: [1, 4]}]}',
            "activities",
            "S.a: phases must lie between 1 and 3",
        ),
        (
            '  - {id: "1", title: A, summary: a, process: nowhere}',
            "requirements",
            "unknown process slug 'nowhere'",
        ),
        ('  - {id: "1", title: A, process: sms}', "requirements", "1: missing summary"),
        (
            '  - {id: "1", title: A, summary: a, process: sms, colour: red}',
            "requirements",
            "unknown keys ['colour']",
        ),
        (
            '  - {id: "S", title: A, summary: a, process: sms, children: '
            '[{id: "S.a", title: B, summary: b}]}',
            "activities",
            "S.a: an activity needs phases",
        ),
    ],
)
def test_parser_rejects_bad_data(body, kind, message):
    with pytest.raises(CatalogueError) as error:
        parse_framework(framework_text(body, kind))
    assert message in str(error.value)
    assert str(error.value).startswith("<text>")


def test_parser_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(framework_text('  - {id: "1", title: A, summary: a, process: sms, evidence: rumour}'))
    with pytest.raises(CatalogueError, match=r"^broken\.yaml: 1: evidence must be one of"):
        parse_framework(path)


def copy_frameworks(tmp_path: Path) -> Path:
    target = tmp_path / "frameworks"
    shutil.copytree(FRAMEWORKS_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def test_crosswalk_with_unknown_identifier_is_rejected(tmp_path):
    directory = copy_frameworks(tmp_path)
    crosswalk = directory / "crosswalk-iso20000-1-2011-2018.yaml"
    crosswalk.write_text(crosswalk.read_text() + '  - {from: "6.1", to: ["8.99"]}\n')
    with pytest.raises(CatalogueError, match=r"crosswalk-iso20000-1-2011-2018\.yaml: 6\.1: .*'8\.99'"):
        load_catalogues(directory)


def test_scenario_naming_an_unknown_clause_is_rejected(tmp_path):
    directory = copy_frameworks(tmp_path)
    scenarios = directory / "iso20000-9-2015.yaml"
    scenarios.write_text(
        scenarios.read_text().replace(
            'applicable_clauses: ["4.1", "7.1"]', 'applicable_clauses: ["4.1", "7.9"]'
        )
    )
    with pytest.raises(
        CatalogueError, match=r"iso20000-9-2015\.yaml: S01: names unknown iso20000-1:2011 clause '7\.9'"
    ):
        load_catalogues(directory)


def test_digest_follows_the_content(tmp_path):
    directory = copy_frameworks(tmp_path)
    before = catalogue_digest(directory)
    assert before == catalogue_digest(directory)
    assert len(before) == 64
    scenarios = directory / "iso20000-9-2015.yaml"
    scenarios.write_text(scenarios.read_text() + "\n# touched\n")
    assert catalogue_digest(directory) != before


def test_loading_is_cached():
    assert load_catalogues()[Y2011] is load_catalogues()[Y2011]
