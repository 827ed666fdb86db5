"""Charts as SVG drawn on the server with leather, for the page, print and the PDF.

Why leather: a small, pure-Python charting library (no numpy, nothing to load at start-up) whose SVG uses only
presentation attributes (``fill``, ``font-size``): no ``<style>`` block, no ``style=""`` and no script, so the chart
can sit inline in a page under the Content-Security-Policy ``style-src 'self'; script-src 'self'``, prints as a
vector and is read by Typst for the PDF. (pygal, the better-known choice, writes a ``<style>`` block and a
``<script>`` into every chart: both blocked by that policy.) Every chart gets a ``<title>`` and a ``<desc>`` naming
all values, ``role="img"`` and ``aria-labelledby``; the page shows the same numbers as a table beside it.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

from markupsafe import Markup

from billing.money import format_decimal

BAR_COLOR = "#1f5f8b"  # the app's accent blue: 7:1 against white, stays dark in greyscale print
TEXT_COLOR = "#222222"
GRID_COLOR = "#d0d0d0"
FONT = "DejaVu Sans, Arial, sans-serif"
_ids = itertools.count(1)


def _theme() -> None:
    """Readable defaults for leather (module-level settings it reads while drawing)."""
    import leather.theme as theme

    theme.background_color = "#ffffff"
    theme.label_color = theme.title_color = theme.axis_title_color = theme.legend_color = TEXT_COLOR
    theme.tick_color = GRID_COLOR
    theme.zero_color = "#666666"
    for name in ("title", "legend", "axis_title", "tick"):
        setattr(theme, f"{name}_font_family", FONT)
    theme.tick_font_size = 15
    theme.tick_font_char_width = 8.5


def number(value) -> str:
    """German number: whole numbers plain, others with a decimal comma."""
    if isinstance(value, Decimal):
        return format_decimal(value, max(0, -value.as_tuple().exponent))
    if isinstance(value, float):  # a median of days: whole or one place
        return str(int(value)) if value.is_integer() else f"{value:.1f}".replace(".", ",")
    return str(value)


def bar_chart(title: str, rows: list[tuple[str, object]], *, unit: str, width: int = 520) -> Markup:
    """A horizontal bar chart of ``(label, value)`` rows as inline SVG with title, description and role."""
    import leather

    _theme()
    values = [float(value) for _label, value in rows]
    whole = all(isinstance(value, int) for _label, value in rows)
    ticks = _ticks(max(values, default=0), whole=whole)
    height = 64 + 28 * max(1, len(rows))
    chart = leather.Chart()
    chart.add_x_scale(0, ticks[-1])
    chart.add_x_axis(ticks=ticks, tick_formatter=lambda value, _index, _count: number(_tick(value)), name=unit)
    chart.add_bars([(value, label) for (label, _v), value in zip(rows, values, strict=True)], fill_color=BAR_COLOR)
    svg = ET.fromstring(chart.to_svg(width=width, height=height))
    return _accessible(svg, title, _description(rows, unit), width, height)


def _tick(value: float):
    return int(value) if float(value).is_integer() else Decimal(str(round(value, 2)))


def _ticks(top: float, *, whole: bool) -> list:
    """Axis ticks from 0 with a round step (1, 2, 2.5 or 5 times a power of ten), at most six, covering ``top``;
    counts get whole steps only."""
    steps = [m * 10**e for e in range(-2, 8) for m in (1, 2, 2.5, 5)]
    if whole:
        steps = [step for step in steps if float(step).is_integer()]
    step = next(step for step in steps if step * 5 >= (top or 1))
    count = max(1, -(-top // step)) if top else 1
    return [int(i * step) if float(i * step).is_integer() else i * step for i in range(int(count) + 1)]


def _description(rows, unit: str) -> str:
    if not rows:
        return "Keine Werte."
    return "; ".join(f"{label}: {number(value)} {unit}" for label, value in rows) + "."


def _accessible(svg: ET.Element, title: str, description: str, width: int, height: int) -> Markup:
    """The chart with ``<title>``, ``<desc>``, role and viewBox, as markup for a template."""
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    number_ = next(_ids)
    title_id, desc_id = f"chart-title-{number_}", f"chart-desc-{number_}"
    svg.set("viewBox", f"0 0 {width} {height}")
    svg.set("role", "img")
    svg.set("aria-labelledby", f"{title_id} {desc_id}")
    svg.set("class", "chart")
    svg.set("preserveAspectRatio", "xMinYMin meet")
    desc = ET.Element("desc", id=desc_id)
    desc.text = description
    head = ET.Element("title", id=title_id)
    head.text = title
    svg.insert(0, desc)
    svg.insert(0, head)
    for attribute in ("width", "height", "version"):
        svg.attrib.pop(attribute, None)
    text = ET.tostring(svg, encoding="unicode").replace("ns0:", "").replace(":ns0", "")
    return Markup(text)
