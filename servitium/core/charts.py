"""Small charts drawn on the server as SVG, the one chart drawer of the product: the same markup shows in
the browser (no script, no inline style under the CSP: presentation attributes only) and in the PDFs
WeasyPrint renders. Bars for comparisons, columns for counts or shares over time (stacked when a count
splits into kinds), a line with its target for an indicator's trend. Every text is escaped; every chart
carries a title for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

GOOD, BAD, WARN, NEUTRAL, GREY = "#2e7d32", "#c62828", "#e65100", "#1565c0", "#9e9e9e"
INK, MUTED = "#212529", "#495057"
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="11"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing measured (drawn as an empty row, "—")
    text: str = ""  # what is written after the bar (default: the value)
    colour: str = NEUTRAL


def bars(
    rows: Sequence[Bar],
    *,
    maximum: float | None = None,
    title: str = "",
    width: int = 560,
    label_width: int = 190,
) -> SafeString:
    """Horizontal bars, one row each, labelled on the left and valued on the right (short labels may take
    a narrower `label_width`, leaving the bars more room in a small chart)."""
    if not rows:
        return mark_safe("")
    top = maximum or max((r.value or 0 for r in rows), default=0) or 1
    label_w, value_w, row_h = label_width, 70, 20
    bar_w = width - label_w - value_w
    height = row_h * len(rows) + 8
    parts = [_open(width, height, title, "pack-chart")]
    for i, row in enumerate(rows):
        y = 4 + i * row_h
        label = row.label if len(row.label) <= 30 else row.label[:29] + "…"
        parts.append(f'<text x="0" y="{y + 14}" {FONT} fill="{INK}">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="13" fill="#eeeeee"/>')
        if row.value is not None:
            length = max(0.0, min(1.0, row.value / top)) * bar_w
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="13" fill="{row.colour}"/>'
            )
        text = row.text or ("—" if row.value is None else f"{row.value:g}")
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" {FONT} fill="{INK}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


@dataclass(frozen=True)
class Column:
    label: str  # under the column (a month, a run's date)
    value: float | None  # None: nothing measured (no column)
    colour: str = NEUTRAL
    note: str = ""  # the tooltip (default: label and value)
    href: str = ""  # where a click on the column leads


def columns(
    points: Sequence[Column | tuple[str, float | None]],
    *,
    maximum: float | None = None,
    title: str = "",
    width: int = 560,
    unit: str = "",
    css_class: str = "pack-chart",
) -> SafeString:
    """Vertical columns over time (months, assessment runs), labelled underneath, valued on top; with a
    `maximum` (100 for shares) the scale is fixed and a y axis shows it."""
    if not points:
        return mark_safe("")
    cols = [p if isinstance(p, Column) else Column(p[0], p[1]) for p in points]
    top = maximum or max((c.value or 0 for c in cols), default=0) or 1
    left = 40 if maximum else 0  # room for "100 %"
    height, base, gap = 130, 104, 4
    col_w = min(60.0, max(8.0, (width - left - gap * len(cols)) / len(cols)))
    parts = [_open(width, height, title, css_class)]
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" stroke="{GREY}" stroke-width="1"/>')
    if maximum:
        for share in (1.0, 0.5, 0.0):
            y = base - share * (base - 16)
            parts.append(
                f'<text x="{left - 4}" y="{y + 4:.1f}" {FONT} text-anchor="end" fill="{MUTED}">'
                f"{escape(f'{top * share:g}{unit}')}</text>"
            )
    for i, col in enumerate(cols):
        x = left + i * (col_w + gap)
        shape = []
        if col.value is not None:
            h = max(1.0, max(0.0, min(1.0, col.value / top)) * (base - 16))
            note = col.note or f"{col.label}: {col.value:g}{unit}"
            shape.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                f'fill="{col.colour}"><title>{escape(note)}</title></rect>'
            )
            shape.append(
                f'<text x="{x + col_w / 2:.1f}" y="{base - h - 3:.1f}" {FONT} text-anchor="middle" '
                f'fill="{INK}">{escape(f"{col.value:g}")}</text>'
            )
        shape.append(
            f'<text x="{x + col_w / 2:.1f}" y="{base + 16}" {FONT} text-anchor="middle" '
            f'fill="{MUTED}">{escape(col.label)}</text>'
        )
        if col.href:
            shape = [f'<a href="{escape(col.href)}">', *shape, "</a>"]
        parts.extend(shape)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


@dataclass(frozen=True)
class Series:
    """One layer of stacked columns: its name (in the legend), colour and a value per column."""

    label: str
    values: Sequence[float]
    colour: str = NEUTRAL


def stacked_columns(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    width: int = 560,
    css_class: str = "trend-chart",
) -> SafeString:
    """Columns made of layers (e.g. open tickets per week, split by priority): the first series at the
    bottom, the total on top, a legend underneath; each layer's tooltip names it and its value."""
    if not labels or not series:
        return mark_safe("")
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    base, gap = 104, 4
    legend_y = base + 34
    height = legend_y + 8
    col_w = min(60.0, max(8.0, (width - gap * len(labels)) / len(labels)))
    parts = [_open(width, height, title, css_class)]
    parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="{GREY}" stroke-width="1"/>')
    for i, label in enumerate(labels):
        x = i * (col_w + gap)
        y = float(base)
        for layer in series:
            value = layer.values[i] or 0
            if value <= 0:
                continue
            h = value / top * (base - 16)
            y -= h
            note = f"{label} · {layer.label}: {value:g}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" fill="{layer.colour}">'
                f"<title>{escape(note)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + col_w / 2:.1f}" y="{y - 3:.1f}" {FONT} text-anchor="middle" fill="{INK}">'
            f"{escape(f'{totals[i]:g}')}</text>"
        )
        parts.append(
            f'<text x="{x + col_w / 2:.1f}" y="{base + 16}" {FONT} text-anchor="middle" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    step = max(60, width // max(len(series), 1))
    for j, layer in enumerate(series):
        lx = j * step
        parts.append(f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" fill="{layer.colour}"/>')
        parts.append(
            f'<text x="{lx + 14}" y="{legend_y}" {FONT} fill="{INK}">{escape(layer.label[:14])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


@dataclass(frozen=True)
class Point:
    label: str  # under the point (a month)
    value: float | None  # None: not measured that month (a gap in the dots, the line skips it)
    colour: str = GOOD
    note: str = ""  # the tooltip


def line(
    points: Sequence[Point],
    *,
    target: float | None = None,
    target_label: str = "",
    title: str = "",
    unit: str = "",
    ceiling: float | None = None,
    step: int = 36,
    css_class: str = "trend-chart",
    warning: float | None = None,
    warning_label: str = "",
) -> SafeString:
    """An indicator over time: dots joined by a line, the target as a dashed red line (and a warning level
    as a dashed amber one), a y axis scaled to the values and those lines with some room around them (never
    above `ceiling`, e.g. 100 for a share, and from 0 when nothing is negative)."""
    if not points:
        return mark_safe("")
    values = [p.value for p in points if p.value is not None]
    scale = [*values, *(t for t in (target, warning) if t is not None)] or [0.0]
    lo, hi = min(scale), max(scale)
    pad = (hi - lo) * 0.15 or max(abs(hi) * 0.1, 1.0)
    low, high = lo - pad, hi + pad
    if ceiling is not None and hi <= ceiling < high:
        high = ceiling
    if low < 0 <= lo:
        low = 0.0
    plot_h, left, bottom = 100, 44, 24
    plot_w = len(points) * step
    width, height = left + plot_w + 40, plot_h + bottom + 8

    def y(value: float) -> float:
        return round(8 + plot_h - (value - low) / (high - low) * plot_h, 1)

    parts = [_open(width, height, title, css_class)]
    for tick in (high, (high + low) / 2, low):
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 3}" {FONT} text-anchor="end" fill="{MUTED}">'
            f"{escape(_short(tick))}</text>"
        )
    axis_y = 8 + plot_h
    axis = f'stroke="{GREY}" stroke-width="1"'
    parts.append(f'<line x1="{left - 2}" y1="8" x2="{left - 2}" y2="{axis_y}" {axis}/>')
    parts.append(f'<line x1="{left - 2}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" {axis}/>')
    levels = [(warning, warning_label, WARN, "trend-warning"), (target, target_label, BAD, "trend-target")]
    for level, label, colour, css in levels:
        if level is None:
            continue
        ty = y(level)
        label = label or f"target {_short(level)}{unit}"
        parts.append(
            f'<line class="{css}" x1="{left}" y1="{ty}" x2="{left + plot_w}" y2="{ty}" stroke="{colour}" '
            f'stroke-width="1" stroke-dasharray="4 3"><title>{escape(label)}</title></line>'
        )
        shown = escape(_short(level))
        parts.append(f'<text x="{left + plot_w + 3}" y="{ty + 3}" {FONT} fill="{colour}">{shown}</text>')
    xs = [left + i * step + step // 2 for i in range(len(points))]
    joined = " ".join(f"{x},{y(p.value)}" for x, p in zip(xs, points, strict=True) if p.value is not None)
    if joined:
        parts.append(f'<polyline points="{joined}" fill="none" stroke="{NEUTRAL}" stroke-width="1.5"/>')
    for x, p in zip(xs, points, strict=True):
        if p.value is not None:
            note = p.note or f"{p.label}: {_short(p.value)}{unit}"
            parts.append(
                f'<circle cx="{x}" cy="{y(p.value)}" r="3.5" fill="{p.colour}">'
                f"<title>{escape(note)}</title></circle>"
            )
        parts.append(
            f'<text x="{x}" y="{axis_y + 16}" {FONT} text-anchor="middle" fill="{MUTED}">'
            f"{escape(p.label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


def _open(width: int, height: int, title: str, css_class: str) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'
    )
    return head + (f"<title>{escape(title)}</title>" if title else "")


def _short(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def share_colour(share: float | None, good_at: float = 0.95) -> str:
    if share is None:
        return GREY
    return GOOD if share >= good_at else BAD
