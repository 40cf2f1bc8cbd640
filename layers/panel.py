"""A zone's attributes as the panel shows them: each value with its source, tier and date.

:func:`zone_attributes` is pure data (tested without Streamlit); :func:`attributes_html`
renders it through the autoescaping Jinja environment, so text from the data can
never become markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.analysis import citation
from geo.i18n import number, sectors_label, t, year_text
from geo.register import Register, ordered_values
from geo.schema import VALUE_FIELDS
from layers.base import HTML

__all__ = ["AttributeRow", "SourcedValue", "attributes_html", "citation_line", "format_value",
           "zone_attributes"]

PANEL_FIELDS = ("status", "area_total_ha", "area_industrial_ha", "leased_ha", "occupancy_pct",
                "year_established", "developer", "plan_period", "sectors", "district",
                "commune", "parent_id", "kcn_count")
_UNITS = {"area_total_ha": " ha", "area_industrial_ha": " ha", "leased_ha": " ha",
          "occupancy_pct": "%"}
_DIGITS = {"occupancy_pct": 1, "kcn_count": 0}


@dataclass(frozen=True)
class SourcedValue:
    """One source's value of an attribute."""

    text: str  # the value as words in the panel's language
    citation: str  # document, issuer, date, §section
    tier: str | None
    as_of: str | None
    url: str | None
    quote: str | None
    quote_ocr: str | None


@dataclass(frozen=True)
class AttributeRow:
    """An attribute of a zone: the value shown and, where sources differ, the others."""

    name: str  # the register's field name
    label: str
    shown: SourcedValue | None  # None: no source gives it
    others: tuple[SourcedValue, ...] = field(default=())

    @property
    def differs(self) -> bool:
        """Tell whether another source gives a different value."""
        return self.shown is not None and any(o.text != self.shown.text for o in self.others)


def format_value(fld: str, value: Any, value_max: Any, comparison: Any, lang: str,
                 reg: Register | None = None) -> str:
    """Return a value as the panel writes it: locale numbers, units, ranges and bounds."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "—"
    if fld == "status":
        return t(f"status.{value}", lang)
    if fld == "sectors":
        return sectors_label(str(value), lang)
    if fld == "parent_id" and reg is not None:
        parent = reg.zones[reg.zones["id"] == value]
        if len(parent):
            row = parent.iloc[0]
            return str(row["name_en"] if lang == "en" and row["name_en"] else row["name_vi"])
        return str(value)
    if VALUE_FIELDS.get(fld) not in (float, int):
        return str(value)
    if fld == "year_established":
        return year_text(value) or "—"
    digits = _DIGITS.get(fld, 2)
    unit = _UNITS.get(fld, "")
    low = number(float(value), lang, digits) or "—"
    if comparison == "range" and value_max not in (None, ""):
        high = number(float(value_max), lang, digits)
        return f"{low}–{high}{unit}"
    text = f"{low}{unit}"
    if comparison in ("about", "above", "below", "at_least"):
        text = f"{t(f'brief.cmp.{comparison}', lang)} {text}"
    return text


def citation_line(reg: Register, source_id: str | None, section: str | None) -> str:
    """Return "document (number), publisher, date, §section" of a source."""
    c = citation(reg, source_id, section)
    if not c["document"]:
        return str(source_id or "")
    doc = c["document"]
    if c.get("doc_number") and c["doc_number"] not in doc:
        doc = f"{doc} ({c['doc_number']})"
    text = ", ".join(str(p) for p in (doc, c["issuer"], c["date"]) if p)
    return f"{text}, §{section}" if section else text


def zone_attributes(reg: Register, zone_id: str, lang: str,
                    ordered: pd.DataFrame | None = None,
                    fields: tuple[str, ...] = PANEL_FIELDS) -> list[AttributeRow]:
    """Return the panel's attribute rows of a zone, each value with its sources.

    The value shown is the one the register picks (higher tier, then newer);
    the other sources' values follow it, so a reader sees where they differ.
    ``ordered`` is :func:`geo.register.ordered_values` of the register, when
    the caller describes many zones and computes it once.
    """
    rows = ordered if ordered is not None else ordered_values(reg.zone_values, reg.sources)
    rows = rows[rows["zone_id"] == zone_id]
    urls = dict(zip(reg.sources["source_id"], reg.sources["url"], strict=True))
    out = []
    for fld in fields:
        mine = rows[rows["field"] == fld]
        values = tuple(
            SourcedValue(
                text=format_value(fld, r.value, r.value_max, r.comparison, lang, reg),
                citation=citation_line(reg, r.source_id, r.source_section),
                tier=r.tier, as_of=r.as_of, url=urls.get(r.source_id), quote=r.quote,
                quote_ocr=r.quote_ocr,
            )
            for r in mine.itertuples(index=False)
        )
        out.append(AttributeRow(fld, t(f"attr.{fld}", lang), values[0] if values else None,
                                values[1:]))
    return out


_TABLE = HTML.from_string(
    """{% if rows | selectattr("shown") | list %}<table class="kcn-attrs">
<thead><tr><th>{{ h.attribute }}</th><th>{{ h.value }}</th><th>{{ h.source }}</th></tr></thead>
<tbody>
{% for row in rows if row.shown %}<tr>
<th scope="row">{{ row.label }}</th>
<td class="kcn-val">{{ row.shown.text }}
{% if row.differs %}<div class="kcn-differs">{{ h.differs }}:
{% for o in row.others if o.text != row.shown.text %}<div>{{ o.text }} –
<span class="kcn-tier kcn-tier-{{ o.tier }}" title="{{ tiers[o.tier] }}">\
{{ tier_short[o.tier] }}</span>
{{ o.citation }}{% if o.as_of %} ({{ h.as_of }} {{ o.as_of }}){% endif %}</div>{% endfor %}
</div>{% endif %}</td>
<td class="kcn-src"><span class="kcn-tier kcn-tier-{{ row.shown.tier }}" \
title="{{ tiers[row.shown.tier] }}">{{ tier_short[row.shown.tier] }}</span>
{% if row.shown.url %}<a href="{{ row.shown.url }}" target="_blank" rel="noopener noreferrer">\
{{ row.shown.citation }}</a>{% else %}{{ row.shown.citation }}{% endif %}
{% if row.shown.as_of %}<div class="kcn-asof">{{ h.as_of }} {{ row.shown.as_of }}</div>{% endif %}\
</td>
</tr>{% endfor %}
</tbody></table>{% endif %}
{% set missing = rows | rejectattr("shown") | map(attribute="label") | list %}\
{% if missing %}<p class="kcn-missing">{{ h.missing }}: {{ missing | join(", ") }}.</p>\
{% endif %}"""
)

_SAFE_URL = ("http://", "https://")


def attributes_html(rows: list[AttributeRow], lang: str) -> str:
    """Return the escaped HTML table of a zone's attributes with tier badges."""
    tiers = ("legal", "official", "press", "developer", "editors")
    # Only web links become links: a "javascript:" URL from a file stays text.
    safe = [AttributeRow(r.name, r.label, _safe(r.shown), tuple(_safe(o) for o in r.others))
            for r in rows]
    return _TABLE.render(
        rows=safe,
        h={"attribute": t("panel.attribute", lang), "value": t("panel.value", lang),
           "source": t("panel.source", lang), "as_of": t("panel.as_of", lang),
           "unknown": t("unknown", lang), "no_source": t("panel.missing", lang),
           "differs": t("panel.differs", lang), "missing": t("panel.unknown_fields", lang)},
        tiers={k: t(f"tier.{k}.long", lang) for k in tiers} | {None: ""},
        tier_short={k: t(f"tier.{k}", lang) for k in tiers} | {None: ""},
    )


def _safe(value: Any) -> Any:
    if value is None or not value.url or value.url.startswith(_SAFE_URL):
        return value
    return SourcedValue(value.text, value.citation, value.tier, value.as_of, None,
                        value.quote, value.quote_ocr)
