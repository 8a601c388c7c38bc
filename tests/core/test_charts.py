"""The one chart drawer: what a reader of a chart relies on — values placed on a scale that holds them,
the target where it belongs, colours that carry the meaning, links and tooltips, every text escaped."""

import re

from servitium.core import charts


def _attrs(svg: str, tag: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m)) for m in re.findall(rf"<{tag} ([^>]*)>", svg)]


def test_line_puts_higher_values_higher_and_the_target_between():
    svg = charts.line(
        [
            charts.Point("01/26", 90.0),
            charts.Point("02/26", None),
            charts.Point("03/26", 99.0, colour=charts.BAD),
        ],
        target=95.0,
        unit=" %",
        ceiling=100.0,
        title="SLA met",
    )
    dots = _attrs(svg, "circle")
    assert len(dots) == 2  # the month without a measurement has no dot
    assert float(dots[1]["cy"]) < float(dots[0]["cy"])  # 99 is drawn above 90
    target = next(a for a in _attrs(svg, "line") if a.get("class") == "trend-target")
    assert float(dots[1]["cy"]) < float(target["y1"]) < float(dots[0]["cy"])
    assert dots[1]["fill"] == charts.BAD and "<title>SLA met</title>" in svg
    assert "100" in svg and "101" not in svg  # a share's axis stops at 100 %
    assert svg.count("<text") >= 3 + 3  # three month labels and three ticks


def test_columns_link_each_run_and_scale_to_the_fixed_maximum():
    svg = charts.columns(
        [
            charts.Column("01.12.", 50, note="A-1: half", href="/c/1/"),
            charts.Column("02.12.", 100, href="/c/2/"),
        ],
        maximum=100,
        unit=" %",
    )
    bars = _attrs(svg, "rect")
    assert float(bars[1]["height"]) == 2 * float(bars[0]["height"])
    assert svg.count('<a href="/c/') == 2 and "<title>A-1: half</title>" in svg
    assert "0 %" in svg and "100 %" in svg


def test_every_text_is_escaped():
    svg = charts.bars([charts.Bar("<script>x</script>", 3)], title='"quote"')
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="&quot;quote&quot;"' in svg
    assert charts.line([], target=1.0) == "" and charts.columns([]) == ""


def test_a_warning_level_is_drawn_amber_below_the_critical_one_and_widens_the_scale():
    svg = charts.line(
        [charts.Point("Jan", 40.0), charts.Point("Feb", 42.0)],
        target=90.0,
        target_label="critical threshold 90 %",
        warning=80.0,
        warning_label="warning threshold 80 %",
    )
    lines = {a.get("class"): a for a in _attrs(svg, "line") if a.get("class")}
    warning, critical = lines["trend-warning"], lines["trend-target"]
    assert warning["stroke"] == charts.WARN and critical["stroke"] == charts.BAD
    assert float(critical["y1"]) < float(warning["y1"])  # 90 above 80
    dots = _attrs(svg, "circle")
    assert all(float(d["cy"]) > float(warning["y1"]) for d in dots)  # both readings below the warning
    assert "warning threshold 80 %" in svg


def test_stacked_columns_pile_each_series_on_the_last_and_total_them_on_top():
    svg = charts.stacked_columns(
        ["w1", "w2"],
        [
            charts.Series("P1", [1, 0], colour=charts.BAD),
            charts.Series("P3", [1, 2], colour=charts.NEUTRAL),
        ],
        title="Backlog",
    )
    segments = [a for a in _attrs(svg, "rect") if "<" not in a.get("fill", "") and a.get("width") != "10"]
    assert [(s["fill"], float(s["height"])) for s in segments] == [
        (charts.BAD, 44.0),  # w1: P1 at the bottom, half of the tallest column (2)
        (charts.NEUTRAL, 44.0),  # w1: P3 on top of it
        (charts.NEUTRAL, 88.0),  # w2: no P1 segment at all
    ]
    assert float(segments[1]["y"]) + 44.0 == float(segments[0]["y"])
    assert "<title>w2 · P3: 2</title>" in svg and "<title>Backlog</title>" in svg
    assert svg.count(">2</text>") == 2  # each column's total on top
    assert charts.stacked_columns([], []) == ""
