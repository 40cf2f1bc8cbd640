"""The history of changes as people read it: rows in their language, and an escaped table.

:func:`history_rows` is pure data (tested without Streamlit); :func:`history_html`
renders it through the autoescaping Jinja environment, so no value from the
data (a zone's name, a value typed by an editor) can become markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.edit import history, local_time, shown
from geo.i18n import number, t, year_text
from geo.register import Register
from geo.schema import MEASURED_ZONE_COLUMNS, VALUE_FIELDS
from layers.base import HTML

__all__ = ["HistoryRow", "history_html", "history_rows", "value_text"]


@dataclass(frozen=True)
class HistoryRow:
    """One change, in words: when (Vietnam time), who, what, before, after, source."""

    change_id: str
    when: str
    who: str
    action: str
    record: str
    field: str
    before: str
    after: str
    source: str
    reverted: str


def _field(name: Any, lang: str) -> str:
    if not isinstance(name, str) or not name:
        return ""
    if name == "geometry":
        return t("hist.geometry", lang)
    label = t(f"attr.{name}", lang)
    return name if label == f"attr.{name}" else label


# How the write path words a shape ("polygon (approximate), 1,234.56 ha measured", "a point
# (surveyed)", "no geometry") and a zone's plots ("12 plots"), stored in English.
_SHAPE = re.compile(r"^(?:an? )?(polygon|point|line|shape)(?: \(([a-z]+)\))?"
                    r"(?:, ([\d,]+(?:\.\d+)?) ha measured)?$")
_PLOTS = re.compile(r"^(\d+) plots$")
# Fields whose stored value is a code with a label: field -> label prefix.
_CODED = {"status": "status", "kind": "kind", "geometry_quality": "quality", "role": "role"}


def _label_or(key: str, fallback: str, lang: str) -> str:
    label = t(key, lang)
    return fallback if label == key else label


def value_text(field: Any, raw: Any, lang: str) -> str:
    """Return a stored before/after value as words in ``lang``.

    Codes become their labels ("operating" reads "Đang hoạt động"), numbers follow the
    language's notation, years stay four digits, and the write path's English wording of
    shapes and plot counts is said in ``lang``. Anything else is shown as stored.
    """
    text = shown(raw)
    if text == "—" or not isinstance(field, str):
        return text
    if field == "geometry":
        if text == "no geometry":
            return t("hist.shape.none", lang)
        match = _SHAPE.match(text)
        if match is None:
            return text
        kind, quality, hectares = match.groups()
        out = t(f"hist.shape.{kind}", lang)
        if quality:
            label = _label_or(f"quality.{quality}", quality, lang)
            out += f" ({label[:1].lower()}{label[1:]})"
        if hectares:
            area = number(float(hectares.replace(",", "")), lang)
            out += ", " + t("hist.measured", lang, ha=area)
        return out
    if field == "plots":
        match = _PLOTS.match(text)
        return t("hist.plots", lang, n=number(int(match.group(1)), lang, 0)) if match else text
    if field in _CODED:
        return _label_or(f"{_CODED[field]}.{text}", text, lang)
    if VALUE_FIELDS.get(field) in (float, int) or field in MEASURED_ZONE_COLUMNS:
        try:
            value = float(text)
        except ValueError:
            return text
        return (year_text(value) if field == "year_established" else number(value, lang)) or text
    return text


def history_rows(register: Register, lang: str, *, table: str | Sequence[str] | None = None,
                 record: str | None = None, limit: int | None = None) -> list[HistoryRow]:
    """Return the history (newest first) as rows in ``lang``."""
    frame = history(register, table, record, limit)
    out = []
    for row in frame.to_dict("records"):
        by = row.get("reverted_by")
        out.append(HistoryRow(
            change_id=str(row["change_id"]), when=local_time(row["at"]), who=str(row["who"]),
            action=t(f"action.{row['action']}", lang), record=str(row["record"]),
            field=_field(row["field"], lang),
            before=value_text(row["field"], row["before"], lang),
            after=value_text(row["field"], row["after"], lang),
            source=str(row["source_id"]) if isinstance(row["source_id"], str) else "",
            reverted=t("hist.reverted", lang, by=by) if isinstance(by, str) else ""))
    return out


_TABLE = HTML.from_string(
    """<table class="kcn-history">
<thead><tr><th>{{ h.when }}</th><th>{{ h.who }}</th><th>{{ h.action }}</th>\
{% if records %}<th>{{ h.record }}</th>{% endif %}<th>{{ h.field }}</th><th>{{ h.before }}</th>\
<th>{{ h.after }}</th><th>{{ h.source }}</th></tr></thead>
<tbody>
{% for r in rows %}<tr data-change="{{ r.change_id }}"{% if r.reverted %} class="kcn-reverted"\
{% endif %}>
<td>{{ r.when }}</td><td class="kcn-who">{{ r.who }}</td><td>{{ r.action }}\
{% if r.reverted %}<div class="kcn-asof">{{ r.reverted }}</div>{% endif %}</td>\
{% if records %}<td>{{ r.record }}</td>{% endif %}<td>{{ r.field }}</td>\
<td>{{ r.before }}</td><td>{{ r.after }}</td><td class="kcn-src">{{ r.source }}</td>
</tr>{% endfor %}
</tbody></table>"""
)

HISTORY_CSS = """<style>
.kcn-history{width:100%;border-collapse:collapse;font-size:12px;line-height:1.35}
.kcn-history th,.kcn-history td{text-align:left;vertical-align:top;padding:3px 5px;
  border-top:1px solid #e5e9ee;overflow-wrap:anywhere}
.kcn-history thead th{background:#f2f4f7;font-weight:600;border-top:0}
.kcn-history tr.kcn-reverted td{color:#8a94a6;text-decoration:line-through}
.kcn-history tr.kcn-reverted td:nth-child(3){text-decoration:none}
</style>"""


def history_html(rows: list[HistoryRow], lang: str, *, records: bool = False) -> str:
    """Return the escaped HTML table of history rows (``records``: with a record column)."""
    heads = {k: t(f"hist.{k}", lang) for k in ("when", "who", "action", "record", "field",
                                                "before", "after", "source")}
    return HISTORY_CSS + _TABLE.render(rows=rows, h=heads, records=records)


def as_frame(rows: list[HistoryRow]) -> pd.DataFrame:
    """The rows as a table (for downloads)."""
    return pd.DataFrame([r.__dict__ for r in rows])
