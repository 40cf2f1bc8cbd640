"""The legend: one Leaflet control gathering every layer's legend section."""

from __future__ import annotations

from collections.abc import Sequence

from layers.base import HTML, LegendSection
from layers.control import HtmlControl

__all__ = ["Legend", "legend_html", "sections_html"]

# With a title, the sections are wrapped in a collapsible block; without, they stand alone.
_LEGEND = HTML.from_string(
    """{% if title is not none %}<details class="kcn-legend" open><summary>{{ title }}</summary>
{% endif %}{% for section in sections %}
<div class="kcn-legend-section"><div class="kcn-legend-title">{{ section.title }}</div>
{% for item in section.items %}
<div class="kcn-legend-item"><span class="kcn-swatch kcn-swatch-{{ item.shape }}" \
style="--c: {{ item.color }}"></span>{{ item.label }}</div>
{% endfor %}
{% if section.note %}<div class="kcn-legend-note">{{ section.note }}</div>{% endif %}
</div>
{% endfor %}{% if title is not none %}</details>{% endif %}"""
)

_CSS = """
.kcn-legend{background:rgba(255,255,255,.93);padding:6px 9px;border-radius:6px;
  font:11px/1.3 system-ui,sans-serif;color:#222;box-shadow:0 1px 4px rgba(0,0,0,.3);
  max-width:230px;max-height:45vh;overflow:auto}
.kcn-legend summary{cursor:pointer;font-weight:600}
.kcn-legend-title{font-weight:600;margin:4px 0 2px}
.kcn-legend-item{display:flex;align-items:center;gap:6px;margin:1px 0}
.kcn-legend-note{color:#555;font-size:11px;margin-top:2px}
.kcn-swatch{display:inline-block;width:16px;height:11px;flex:none}
.kcn-swatch-fill{background:var(--c);border:1px solid rgba(0,0,0,.35)}
.kcn-swatch-outline{border:2px dashed var(--c)}
.kcn-swatch-line{height:0;border-top:4px solid var(--c)}
.kcn-swatch-circle{border-radius:50%;background:var(--c);opacity:.6}
.kcn-swatch-dot{border-radius:50%;width:10px;height:10px;background:var(--c)}
.kcn-swatch-tier{display:none}
.kcn-tip{font:12px/1.35 system-ui,sans-serif}
"""


def sections_html(sections: Sequence[LegendSection]) -> str:
    """Return the escaped HTML of legend sections (titles, swatches, labels, notes)."""
    return _LEGEND.render(sections=sections, title=None)


def legend_html(sections: Sequence[LegendSection], title: str = "Legend") -> str:
    """Return the escaped HTML of the legend, a collapsible block titled ``title``."""
    return _LEGEND.render(sections=sections, title=title)


class Legend(HtmlControl):
    """The bottom-right legend control."""

    def __init__(self, sections: Sequence[LegendSection], title: str = "Legend") -> None:
        super().__init__(legend_html(sections, title), _CSS, position="bottomright",
                         name="legend")
