"""The province dashboard: plans against progress."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import download_table, md, register_or_stop
from geo.analysis import (
    current_summary,
    find_provinces,
    hectares_by_period,
    province_summary,
    register_stats,
    summary,
)
from geo.dashboard import (
    below_target,
    completeness,
    infrastructure,
    occupancy_targets,
    province_zones,
)
from geo.i18n import figure_text, number, project_name, t, text_or_dash, zone_name
from geo.register import Register
from layers.panel import citation_line
from layers.state import LANGS, MapState

S = st.session_state
MAP_PAGE = "app_pages/map.py"


def _cite(reg: Register, source_id: str | None, section: str | None) -> str:
    return citation_line(reg, source_id, section)


def _map_link(lang: str, **params: Any) -> str:
    """The app-relative link of a map view (the share-link scheme)."""
    state = MapState(lang=lang, period="2030", **params)
    return "/?" + "&".join(f"{k}={v}" for k, v in state.to_query().items())


def _zone_links(zones: pd.DataFrame, lang: str) -> None:
    cols = st.columns(3)
    for i, row in enumerate(zones.to_dict("records")):
        cols[i % 3].page_link(MAP_PAGE, label=md(zone_name(row, lang)),
                              query_params={"zone": row["id"], "lang": lang, "period": "2030"})


def _figures(reg: Register, prov: dict[str, Any], lang: str, prov_name: str | None) -> None:
    st.subheader(t("dash.official", lang))
    label = "label_vi" if lang == "vi" else "label_en"
    rows = [{
        t("dash.indicator", lang): f[label],
        t("dash.value", lang): figure_text(f, lang),
        t("period", lang): text_or_dash(f["period"]),
        t("panel.source", lang): _cite(reg, f["citation"]["source_id"], f["citation"]["section"]),
    } for f in prov["official_figures"]]
    if not rows:
        st.caption(t("dash.no_figures", lang))
        return
    frame = pd.DataFrame(rows)
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        t("dash.indicator", lang): st.column_config.TextColumn(width="large"),
        t("dash.value", lang): st.column_config.TextColumn(width="medium"),
        t("panel.source", lang): st.column_config.TextColumn(width="large")})
    download_table(frame, f"figures-{prov_name or 'all'}", lang)


def _coverage(prov: dict[str, Any], lang: str) -> None:
    st.subheader(t("dash.coverage", lang))
    if not prov["coverage"]:
        st.caption(t("dash.no_coverage", lang))
    for cov in prov["coverage"]:
        official_n = number(cov["official_count"], lang, 0) or "—"
        official_ha = number(cov["official_area_ha"], lang) or "—"
        held_ha = number(cov["register_area_ha"] or 0, lang)
        line = t("dash.coverage.line", lang, kind=cov["kind"], n=cov["register_count"],
                 of=official_n, ha=held_ha, of_ha=official_ha, u=cov["register_area_unknown"])
        query = {"kind": cov["kind"].split(" ")[0], "lang": lang, "period": "2030"}
        if prov["province"]:
            query["prov"] = prov["province"]
        st.page_link(MAP_PAGE, label=line, query_params=query)


def _today(reg: Register, currents: list[dict[str, Any]], lang: str) -> None:
    """Per province of today: zones held against the official counts, attributes known."""
    for cur in currents:
        st.subheader(t("dash.today", lang, prov=cur["province_current"]))
        st.caption(t("dash.today.former", lang, former=", ".join(cur["former"])))
        if not cur["official_counts"]:
            st.caption(t("dash.today.none", lang))
        for c in cur["official_counts"]:
            cite = c["citation"]
            line = t("dash.today.line", lang, kind=c["kind"], n=c["register_count"],
                     of=number(c["official_count"], lang, 0) or "—",
                     what=t(f"dash.ind.{c['indicator']}", lang),
                     cite=", ".join(str(x) for x in (cite["issuer"], c["as_of"]) if x))
            if c["official_area_ha"] is not None:
                line += " · " + t("dash.today.area", lang,
                                  ha=number(c["register_area_ha"] or 0, lang),
                                  of_ha=number(c["official_area_ha"], lang))
            query = {"kind": c["kind"], "lang": lang, "period": "2030",
                     "prov": cur["province_current"]}
            st.page_link(MAP_PAGE, label=md(line), query_params=query)
        kinds = [k for k, v in cur["completeness"].items()
                 if next(iter(v.values()))["total"]]
        if not kinds:
            continue
        fields = list(cur["completeness"][kinds[0]])
        frame = pd.DataFrame([{
            t("panel.attribute", lang): t(f"attr.{f}", lang),
            **{f"{k} ({cur['completeness'][k][f]['total']})":
               _percent(cur["completeness"][k][f]["share"]) for k in kinds},
        } for f in fields])
        st.markdown(f"**{md(t('dash.today.completeness', lang))}**")
        st.dataframe(frame, hide_index=True, width="stretch",
                     column_config={col: _PERCENT_BAR for col in frame.columns[1:]})
        ranges = [f"{t(f'attr.{f}', lang)} ({k}): {c['range']}" for f in fields for k in kinds
                  if (c := cur["completeness"][k][f]).get("range")]
        if ranges:
            st.caption(md(t("dash.today.ranges", lang, items="; ".join(ranges))))
        download_table(frame, f"completeness-today-{cur['province_current']}", lang)


def _holdings(reg: Register, zones: pd.DataFrame, prov_name: str | None, lang: str) -> None:
    st.subheader(t("dash.register", lang))
    rows = []
    for (kind, status), part in zones.groupby(["kind", "status"]):
        rows.append({
            t("kind", lang): t(f"kind.{kind}", lang),
            t("status", lang): t(f"status.{status}", lang),
            t("dash.zones", lang): len(part),
            t("dash.ha_known", lang): part["area_total_ha"].sum(min_count=1),
            t("dash.area_unknown", lang): int(part["area_total_ha"].isna().sum()),
            t("dash.on_map", lang): _map_link(lang, kind=(kind,), status=(status,),
                                               prov=(prov_name,) if prov_name else ()),
        })
    frame = pd.DataFrame(rows)
    if len(frame):
        ha = t("dash.ha_known", lang)
        shown = frame.assign(**{ha: [number(v, lang) or t("unknown", lang) for v in frame[ha]]})
        st.dataframe(shown, hide_index=True, width="stretch", column_config={
            t("dash.on_map", lang): st.column_config.LinkColumn(display_text="↗", width="small"),
            ha: st.column_config.TextColumn(width="medium")})
        download_table(frame.drop(columns=[t("dash.on_map", lang)]),
                   f"register-{prov_name or 'all'}", lang)
    chart = pd.DataFrame([{
        t("period", lang): t(f"period.{p}", lang), "order": i, t("kind", lang): kind,
        t("dash.zones", lang): v["zones"],
        t("dash.ha_known", lang): number(v["area_ha"], lang) or t("unknown", lang),
    } for kind in ("KKT", "KCN", "CCN")
        for i, (p, v) in enumerate(hectares_by_period(zones[zones["kind"] == kind]).items())
        if v["zones"]])
    st.markdown(f"**{md(t('dash.by_period', lang))}**")
    if len(chart):
        bars = alt.Chart(chart).mark_bar().encode(
            x=alt.X(f"{t('period', lang)}:N", sort=alt.SortField("order")),
            y=alt.Y(f"{t('dash.zones', lang)}:Q"),
            color=alt.Color(f"{t('kind', lang)}:N"),
            tooltip=[t("period", lang), t("kind", lang), t("dash.zones", lang),
                     t("dash.ha_known", lang)])
        st.altair_chart(bars, width="stretch")
    st.caption(t("dash.by_period.note", lang))


def _occupancy(reg: Register, zones: pd.DataFrame, prov_name: str | None, prov: dict[str, Any],
               lang: str) -> None:
    st.subheader(t("dash.occupancy", lang))
    targets = occupancy_targets(reg, prov_name)
    official = [f for f in prov["official_figures"] if f["indicator"] == "occupancy_pct"
                and f["comparison"] == "about"]
    cols = st.columns(3)
    occ = prov["register"]["occupancy_weighted_pct"]
    cols[0].metric(t("dash.occ.register", lang), f"{number(occ, lang, 1)}%" if occ is not None
                   else t("unknown", lang),
                   help=t("dash.occ.register.help", lang, n=prov["register"]["occupancy_zones"]))
    if official:
        cols[1].metric(t("dash.occ.official", lang), f"{number(official[0]['value'], lang, 0)}%",
                       help=_cite(reg, official[0]["citation"]["source_id"],
                                  official[0]["citation"]["section"]))
    if targets:
        cols[2].metric(t("dash.occ.targets", lang), " · ".join(
            f"{k} > {number(v['value'], lang, 0)}%" for k, v in sorted(targets.items())))
    known = zones[zones["occupancy_pct"].notna() & zones["kind"].isin(["KCN", "CCN"])]
    if known.empty:
        st.info(t("dash.occ.none", lang, n=int(zones["kind"].isin(["KCN", "CCN"]).sum())))
    else:
        # Only the columns the chart reads: a geometry column cannot travel as Arrow.
        # Whole numbers on the axes: Vega-Lite would write "70.0" on a Vietnamese page.
        kind_colour = alt.Color("kind:N", title=t("kind", lang))
        hist = alt.Chart(pd.DataFrame(known[["occupancy_pct", "kind"]])).mark_bar().encode(
            x=alt.X("occupancy_pct:Q", bin=alt.Bin(step=10), title=t("attr.occupancy_pct", lang),
                    axis=alt.Axis(format="d")),
            y=alt.Y("count()", title=t("dash.zones", lang), axis=alt.Axis(format="d")),
            color=kind_colour)
        rules = alt.Chart(pd.DataFrame([{"kind": k, "target": v["value"]}
                                        for k, v in targets.items()])).mark_rule(
            strokeDash=[4, 3]).encode(x="target:Q", color=kind_colour)
        st.altair_chart(hist + rules, width="stretch")
    below = below_target(zones, targets)
    st.markdown(f"**{md(t('dash.below', lang))}**")
    if below.empty:
        st.caption(t("dash.below.none", lang))
    else:
        table = pd.DataFrame({
            t("list.name", lang): [zone_name(r, lang) for r in below.to_dict("records")],
            t("kind", lang): [t(f"kind.{k}", lang) for k in below["kind"]],
            t("attr.occupancy_pct", lang): [number(v, lang, 1) or "—"
                                            for v in below["occupancy_pct"]],
            t("dash.target", lang): [number(v, lang, 0) or "—" for v in below["target_pct"]],
            t("dash.leasable_left", lang): [number(v, lang) or "—"
                                            for v in below["leasable_left_ha"]],
        })
        st.dataframe(table, hide_index=True, width="stretch")
        download_table(table, f"below-target-{prov_name or 'all'}", lang)
        _zone_links(below, lang)


# Shares as whole percents: a printf format writes "48%" in every language, where the
# "percent" format would write "47.54%" on a Vietnamese page.
_PERCENT_BAR = st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d%%")


def _percent(share: float | None) -> int | None:
    return None if share is None or share != share else round(share * 100)


def _completeness(zones: pd.DataFrame, lang: str, prov_name: str | None) -> None:
    st.subheader(t("dash.completeness", lang))
    frame = completeness(zones)
    frame["field"] = [t(f"attr.{f}", lang) if f != "boundary" else t("dash.boundary", lang)
                      for f in frame["field"]]
    frame = frame.rename(columns={"field": t("panel.attribute", lang),
                                  "known": t("dash.known", lang),
                                  "missing": t("dash.missing", lang),
                                  "share_known": t("dash.share_known", lang)})
    frame[t("dash.share_known", lang)] = [_percent(v) for v in frame[t("dash.share_known", lang)]]
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={t("dash.share_known", lang): _PERCENT_BAR})
    download_table(frame, f"completeness-{prov_name or 'all'}", lang)
    approx = zones[zones["geometry_quality"] == "approximate"]
    st.caption(t("dash.approximate", lang, n=len(approx), total=len(zones)))


def _infrastructure(reg: Register, zones: pd.DataFrame, lang: str, prov_name: str | None) -> None:
    st.subheader(t("dash.infra", lang))
    projects, unserved = infrastructure(reg, zones)
    names = zones.set_index("id")
    if projects.empty:
        st.caption(t("panel.no_projects", lang))
    else:
        frame = pd.DataFrame([{
            t("project.title", lang): project_name(p, lang),
            t("kind", lang): t(f"pkind.{p['kind']}", lang),
            t("status", lang): t(f"status.{p['status']}", lang),
            t("attr.period", lang): text_or_dash(p["period"]),
            t("project.serves", lang): ", ".join(zone_name(names.loc[z].to_dict(), lang)
                                                 for z in p["zones"]),
            t("dash.on_map", lang): _map_link(lang, project=p["id"]),
        } for p in projects.to_dict("records")])
        st.dataframe(frame, hide_index=True, width="stretch", column_config={
            t("dash.on_map", lang): st.column_config.LinkColumn(display_text="↗")})
        download_table(frame.drop(columns=[t("dash.on_map", lang)]),
                   f"infrastructure-{prov_name or 'all'}", lang)
    st.markdown(f"**{md(t('dash.unserved', lang, n=len(unserved)))}**")
    _zone_links(unserved, lang)


def render() -> None:
    """Draw the dashboard."""
    lang = S.get("lang") or st.query_params.get("lang", "vi")
    lang = lang if lang in LANGS else "vi"
    reg = register_or_stop(lang).register
    st.title(t("dash.title", lang))
    provinces = find_provinces(reg, None)
    # The province lives in the link (?prov=…), by its name in the sources or today's.
    if "dash_prov" not in S:
        asked = st.query_params.get("prov")
        found = find_provinces(reg, asked) if asked else []
        S["dash_prov"] = found[0] if len(found) == 1 else None
        if asked and len(found) != 1:
            st.info(t("ignored_params", lang, names="prov"))
    choice = st.selectbox(t("province", lang), [None, *provinces], key="dash_prov",
                          format_func=lambda v: t("dash.all", lang) if v is None else v)
    query = {"lang": lang} if lang != "vi" else {}
    if choice:
        query["prov"] = choice
    st.query_params.from_dict(query)
    zones = province_zones(reg, choice)
    if choice:
        prov = province_summary(reg, choice)
        currents = [current_summary(reg, prov["province_current"] or choice)]
    else:  # every province together: all official figures, the register's own counts
        doc = summary(reg)
        each = doc["provinces"]
        prov = {"province": None,
                "official_figures": [f for p in each for f in p["official_figures"]],
                "coverage": [{**c, "kind": f"{c['kind']} ({p['province']})"}
                             for p in each for c in p["coverage"]],
                "register": register_stats(zones)}
        currents = doc["current"]
    _today(reg, currents, lang)
    _coverage(prov, lang)
    _holdings(reg, zones, choice, lang)
    _occupancy(reg, zones, choice, prov, lang)
    _completeness(zones, lang, choice)
    _infrastructure(reg, zones, lang, choice)
    st.subheader(t("dash.zone_list", lang, n=len(zones)))
    _zone_links(zones, lang)
    _figures(reg, prov, lang, choice)


render()
