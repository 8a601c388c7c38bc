"""Small charts drawn on the server as SVG: the same markup shows in the browser (no script, no inline
style under the CSP: presentation attributes only) and in the PDF WeasyPrint renders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

GOOD, BAD, NEUTRAL, GREY = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e"
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="11"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing measured (drawn as an empty row, "—")
    text: str = ""  # what is written after the bar (default: the value)
    colour: str = NEUTRAL


def bars(
    rows: Sequence[Bar], *, maximum: float | None = None, title: str = "", width: int = 560
) -> SafeString:
    """Horizontal bars, one row each, labelled on the left and valued on the right."""
    if not rows:
        return mark_safe("")
    top = maximum or max((r.value or 0 for r in rows), default=0) or 1
    label_w, value_w, row_h = 190, 70, 20
    bar_w = width - label_w - value_w
    height = row_h * len(rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pack-chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for i, row in enumerate(rows):
        y = 4 + i * row_h
        label = row.label if len(row.label) <= 30 else row.label[:29] + "…"
        parts.append(f'<text x="0" y="{y + 14}" {FONT} fill="#212529">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="13" fill="#eeeeee"/>')
        if row.value is not None:
            length = max(0.0, min(1.0, row.value / top)) * bar_w
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="13" fill="{row.colour}"/>'
            )
        text = row.text or ("—" if row.value is None else f"{row.value:g}")
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" {FONT} fill="#212529">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


def columns(
    points: Sequence[tuple[str, float | None]],
    *,
    maximum: float | None = None,
    title: str = "",
    width: int = 560,
) -> SafeString:
    """Vertical columns over time (months, assessments), labelled underneath; for trends."""
    if not points:
        return mark_safe("")
    top = maximum or max((v or 0 for _label, v in points), default=0) or 1
    height, base, gap = 130, 104, 4
    col_w = min(60.0, max(8.0, (width - gap * len(points)) / len(points)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pack-chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="{GREY}" stroke-width="1"/>')
    for i, (label, value) in enumerate(points):
        x = i * (col_w + gap)
        if value is not None:
            h = max(0.0, min(1.0, value / top)) * (base - 16)
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                f'fill="{NEUTRAL}"/>'
            )
            parts.append(
                f'<text x="{x + col_w / 2:.1f}" y="{base - h - 3:.1f}" {FONT} text-anchor="middle" '
                f'fill="#212529">{escape(f"{value:g}")}</text>'
            )
        parts.append(
            f'<text x="{x + col_w / 2:.1f}" y="{base + 16}" {FONT} text-anchor="middle" '
            f'fill="#495057">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


def share_colour(share: float | None, good_at: float = 0.95) -> str:
    if share is None:
        return GREY
    return GOOD if share >= good_at else BAD
