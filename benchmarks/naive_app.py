"""The naive baseline of the map benchmark: folium's GeoJson under st_folium.

What a first version of the map page would look like: read the zones of the
register with geopandas, hand the GeoDataFrame to ``folium.GeoJson`` with a
``GeoJsonTooltip`` and show it with ``st_folium`` (default settings, so every
pan or zoom reruns the script). It uses the same local Leaflet as KCN Atlas
and no tiles, so it works offline and is compared like for like.

Streamlit serves the ``static`` folder *next to the main script* at
``/app/static/`` (not the one in the working directory), so to run it by hand
put a copy beside a link to the repository's ``static`` (``map_render.py``
does the same in a temporary folder)::

    mkdir /tmp/naive && cp benchmarks/naive_app.py /tmp/naive/ && ln -s "$PWD/static" /tmp/naive/
    KCN_ATLAS_STORE=/tmp/atlas.gpkg .venv/bin/streamlit run /tmp/naive/naive_app.py \
        --server.enableStaticServing true

``benchmarks/map_render.py`` imports :func:`read_zones` and :func:`build_naive_map`
from here, so the server-side timing measures exactly what this app runs.
"""

from __future__ import annotations

import os

import folium
import geopandas as gpd

ASSET_BASE = "/app/static/vendor"
# The attributes carried by each feature and shown in its tooltip, per layer.
TOOLTIP_FIELDS = {
    "zones": ["name_vi", "kind", "status", "area_total_ha", "occupancy_pct"],
    "plots": ["code", "zone_id", "status", "area_declared_ha"],
}
HEIGHT = 640
LAYER_ENV = "KCN_BENCH_LAYER"  # which layer of the register to draw: zones (default) or plots


def read_zones(path: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """Return the features of a layer of the register at ``path`` with a geometry."""
    layer = layer or os.environ.get(LAYER_ENV, "zones")
    gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    return gdf[[*TOOLTIP_FIELDS[layer], "geometry"]].reset_index(drop=True)


def build_naive_map(gdf: gpd.GeoDataFrame) -> folium.Map:
    """Return a folium map with the zones as one ``folium.GeoJson`` layer, no tiles."""
    m = folium.Map(location=[21.2, 106.8], zoom_start=8, tiles=None)
    # New lists on the instance: only Leaflet, served locally (folium's other
    # defaults are CDN links, which block the whole map under st_folium offline).
    m.default_js = [("leaflet", f"{ASSET_BASE}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{ASSET_BASE}/leaflet.css")]
    folium.GeoJson(
        gdf,
        name="zones",
        tooltip=folium.GeoJsonTooltip(fields=[c for c in gdf.columns if c != "geometry"]),
        # Points as circle markers (SVG paths), not image markers, so that every
        # feature is a path.leaflet-interactive the benchmark can count.
        marker=folium.CircleMarker(radius=6),
    ).add_to(m)
    if len(gdf):
        x0, y0, x1, y1 = gdf.total_bounds
        m.fit_bounds([[y0, x0], [y1, x1]])
    return m


if __name__ == "__main__":  # `streamlit run` runs the script as __main__
    import streamlit as st
    from streamlit_folium import st_folium

    @st.cache_resource(show_spinner=False)
    def _zones(path: str) -> gpd.GeoDataFrame:
        return read_zones(path)

    st.set_page_config(page_title="Naive folium map", layout="wide")
    zones = _zones(os.environ["KCN_ATLAS_STORE"])
    st.caption(f"{len(zones)} features, folium.GeoJson with GeoJsonTooltip")
    st_folium(build_naive_map(zones), height=HEIGHT)
