"""The history of changes as people read it: rows in their language, and an escaped table.

:func:`history_rows` is pure data (tested without Streamlit); :func:`history_html`
renders it through the autoescaping Jinja environment, so no value from the
data (a zone's name, a value typed by an editor) can become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.edit import history, local_time, shown
from geo.i18n import t
from geo.register import Register
from layers.base import HTML

__all__ = ["HistoryRow", "history_html", "history_rows"]


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
            field=_field(row["field"], lang), before=shown(row["before"]),
            after=shown(row["after"]),
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
