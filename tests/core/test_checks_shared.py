"""Within one run of every check, a figure several checks read is worked out once (core.checks.shared)."""

from __future__ import annotations

from servitium.core.checks import one_run, shared


def test_a_shared_figure_is_computed_once_per_run_and_afresh_outside_one():
    calls = []

    def year_of_costs():
        calls.append(1)
        return {"total": len(calls)}

    with one_run():
        first = shared(("costs", 2026), year_of_costs)
        assert shared(("costs", 2026), year_of_costs) is first and len(calls) == 1
        shared(("costs", 2025), year_of_costs)  # another key is another figure
        assert len(calls) == 2
    with one_run():  # the next run sees the records as they are then
        assert shared(("costs", 2026), year_of_costs) == {"total": 3}
    shared(("costs", 2026), year_of_costs)
    shared(("costs", 2026), year_of_costs)
    assert len(calls) == 5  # a check run on its own computes its figures itself
