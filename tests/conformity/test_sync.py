"""The catalogues reach the database on migrate, idempotently, with crosswalk and clause links."""

from __future__ import annotations

from pathlib import Path

from servitium.conformity import catalogue
from servitium.conformity.models import Framework, Requirement
from servitium.conformity.sync import known_requirement_keys, sync_catalogues
from servitium.core.checks import REGISTRY

MINI = Path(__file__).parent / "fixtures" / "mini"


def test_post_migrate_loaded_the_bundled_catalogues(db):
    bundled = catalogue.load_catalogues()
    stored = dict(Framework.objects.values_list("slug", "digest"))
    assert set(bundled) <= set(stored)
    assert set(stored.values()) == {catalogue.catalogue_digest()}
    for slug, data in bundled.items():
        assert Requirement.objects.filter(framework__slug=slug).count() == len(data.requirements)


def test_every_registered_check_names_a_known_requirement(db):
    known = known_requirement_keys()
    unknown = {
        (check.id, requirement)
        for check in REGISTRY.values()
        for requirement in check.requirements
        if requirement not in known
    }
    assert not unknown, f"checks name requirements missing from the catalogues: {sorted(unknown)}"


def test_sync_is_idempotent_and_skips_when_unchanged(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert sync_catalogues() == {}
    before = list(Requirement.objects.order_by("pk").values_list("pk", "identifier", "parent_id"))
    assert sync_catalogues(force=True)
    after = list(Requirement.objects.order_by("pk").values_list("pk", "identifier", "parent_id"))
    assert after == before


def test_sync_links_parents_crosswalk_and_scenario_clauses(db):
    assert sync_catalogues(MINI) == {"test:2011": 3, "test:2018": 3, "test-9:2015": 1}
    one_one = Requirement.objects.get(framework__slug="test:2011", identifier="1.1")
    assert one_one.parent.identifier == "1"
    assert [r.identifier for r in one_one.maps_to.all()] == ["8.1"]
    eight_one = Requirement.objects.get(framework__slug="test:2018", identifier="8.1")
    assert [r.identifier for r in eight_one.maps_to.all()] == ["1.1"]
    scenario = Requirement.objects.get(framework__slug="test-9:2015", identifier="S01")
    assert [r.pk for r in scenario.applicable_clauses.all()] == [one_one.pk]
    assert sync_catalogues(MINI) == {}  # unchanged digest


def test_a_requirement_leaving_the_catalogue_is_removed(db, tmp_path):
    for path in MINI.iterdir():
        (tmp_path / path.name).write_text(path.read_text())
    sync_catalogues(tmp_path)
    text = (tmp_path / "a-2011.yaml").read_text().replace('      - id: "1.2"\n', '      - id: "1.3"\n')
    crosswalk = (tmp_path / "crosswalk-test.yaml").read_text().replace('from: "1.2"', 'from: "1.3"')
    (tmp_path / "crosswalk-test.yaml").write_text(crosswalk)
    (tmp_path / "a-2011.yaml").write_text(text)
    catalogue.clear_cache()
    sync_catalogues(tmp_path)
    idents = set(Requirement.objects.filter(framework__slug="test:2011").values_list("identifier", flat=True))
    assert idents == {"1", "1.1", "1.3"}
