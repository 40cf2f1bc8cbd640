"""The map page's side panel: the selected zone or project, with every value's source."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.common import md
from app_pages.map_controls import select_project, select_zone
from geo.analysis import hectares_by_period, nearest_projects, projects_serving, zones_served
from geo.i18n import number, project_name, t, zone_name
from geo.register import Register
from geo.sitefinder import plot_occupancy
from layers.panel import attributes_html, citation_line, format_value, zone_attributes

__all__ = ["PANEL_CSS", "plot_panel", "project_panel", "zone_panel"]

S = st.session_state

NEAREST_KINDS = ("seaport", "airport", "expressway")

PANEL_CSS = """<style>
.kcn-attrs{width:100%;border-collapse:collapse;font-size:13px;line-height:1.35}
.kcn-attrs th,.kcn-attrs td{text-align:left;vertical-align:top;padding:4px 6px;
  border-top:1px solid #e5e9ee}
.kcn-attrs thead th{background:#f2f4f7;font-weight:600;border-top:0}
.kcn-attrs tbody th{font-weight:500;color:#4a5568;width:30%}
.kcn-attrs td.kcn-val{font-variant-numeric:tabular-nums;min-width:7em}
.kcn-attrs td.kcn-src{font-size:12px;color:#4a5568;overflow-wrap:anywhere}
.kcn-missing{font-size:12px;color:#6b7785;margin:4px 0 0}
.kcn-differs{margin-top:3px;padding:2px 5px;border-left:3px solid #b7791f;background:#fdf8ee;
  font-size:12px;color:#4a3b1f}
.kcn-asof{color:#6b7785;font-size:11px}
.kcn-tier{display:inline-block;font-size:10px;line-height:1.3;padding:0 4px;border-radius:3px;
  border:1px solid #8a94a6;color:#1f2933;background:#f2f4f7;margin-right:3px;vertical-align:1px}
.kcn-tier-legal{background:#e3f1ea;border-color:#2f855a}
.kcn-tier-official{background:#e6f0fa;border-color:#1f5f8b}
.kcn-tier-press{background:#fdf3e1;border-color:#b7791f}
.kcn-tier-developer{background:#f3eaf7;border-color:#805ad5}
.kcn-tier-editors{background:#f2f2f2;border-color:#888}
</style>"""


def _quotes(reg: Register, zone_id: str, lang: str) -> None:
    values = reg.zone_values[(reg.zone_values["zone_id"] == zone_id)
                             & reg.zone_values["quote"].notna()]
    if values.empty:
        return
    with st.expander(t("quote", lang)):
        for q in values.itertuples(index=False):
            cite = citation_line(reg, q.source_id, q.source_section)
            st.markdown(f"**{md(t(f'attr.{q.field}', lang))}**: “{md(q.quote)}”  \n"
                        f"{md(cite)}")
            if q.quote_ocr:
                st.caption(t("panel.ocr_reading", lang))
                with st.popover(t("panel.ocr_raw", lang)):
                    st.code(q.quote_ocr, language=None, wrap_lines=True)


def _location(reg: Register, zone: dict[str, object], lang: str) -> None:
    quality = zone.get("geometry_quality")
    text = t(f"quality.{quality}", lang) if quality else t("unknown", lang)
    source = zone.get("geometry_source_id")
    cite = citation_line(reg, str(source), None) if source else ""
    line = f"**{md(t('panel.location', lang))}**: {md(text)}"
    if cite:
        line += f" ({md(cite)})"
    if quality == "approximate":
        st.warning(line)
    else:
        st.markdown(line)


def _measured(zone: dict[str, Any], lang: str) -> None:
    """The area measured from the boundary (VN-2000) beside the area a source declares."""
    measured = zone.get("area_measured_ha")
    if measured is None or measured != measured:
        return
    declared = zone.get("area_total_ha")
    st.caption(md(t("panel.measured", lang, m=number(measured, lang),
                    d=f"{number(declared, lang)} ha" if declared is not None
                    and declared == declared else t("unknown", lang))))


def _from_plots(reg: Register, zone_id: str, rows: list[Any], lang: str) -> None:
    """Occupancy computed from the zone's plots, beside the stated one and the difference."""
    mine = reg.plots[reg.plots["zone_id"] == zone_id]
    if mine.empty:
        return
    occ = plot_occupancy(mine).iloc[0]
    pct = occ["occupancy_pct"]
    text = t("plot.from_plots", lang, n=int(occ["plots"]), as_of=occ["as_of"] or "—",
             leased=number(occ["leased_ha"], lang), leasable=number(occ["leasable_ha"], lang),
             vacant=number(occ["vacant_ha"], lang),
             occ=f"{number(pct, lang, 1)}%" if pct == pct else t("unknown", lang))
    stated = next((r.shown for r in rows if r.name == "occupancy_pct" and r.shown), None)
    value = reg.zones.set_index("id").loc[zone_id, "occupancy_pct"]
    if stated is not None and pct == pct and value == value:
        text += " " + t("plot.vs_stated", lang, stated=stated.text,
                        tier=t(f"tier.{stated.tier}", lang),
                        diff=number(float(pct) - float(value), lang, 1))
    st.info(text)


def zone_panel(reg: Register, zone_id: str, lang: str) -> list[str]:
    """Show a zone; return the ids of the projects that serve it."""
    zones = reg.zones.set_index("id", drop=False)
    zone = zones.loc[zone_id].to_dict()
    st.subheader(md(zone_name(zone, lang)))
    status = format_value("status", zone["status"] or "unknown", None, None, lang)
    st.caption(md(" · ".join(str(x) for x in (
        t(f"kind.{zone['kind']}", lang), status,
        zone["province_current"] or zone["province"] or "") if x)))
    _location(reg, zone, lang)
    _measured(zone, lang)
    rows = zone_attributes(reg, zone_id, lang)
    st.html(PANEL_CSS + attributes_html(rows, lang))
    _from_plots(reg, zone_id, rows, lang)
    _quotes(reg, zone_id, lang)

    parent = zone.get("parent_id")
    if parent and parent in zones.index:
        st.button(md(f"{t('panel.parent', lang)}: {zone_name(zones.loc[parent].to_dict(), lang)}"),
                  key="goto_parent", on_click=select_zone, args=(parent,))
    children = reg.zones[reg.zones["parent_id"] == zone_id]
    if len(children):
        st.markdown(f"**{md(t('panel.children', lang))}**")
        for child in children.to_dict("records"):
            st.button(md(zone_name(child, lang)), key=f"child_{child['id']}",
                      on_click=select_zone, args=(child["id"],))

    periods = hectares_by_period(reg.zones[reg.zones["id"] == zone_id])
    st.caption(md(t("panel.by_period", lang)) + ": " + " · ".join(
        f"{t(f'period.{p}', lang)} "
        + ("—" if not v["zones"] else
           (f"{number(v['area_ha'], lang)} ha" if v["area_ha"] is not None
            else t("unknown", lang)))
        for p, v in periods.items()))

    serving = projects_serving(reg.projects, zone_id)
    st.markdown(f"**{md(t('panel.projects', lang))}**")
    if serving.empty:
        st.caption(t("panel.no_projects", lang))
    for row in serving.to_dict("records"):
        detail = " · ".join(x for x in (t(f"pkind.{row['kind']}", lang),
                                        t(f"status.{row['status']}", lang),
                                        row.get("period") or "") if x)
        st.button(md(f"{project_name(row, lang)} — {detail}"), key=f"proj_{row['id']}",
                  on_click=select_project, args=(row["id"],), width="stretch")

    st.markdown(f"**{md(t('panel.nearest', lang))}**")
    near = nearest_projects(zones.loc[zone_id].geometry, reg.projects, NEAREST_KINDS)
    names = reg.projects.set_index("id")
    for kind in NEAREST_KINDS:
        hit = near[kind]
        text = (t("panel.nearest.none", lang) if hit is None else
                f"{project_name(names.loc[hit[0]].to_dict(), lang)}: {number(hit[1], lang, 1)} km")
        st.markdown(f"- {md(t(f'pkind.{kind}', lang))}: {md(text)}")
    st.caption(t("panel.nearest.note", lang))
    st.button(t("panel.clear", lang), key="clear_zone", on_click=select_zone, args=(None,))
    return serving["id"].tolist()


def project_panel(reg: Register, project_id: str, lang: str) -> list[str]:
    """Show a project; return the ids of the zones it serves."""
    row = reg.projects.set_index("id", drop=False).loc[project_id]
    st.subheader(md(project_name(row.to_dict(), lang)))
    st.caption(md(" · ".join(x for x in [t(f"pkind.{row['kind']}", lang),
                                         t(f"status.{row['status']}", lang),
                                         row["period"] or ""] if x)))
    if row["geometry_quality"] == "approximate":
        st.warning(t("panel.approximate", lang))
    cite = citation_line(reg, row["source_id"], row["source_section"])
    st.markdown(f"{md(t('panel.source', lang))}: {md(cite)}"
                f" ({md(t('panel.as_of', lang))} {md(row['as_of'] or '—')})")
    if row["quote"]:
        st.markdown(f"> {md(row['quote'])}")
        if row.get("quote_ocr"):
            st.caption(t("panel.ocr_reading", lang))
    served = zones_served(reg.projects, project_id)
    st.markdown(f"**{md(t('project.serves', lang))}**")
    zones = reg.zones.set_index("id", drop=False)
    for zid in served:
        if zid in zones.index:
            st.button(md(zone_name(zones.loc[zid].to_dict(), lang)), key=f"served_{zid}",
                      on_click=select_zone, args=(zid,))
    st.button(t("panel.clear", lang), key="clear_project", on_click=select_project,
              args=(None,))
    return served


def plot_panel(reg: Register, plot_id: str, lang: str) -> None:
    """Show a plot: code, status, areas, lessee, sector, lease end, and its source."""
    rows = reg.plots[reg.plots["id"] == plot_id]
    if rows.empty:
        return
    plot = rows.iloc[0].to_dict()
    st.markdown(f"#### {md(t('plot.title', lang))} {md(plot['code'] or plot_id)}")
    status = plot["status"] or "unknown"
    lines = [(t("plot.status", lang), t(f"plot.{status}", lang))]
    for field, label in (("area_declared_ha", "plot.area_declared"),
                         ("area_measured_ha", "plot.area_measured")):
        value = plot.get(field)
        lines.append((t(label, lang), f"{number(value, lang)} ha"
                      if value is not None and value == value else t("unknown", lang)))
    for field in ("lessee", "sector", "lease_end"):
        lines.append((t(f"plot.{field}", lang), plot.get(field) or t("unknown", lang)))
    st.markdown("\n".join(f"- **{md(k)}**: {md(v)}" for k, v in lines))
    cite = citation_line(reg, plot.get("source_id"), plot.get("source_section"))
    st.caption(md(f"{t('panel.source', lang)}: {cite} · {t('panel.as_of', lang)} "
                  f"{plot.get('as_of') or '—'}"))
    st.button(t("plot.clear", lang), key="clear_plot", on_click=lambda: S.update(plot=None))
