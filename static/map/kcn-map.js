// KCN Atlas live map: a Streamlit component (st.components.v2) drawing the register with
// Leaflet, served by the app itself (no CDN).
//
// The page script sends small `data` on every run (language, styles, which zones are
// shown, selection, a camera command); the features themselves are fetched once per
// register version from the app's endpoint and kept here. Filters, colours, layers and
// selection restyle what is already drawn: the map is created once and never rebuilt.
//
// Text from the data only reaches the page through textContent (never innerHTML);
// the legend's HTML comes escaped from the server.
//
// Events sent back: trigger `select` ({t: "zone"|"project", id}); trigger `drawn`
// ({seq, geometry} as GeoJSON, or {seq, cancel: true}) when the page asked a signed-in
// editor to draw (`data.edit`: {seq, kind, id, shape: "Polygon"|"Line", geometry?}): the
// shape is drawn and edited with Leaflet-Geoman (snapping, vertex editing), loaded only
// then, on the same map, which is never rebuilt. The camera never
// reruns the page: it is written into the address bar at once (a copied link reopens
// the same view) and posted to the app's /api/v1/view endpoint once the map settles
// (the page's exports read it there).

const HOST_CLASS = "kcn-map-host";
const assetsLoaded = {};

function loadScript(src) {
  if (!assetsLoaded[src]) {
    assetsLoaded[src] = new Promise((resolve, reject) => {
      const existing = document.querySelector(`script[data-kcn-src="${src}"]`);
      if (existing && existing.dataset.loaded === "1") { resolve(); return; }
      const el = existing || document.createElement("script");
      el.src = src;
      el.dataset.kcnSrc = src;
      el.async = false;
      el.addEventListener("load", () => { el.dataset.loaded = "1"; resolve(); });
      el.addEventListener("error", () => reject(new Error(`cannot load ${src}`)));
      if (!existing) document.head.appendChild(el);
    });
  }
  return assetsLoaded[src];
}

function loadCss(href) {
  if (!document.querySelector(`link[data-kcn-href="${href}"]`)) {
    const el = document.createElement("link");
    el.rel = "stylesheet";
    el.href = href;
    el.dataset.kcnHref = href;
    document.head.appendChild(el);
  }
}

function unpackBits(b64) {
  if (b64 === null || b64 === undefined) return null;
  const raw = atob(b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return (i) => ((bytes[i >> 3] >> (i & 7)) & 1) === 1;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// --- formatting -------------------------------------------------------------

function numberFormat(lang, digits) {
  return new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB",
                               {maximumFractionDigits: digits, minimumFractionDigits: 0});
}

function valueText(st, v, unit, digits) {
  // v: {v, x, c, t} from the server (geo.mapdata.value_display); "" when unknown.
  if (!v || v.v === undefined) return "";
  const fmt = numberFormat(st.data.lang, digits);
  let text = fmt.format(v.v);
  if (v.c === "range" && v.x !== undefined) text = `${text}–${fmt.format(v.x)}`;
  const prefix = {about: "~", above: ">", below: "<", at_least: "≥"}[v.c] || "";
  return `${prefix}${text}${unit}`;
}

function zoneName(st, f) {
  return (st.data.lang === "en" && f.ne) ? f.ne : f.nv;
}

function tr(st, key, fallback) {
  const t = st.data.text || {};
  return t[key] !== undefined ? t[key] : (fallback !== undefined ? fallback : key);
}

// --- styles -----------------------------------------------------------------

function zoneColor(st, f) {
  const c = st.data.colors;
  const mode = st.data.color_mode;
  if (mode === "kind") return c.kind[f.k] || c.unknown;
  if (mode === "occupancy") {
    const o = f.o && f.o.v !== undefined && (f.o.c === undefined || f.o.c === "about") ? f.o.v : null;
    if (o === null) return c.unknown;
    for (const [lo, hi, color] of c.occupancy) if (o >= lo && (hi === null || o < hi)) return color;
    return c.unknown;
  }
  return c.status[f.s] || c.unknown;
}

function zoneStyle(st, f) {
  const color = zoneColor(st, f);
  const existing = f.s === "operating" || f.s === "under_construction";
  const study = f.k === "study_area";
  const style = {
    color, fillColor: color, opacity: 0.95,
    weight: f.k === "KKT" ? 3 : 2,
    fillOpacity: study ? 0 : (f.k === "KKT" ? 0.08 : (existing ? 0.5 : 0.25)),
    dashArray: (f.q || study) ? "4 4" : null,
  };
  // Over its own plots a zone is an outline: the plots carry the colours.
  if (f.np && st.data.plots && st.map && st.map.getZoom() >= st.data.plots.min_zoom
      && st.layerSet.has("plots")) {
    style.fillOpacity = 0;
  }
  const sel = st.data.selection || {};
  if (sel.zone === f.id) Object.assign(style, {color: "#000000", weight: 4, opacity: 1, dashArray: null});
  else if (st.linkedZones.has(f.id)) Object.assign(style, {weight: style.weight + 3, opacity: 1});
  return style;
}

function markerRadius(f) {
  return {KKT: 10, KCN: 7, CCN: 5, study_area: 6}[f.k] || 6;
}

function projectStyle(st, f) {
  const color = st.data.colors.project[f.k] || st.data.colors.unknown;
  const dash = {under_construction: "8 6", planned: "2 6", proposed: "2 6"}[f.s] || null;
  const style = {color, fillColor: color, weight: 4, opacity: 0.9, fillOpacity: 0.8,
                 dashArray: dash};
  const sel = st.data.selection || {};
  if (sel.project === f.id) Object.assign(style, {color: "#000000", weight: 6, opacity: 1});
  else if (st.linkedProjects.has(f.id)) Object.assign(style, {weight: 7, opacity: 1});
  return style;
}

// --- tooltips (built when hovered) ------------------------------------------

function tierBadge(st, tier) {
  if (!tier) return null;
  return el("span", {class: `kcn-tier kcn-tier-${tier}`, title: tr(st, `tier.${tier}.long`),
                     text: tr(st, `tier.${tier}`)});
}

function zoneTooltip(st, f) {
  const box = el("div", {class: "kcn-tip"});
  box.append(el("b", {text: zoneName(st, f)}));
  box.append(el("div", {text: `${tr(st, `kind.${f.k}`)} · ${tr(st, `status.${f.s}`)}`}));
  if (f.pv) box.append(el("div", {text: f.pv}));
  const unknown = tr(st, "unknown");
  const area = valueText(st, f.a, " ha", 2) || unknown;
  const occ = valueText(st, f.o, "%", 1) || unknown;
  box.append(el("div", {}, `${tr(st, "attr.area_total_ha")}: ${area} `, tierBadge(st, f.a && f.a.t)));
  if (f.k !== "KKT" && f.k !== "study_area") {
    box.append(el("div", {}, `${tr(st, "attr.occupancy_pct")}: ${occ} `, tierBadge(st, f.o && f.o.t)));
  }
  if (f.r) box.append(el("div", {class: "kcn-tip-note", text: tr(st, "map.area_circle")}));
  if (f.q) box.append(el("div", {class: "kcn-tip-note", text: tr(st, "quality.approximate")}));
  return box;
}

function projectTooltip(st, f) {
  const box = el("div", {class: "kcn-tip"});
  box.append(el("b", {text: zoneName(st, f)}));
  const parts = [tr(st, `pkind.${f.k}`), tr(st, `status.${f.s}`)];
  if (f.per) parts.push(f.per);
  box.append(el("div", {text: parts.join(" · ")}));
  if (f.q) box.append(el("div", {class: "kcn-tip-note", text: tr(st, "quality.approximate")}));
  return box;
}

// --- feature layers ---------------------------------------------------------

function zoneLayerFor(st, f) {
  const L = window.L;
  const g = f.g;
  let layer;
  if (g.type === "Point") {
    const latlng = [g.coordinates[1], g.coordinates[0]];
    layer = f.r ? L.circle(latlng, {radius: f.r, renderer: st.renderer})
                : L.circleMarker(latlng, {radius: markerRadius(f), renderer: st.renderer});
  } else {
    layer = L.geoJSON(g, {renderer: st.renderer, style: () => zoneStyle(st, f)});
  }
  layer.kcnFeature = f;
  layer.bindTooltip(() => zoneTooltip(st, f), {sticky: true, direction: "top", opacity: 0.96});
  layer.on("tooltipopen", () => { if (st.plotHit) layer.closeTooltip(); });
  layer.on("click", (ev) => {
    if (st.editing) return;  // the click places a vertex of the drawing
    L.DomEvent.stopPropagation(ev);
    const hit = plotUnder(st, ev.latlng);
    if (hit && hit.kind === "plot") st.select({t: "plot", id: hit.f.props.id});
    else st.select({t: "zone", id: f.id});
  });
  return layer;
}

function projectLayerFor(st, f) {
  const L = window.L;
  const g = f.g;
  let layer;
  if (g.type === "Point") {
    layer = L.circleMarker([g.coordinates[1], g.coordinates[0]], {radius: 6, renderer: st.renderer});
  } else {
    layer = L.geoJSON(g, {renderer: st.renderer, style: () => projectStyle(st, f)});
  }
  layer.kcnFeature = f;
  layer.bindTooltip(() => projectTooltip(st, f), {sticky: true, direction: "top", opacity: 0.96});
  layer.on("click", (ev) => {
    if (st.editing) return;
    L.DomEvent.stopPropagation(ev);
    st.select({t: "project", id: f.id});
  });
  return layer;
}

function setLayerStyle(layer, style) {
  if (layer.setStyle) layer.setStyle(style);
}

async function loadFeatures(st, url) {
  if (st.featuresUrl === url) return;
  const response = await fetch(url, {credentials: "same-origin"});
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  const payload = await response.json();
  st.featuresUrl = url;
  st.zoneGroup.clearLayers();
  st.projectGroup.clearLayers();
  st.zones = payload.zones.map((f) => ({f, layer: zoneLayerFor(st, f), on: false}));
  st.projects = payload.projects.map((f) => ({f, layer: projectLayerFor(st, f), on: false}));
  st.provinceLabels = payload.province_labels || [];
  st.bounds = null;
}

function kindLayerKey(kind) {
  return {KKT: "kkt", KCN: "kcn", CCN: "ccn", study_area: "study"}[kind] || "kcn";
}

function applyState(st, {plots = true} = {}) {
  const d = st.data;
  const layers = new Set(d.layers || []);
  const zoneShown = unpackBits(d.shown_zones);
  st.layerSet = layers;
  st.zoneShown = zoneShown;
  st.sitePlots = new Set((d.plots && d.plots.highlight) || []);
  const projectShown = unpackBits(d.shown_projects);
  const sel = d.selection || {};
  st.linkedZones = new Set(sel.linked_zones || []);
  st.linkedProjects = new Set(sel.linked_projects || []);
  for (const z of st.zones) {
    const on = layers.has(kindLayerKey(z.f.k)) && (zoneShown === null || zoneShown(z.f.i));
    if (on !== z.on) {
      if (on) st.zoneGroup.addLayer(z.layer); else st.zoneGroup.removeLayer(z.layer);
      z.on = on;
    }
    if (on) setLayerStyle(z.layer, zoneStyle(st, z.f));
  }
  for (const p of st.projects) {
    const on = layers.has("infra") && (projectShown === null || projectShown(p.f.i));
    if (on !== p.on) {
      if (on) st.projectGroup.addLayer(p.layer); else st.projectGroup.removeLayer(p.layer);
      p.on = on;
    }
    if (on) setLayerStyle(p.layer, projectStyle(st, p.f));
  }
  // The selection and what it links to are drawn above the rest.
  for (const item of [...st.zones, ...st.projects]) {
    const f = item.f;
    if (item.on && (f.id === sel.zone || f.id === sel.project || st.linkedZones.has(f.id)
                    || st.linkedProjects.has(f.id)) && item.layer.bringToFront) {
      item.layer.bringToFront();
    }
  }
  updateBaseMap(st);
  const plotLayer = plots ? dataLayer(st) : null;
  if (plotLayer) {
    // Redraw the plots only when what they show changed: a layer toggle or a change of
    // the zones' colours leaves them as they are.
    const key = plotKey(st);
    if (key !== st.plotKey) {
      st.plotKey = key;
      plotLayer.clearLayout();
      plotLayer.rerenderTiles();
    }
  }
  updateLegend(st);
  translateNotice(st);
  renderList(st);
  placeLabels(st);
  st.container.dataset.zonesDrawn = String(st.zones.filter((z) => z.on).length);
  st.container.dataset.projectsDrawn = String(st.projects.filter((p) => p.on).length);
  st.container.dataset.selected = sel.zone || sel.project || "";
  st.container.dataset.applied = String(Number(st.container.dataset.applied || 0) + 1);
}

// --- plots: vector tiles from the app, drawn on canvas --------------------------

const PLOT_STATUS = {l: "leased", v: "vacant", r: "reserved", n: "negotiation",
                     u: "unavailable", "?": "unknown"};

// Everything the plot layer's paint rules read (plotVisible, plotColor, plotHighlighted
// and the summary circles), as one string.
function plotKey(st) {
  const d = st.data;
  return JSON.stringify([st.layerSet.has("plots"), d.shown_zones ?? null,
                         (d.plots && d.plots.status) || null, [...st.sitePlots],
                         (d.selection || {}).plot || null,
                         (d.colors && d.colors.plot) || null, (d.colors && d.colors.unknown) || null]);
}

function plotVisible(st, f) {
  const p = f.props;
  if (!st.layerSet.has("plots")) return false;
  if (st.zoneShown && p.zi >= 0 && !st.zoneShown(p.zi)) return false;
  const want = st.data.plots && st.data.plots.status;
  if (want && want.length && !want.includes(PLOT_STATUS[p.s] || "unknown")) return false;
  return true;
}

function plotColor(st, f) {
  return st.data.colors.plot[PLOT_STATUS[f.props.s] || "unknown"] || st.data.colors.unknown;
}

function plotHighlighted(st, f) {
  return f.props.id === (st.data.selection || {}).plot || st.sitePlots.has(f.props.id);
}

function dataLayer(st) {
  const d = st.data;
  if (!d.plots || !d.plots.tiles || !window.protomapsL) return null;
  if (st.dataLayer && st.dataLayerUrl === d.plots.tiles) return st.dataLayer;
  if (st.dataLayer) st.map.removeLayer(st.dataLayer);
  const P = window.protomapsL;
  st.dataLayerUrl = d.plots.tiles;
  st.dataLayer = P.leafletLayer({
    url: d.plots.tiles,
    maxDataZoom: d.plots.max_zoom,
    // Tiles of the map's own zoom (the default reads zoom z - 1 for 512-pixel tiles):
    // the server's plots start at min_zoom, and so must what is drawn.
    levelDiff: 0,
    attribution: "",
    paintRules: [
      {dataLayer: "plots", filter: (z, f) => plotVisible(st, f),
       symbolizer: new P.PolygonSymbolizer({fill: (z, f) => plotColor(st, f), opacity: 0.8,
                                             stroke: "#ffffff", width: 0.6, perFeature: true})},
      {dataLayer: "plots", filter: (z, f) => plotVisible(st, f) && plotHighlighted(st, f),
       symbolizer: new P.LineSymbolizer({color: "#000000", width: 2.5})},
      {dataLayer: "plot_summary",
       filter: (z, f) => st.layerSet.has("plots") && f.props.vac > 0
         && (!st.zoneShown || f.props.zi < 0 || st.zoneShown(f.props.zi)),
       symbolizer: new P.CircleSymbolizer({
         radius: (z, f) => Math.max(4, Math.min(26, 2.2 * Math.sqrt(f.props.vac))),
         fill: st.data.colors.plot.vacant, opacity: 0.75, stroke: "#ffffff", width: 1})},
    ],
    labelRules: [],
    pane: "kcnPlots",
  });
  // Whether its tiles are all in: for tests and benchmarks (data-tiles="idle").
  st.dataLayer.on("loading", () => { st.container.dataset.tiles = "loading"; });
  st.dataLayer.on("load", () => { st.container.dataset.tiles = "idle"; });
  st.dataLayer.addTo(st.map);
  return st.dataLayer;
}

function plotUnder(st, latlng) {
  if (!st.dataLayer || !st.map.hasLayer(st.dataLayer)) return null;
  const z = st.map.getZoom();
  const found = st.dataLayer.queryTileFeaturesDebug(latlng.lng, latlng.lat, 6);
  for (const hits of found.values()) {
    for (const hit of hits) {
      const f = hit.feature;
      if (hit.layerName === "plots" && z >= st.data.plots.min_zoom && plotVisible(st, f)) {
        return {kind: "plot", f};
      }
      if (hit.layerName === "plot_summary" && z < st.data.plots.min_zoom && f.props.vac > 0) {
        return {kind: "summary", f};
      }
    }
  }
  return null;
}

function plotTooltip(st, hit) {
  const p = hit.f.props;
  const box = el("div", {class: "kcn-tip"});
  const zone = st.zones[p.zi] ? zoneName(st, st.zones[p.zi].f) : "";
  const fmt = numberFormat(st.data.lang, 2);
  if (hit.kind === "plot") {
    box.append(el("b", {text: `${tr(st, "plot.code")} ${p.c}`}));
    if (zone) box.append(el("div", {text: zone}));
    box.append(el("div", {text: tr(st, `plot.${PLOT_STATUS[p.s] || "unknown"}`)}));
    if (p.a !== undefined) box.append(el("div", {text: `${fmt.format(p.a)} ha`}));
  } else {
    box.append(el("b", {text: zone}));
    box.append(el("div", {text: tr(st, "plot.summary")
      .replace("{n}", String(p.n)).replace("{vac}", fmt.format(p.vac))
      .replace("{lea}", fmt.format(p.lea))}));
  }
  return box;
}

function onPointer(st, ev) {
  if (st.pointerFrame) return;
  st.pointerFrame = requestAnimationFrame(() => {
    st.pointerFrame = null;
    const hit = plotUnder(st, ev.latlng);
    st.plotHit = hit;
    if (!hit) {
      if (st.plotTip) st.map.closeTooltip(st.plotTip);
      st.mapDiv.classList.remove("kcn-pointer");
      return;
    }
    st.mapDiv.classList.add("kcn-pointer");
    // The plot is on top: its description, not the zone's beneath it.
    st.zoneGroup.eachLayer((layer) => layer.closeTooltip && layer.closeTooltip());
    if (!st.plotTip) st.plotTip = window.L.tooltip({direction: "top", opacity: 0.96});
    st.plotTip.setLatLng(ev.latlng).setContent(plotTooltip(st, hit));
    if (!st.map.hasLayer(st.plotTip)) st.plotTip.addTo(st.map);
  });
}

// --- base map and the bundled reference map ---------------------------------

function referenceLayer(st) {
  if (st.refLayer || !window.protomapsL) return st.refLayer;
  const P = window.protomapsL;
  const d = st.data;
  st.refLayer = P.leafletLayer({
    url: d.reference.tiles,
    maxDataZoom: d.reference.max_zoom,
    attribution: d.reference.attribution,
    backgroundColor: "#cfe2ee",
    paintRules: [
      {dataLayer: "land", symbolizer: new P.PolygonSymbolizer({fill: "#f5f2ea"})},
      {dataLayer: "provinces",
       symbolizer: new P.LineSymbolizer({color: "#8a94a6", width: 1.1, dash: [4, 3]})},
    ],
    labelRules: [],
    pane: "kcnReference",
  });
  return st.refLayer;
}

function updateBaseMap(st) {
  const L = window.L;
  const d = st.data;
  const want = d.basemap && d.basemap.url && !st.tilesFailed ? d.basemap.url : null;
  if (st.tileLayer && st.tileLayer._kcnUrl !== want) {
    st.map.removeLayer(st.tileLayer);
    st.tileLayer = null;
  }
  if (want && !st.tileLayer) {
    const layer = L.tileLayer(want, {maxZoom: d.basemap.max_zoom || 19,
                                     attribution: d.basemap.attribution});
    layer._kcnUrl = want;
    let loaded = 0;
    let failed = 0;
    layer.on("tileload", () => { loaded += 1; });
    layer.on("tileerror", () => {
      failed += 1;
      if (loaded === 0 && failed >= 2 && !st.tilesFailed) {
        st.tilesFailed = true;
        showNotice(st, "map.tiles_failed");
        updateBaseMap(st);
        placeLabels(st);
      }
    });
    st.tileLayer = layer.addTo(st.map);
  }
  // The reference map is drawn whenever no base-map tiles are (chosen "reference",
  // "none" with the geography kept, or tiles that cannot load).
  const wantRef = !want && d.basemap_id !== "none";
  const ref = referenceLayer(st);
  if (ref) {
    if (wantRef && !st.map.hasLayer(ref)) ref.addTo(st.map);
    if (!wantRef && st.map.hasLayer(ref)) st.map.removeLayer(ref);
  }
  st.container.classList.toggle("kcn-ref-on", wantRef);
  st.showProvinceLabels = wantRef;
}

function showNotice(st, key) {
  if (st.notice) return;
  const box = el("div", {class: "kcn-notice", role: "status"});
  box.append(el("span", {class: "kcn-notice-text"}));
  const close = el("button", {type: "button", class: "kcn-notice-close", text: "×"});
  close.addEventListener("click", () => box.remove());
  box.append(close);
  st.mapDiv.append(box);
  st.notice = box;
  st.noticeKey = key;
  translateNotice(st);
}

// The notice follows the page's language when it changes (it is worded from data.labels).
function translateNotice(st) {
  if (!st.notice) return;
  st.notice.querySelector(".kcn-notice-text").textContent = tr(st, st.noticeKey);
  st.notice.querySelector(".kcn-notice-close").setAttribute("aria-label", tr(st, "map.close"));
}

// --- legend -----------------------------------------------------------------

function updateLegend(st) {
  if (!st.legendBox) return;
  if (st.legendHtml !== st.data.legend_html) {
    st.legendHtml = st.data.legend_html;
    // Escaped by the server (Jinja autoescape); no data value is interpolated here.
    st.legendBody.innerHTML = st.data.legend_html;
  }
  st.legendButton.textContent = tr(st, "legend.title");
}

function buildLegend(st) {
  const L = window.L;
  const Legend = L.Control.extend({
    options: {position: "topright"},
    onAdd() {
      const box = el("div", {class: "kcn-legend leaflet-bar"});
      const button = el("button", {type: "button", class: "kcn-legend-toggle",
                                   "aria-expanded": "false"});
      const body = el("div", {class: "kcn-legend-body", hidden: true});
      button.addEventListener("click", () => {
        const open = body.hidden;
        body.hidden = !open;
        button.setAttribute("aria-expanded", open ? "true" : "false");
        box.classList.toggle("kcn-legend-open", open);
      });
      box.append(button, body);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      st.legendBox = box;
      st.legendButton = button;
      st.legendBody = body;
      return box;
    },
  });
  new Legend().addTo(st.map);
  // Open on wide maps; a small map starts with the legend folded to its button.
  if (st.mapDiv.clientWidth >= 900 && !st.data.present) st.legendButton.click();
}

// --- labels: names where they do not collide --------------------------------

const LABEL_MIN_ZOOM = {KKT: 8, KCN: 10, CCN: 12, study_area: 11};

function labelCandidates(st) {
  const z = st.map.getZoom();
  const out = [];
  const sel = (st.data.selection || {}).zone;
  if (st.showProvinceLabels && z <= 9) {
    for (const p of st.provinceLabels) {
      out.push({text: st.data.lang === "en" ? p.ne : p.nv, lat: p.lat, lon: p.lon,
                rank: 1, cls: "kcn-label-province"});
    }
  }
  for (const item of st.zones) {
    if (!item.on) continue;
    const f = item.f;
    const selected = f.id === sel;
    if (!selected && z < (LABEL_MIN_ZOOM[f.k] || 11)) continue;
    const c = item.layer.getBounds ? item.layer.getBounds().getCenter() : item.layer.getLatLng();
    const area = f.a && f.a.v ? f.a.v : 0;
    const rank = selected ? 0 : ({KKT: 2, KCN: 3, CCN: 4, study_area: 5}[f.k] || 5) - area / 1e6;
    out.push({text: zoneName(st, f), lat: c.lat, lon: c.lng, rank,
              cls: selected ? "kcn-label-zone kcn-label-selected" : "kcn-label-zone"});
  }
  out.sort((a, b) => a.rank - b.rank);
  return out;
}

function placeLabels(st) {
  if (!st.labelPane) return;
  const pane = st.labelPane;
  pane.replaceChildren();
  const size = st.map.getSize();
  const ctx = st.measure;
  const placed = [];
  for (const c of labelCandidates(st)) {
    const font = c.cls.includes("province") ? "600 12px system-ui, sans-serif"
      : "12px system-ui, sans-serif";
    ctx.font = font;
    const w = ctx.measureText(c.text).width + 8;
    const h = 16;
    const p = st.map.latLngToContainerPoint([c.lat, c.lon]);
    const box = {x0: p.x - w / 2, y0: p.y - h - 6, x1: p.x + w / 2, y1: p.y - 6};
    if (box.x1 < 0 || box.y1 < 0 || box.x0 > size.x || box.y0 > size.y) continue;
    if (placed.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1)) {
      continue;
    }
    placed.push(box);
    const lp = st.map.containerPointToLayerPoint([box.x0, box.y0]);
    const label = el("div", {class: `kcn-label ${c.cls}`, text: c.text});
    label.style.transform = `translate(${Math.round(lp.x)}px, ${Math.round(lp.y)}px)`;
    pane.append(label);
    if (placed.length > 400) break;
  }
}

// --- the zone list (the accessible way to every zone) ----------------------

function sortValue(st, f, key) {
  if (key === "name") return zoneName(st, f).toLocaleLowerCase(st.data.lang);
  if (key === "kind") return tr(st, `kind.${f.k}`);
  if (key === "status") return tr(st, `status.${f.s}`);
  if (key === "area") return f.a && f.a.v !== undefined ? f.a.v : null;
  if (key === "occ") return f.o && f.o.v !== undefined ? f.o.v : null;
  return null;
}

function renderList(st) {
  const wrap = st.listWrap;
  if (!wrap) return;
  wrap.hidden = !!st.data.present;
  if (st.data.present) return;
  const rows = st.zones.filter((z) => z.on).map((z) => z.f);
  const key = st.sortKey || "name";
  const dir = st.sortDir || 1;
  rows.sort((a, b) => {
    const va = sortValue(st, a, key);
    const vb = sortValue(st, b, key);
    if (va === vb) return zoneName(st, a).localeCompare(zoneName(st, b), st.data.lang);
    if (va === null) return 1;  // unknown values last, whatever the direction
    if (vb === null) return -1;
    return (typeof va === "number" ? va - vb : String(va).localeCompare(String(vb), st.data.lang)) * dir;
  });
  const selected = (st.data.selection || {}).zone;
  const caption = el("caption", {text: tr(st, "list.caption").replace("{n}", String(rows.length))});
  const head = el("tr");
  for (const [k, label, numeric] of [["name", tr(st, "list.name")], ["kind", tr(st, "list.kind")],
                                     ["status", tr(st, "list.status")],
                                     ["area", tr(st, "list.area"), true],
                                     ["occ", tr(st, "list.occupancy"), true]]) {
    const sorted = key === k ? (dir > 0 ? "ascending" : "descending") : "none";
    const th = el("th", {scope: "col", "aria-sort": sorted, class: numeric ? "kcn-num" : null});
    const b = el("button", {type: "button", class: "kcn-sort", text: label});
    b.addEventListener("click", () => {
      st.sortDir = st.sortKey === k ? -dir : 1;
      st.sortKey = k;
      renderList(st);
    });
    th.append(b);
    head.append(th);
  }
  const body = el("tbody");
  let selectedRow = null;
  for (const f of rows) {
    const isSel = f.id === selected;
    const row = el("tr", {class: isSel ? "kcn-row-selected" : null, "aria-selected": isSel ? "true" : "false",
                          "data-zone": f.id});
    const name = el("button", {type: "button", class: "kcn-row-name", text: zoneName(st, f)});
    name.addEventListener("click", () => st.select({t: "zone", id: f.id, from: "list"}));
    row.append(el("td", {}, name), el("td", {text: tr(st, `kind.${f.k}`)}),
               el("td", {text: tr(st, `status.${f.s}`)}),
               el("td", {class: "kcn-num", text: valueText(st, f.a, "", 2) || "—"}),
               el("td", {class: "kcn-num", text: valueText(st, f.o, "", 1) || "—"}));
    row.addEventListener("mouseenter", () => highlight(st, f.id, true));
    row.addEventListener("mouseleave", () => highlight(st, f.id, false));
    body.append(row);
    if (isSel) selectedRow = row;
  }
  const table = el("table", {class: "kcn-list"}, caption, el("thead", {}, head), body);
  st.listScroll.replaceChildren(table);
  if (selectedRow && st.lastScrolled !== selected) {
    st.lastScrolled = selected;
    selectedRow.scrollIntoView({block: "nearest"});
  }
}

function highlight(st, id, on) {
  const item = st.zones.find((z) => z.f.id === id);
  if (!item || !item.on) return;
  const style = zoneStyle(st, item.f);
  if (on) Object.assign(style, {weight: style.weight + 3, opacity: 1});
  setLayerStyle(item.layer, style);
}

// --- camera -----------------------------------------------------------------

function writeCameraToUrl(st) {
  if (!st.map) return;
  const c = st.map.getCenter();
  const url = new URL(window.location.href);
  url.searchParams.set("lat", c.lat.toFixed(5));
  url.searchParams.set("lon", c.lng.toFixed(5));
  url.searchParams.set("z", String(st.map.getZoom()));
  if (!url.searchParams.has("v")) url.searchParams.set("v", "1");
  st.originalReplaceState.call(window.history, window.history.state, "", url.toString());
  window.dispatchEvent(new CustomEvent("kcn:url"));
}

function applyCamera(st) {
  const cam = st.data.camera;
  if (!cam || cam.seq === st.cameraSeq) return;
  st.cameraSeq = cam.seq;
  const padTL = [30, 30];
  const padBR = [30, 30];
  if (cam.center) {
    st.map.setView(cam.center, cam.zoom, {animate: false});
  } else if (cam.fit) {
    st.map.fitBounds(cam.fit, {paddingTopLeft: padTL, paddingBottomRight: padBR,
                               maxZoom: cam.max_zoom || 13, animate: false});
  }
}

function onMoveEnd(st) {
  // Panning and zooming never rerun the page: the view goes into the address bar at
  // once and, after the map settles, to the app's view endpoint (a few bytes).
  writeCameraToUrl(st);
  placeLabels(st);
  clearTimeout(st.cameraTimer);
  st.cameraTimer = setTimeout(() => reportCamera(st), 400);
}

function reportCamera(st) {
  if (!st.map || !st.data.view_url) return;
  const c = st.map.getCenter();
  const cam = {lat: Number(c.lat.toFixed(5)), lon: Number(c.lng.toFixed(5)), z: st.map.getZoom()};
  const last = st.sentCamera;
  if (last && last.lat === cam.lat && last.lon === cam.lon && last.z === cam.z) return;
  st.sentCamera = cam;
  fetch(st.data.view_url, {method: "POST", keepalive: true, credentials: "same-origin",
                           headers: {"Content-Type": "application/json"},
                           body: JSON.stringify(cam)}).catch(() => { st.sentCamera = null; });
}

// Streamlit writes the page's query string on its runs; keep the map's camera in it.
function guardHistory(st) {
  if (window.__kcnHistoryGuard) {
    window.__kcnHistoryGuard.st = st;
    st.originalReplaceState = window.__kcnHistoryGuard.replace;
    return;
  }
  const guard = {st, replace: window.history.replaceState, push: window.history.pushState};
  window.__kcnHistoryGuard = guard;
  st.originalReplaceState = guard.replace;
  const keep = (fn) => function (state, title, url) {
    fn.call(window.history, state, title, url);
    const cur = guard.st;
    if (cur && cur.map && document.body.contains(cur.container)) writeCameraToUrl(cur);
  };
  window.history.replaceState = keep(guard.replace);
  window.history.pushState = keep(guard.push);
}

// --- drawing and editing shapes (signed-in editors) ---------------------------------

const EDIT_STYLE = {color: "#d9480f", weight: 3, opacity: 1, fillColor: "#d9480f", fillOpacity: 0.15};

function stopEditing(st) {
  const map = st.map;
  if (map && map.pm) {
    map.pm.disableDraw();
    map.off("pm:create");
  }
  if (st.editGroup) {
    st.editGroup.eachLayer((l) => { if (l.pm) l.pm.disable(); });
    map.removeLayer(st.editGroup);
  }
  if (st.editBar) st.editBar.remove();
  st.editGroup = null;
  st.editLayer = null;
  st.editBar = null;
  st.editing = false;
  st.container.dataset.editing = "";
}

function editBar(st, e) {
  const L = window.L;
  const Bar = L.Control.extend({
    options: {position: "topleft"},
    onAdd() {
      const box = el("div", {class: "kcn-edit-bar leaflet-bar"});
      box.append(el("span", {class: "kcn-edit-title", text: tr(st, "draw.drawing")}));
      const done = el("button", {type: "button", class: "kcn-edit-done", text: tr(st, "draw.done")});
      const cancel = el("button", {type: "button", class: "kcn-edit-cancel", text: tr(st, "draw.cancel")});
      done.addEventListener("click", () => finishEditing(st, e, false));
      cancel.addEventListener("click", () => finishEditing(st, e, true));
      box.append(done, cancel);
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });
  st.editBar = new Bar().addTo(st.map);
}

function finishEditing(st, e, cancel) {
  if (cancel) {
    stopEditing(st);
    st.sendDrawn({seq: e.seq, cancel: true});
    return;
  }
  if (!st.editLayer) return;  // nothing drawn yet
  const geometry = st.editLayer.toGeoJSON().geometry;
  stopEditing(st);
  st.sendDrawn({seq: e.seq, geometry});
}

async function applyEdit(st) {
  const e = st.data.edit || null;
  const seq = e ? e.seq : null;
  if (seq === st.editSeq) return;
  stopEditing(st);
  st.editSeq = seq;
  if (!e) return;
  await loadScript(st.data.assets.geoman_js);
  loadCss(st.data.assets.geoman_css);
  const L = window.L;
  const map = st.map;
  // The map was made before Leaflet-Geoman loaded (only editors need it): give it its tools.
  if (!map.pm) map.pm = new L.PM.Map(map);
  map.pm.setGlobalOptions({snappable: true, snapDistance: 12, allowSelfIntersection: false,
                           templineStyle: EDIT_STYLE, hintlineStyle: {...EDIT_STYLE, dashArray: "4 4"},
                           pathOptions: EDIT_STYLE});
  st.editing = true;
  st.container.dataset.editing = e.kind;
  // The button that starts drawing sits below the map in the panel: bring the map into view.
  st.container.scrollIntoView({block: "nearest", behavior: "smooth"});
  st.editGroup = L.featureGroup().addTo(map);
  editBar(st, e);
  const wanted = e.shape === "Line" ? ["LineString", "MultiLineString"] : ["Polygon", "MultiPolygon"];
  if (e.geometry && wanted.includes(e.geometry.type)) {
    // The current shape, its vertices draggable (snapping to the other zones).
    L.geoJSON(e.geometry, {style: () => EDIT_STYLE}).eachLayer((layer) => {
      st.editGroup.addLayer(layer);
      layer.pm.enable({snappable: true, allowSelfIntersection: false});
      st.editLayer = st.editLayer || layer;
    });
    st.container.dataset.editing = `${e.kind}:vertices`;
  } else {
    map.pm.enableDraw(e.shape === "Line" ? "Line" : "Polygon", {snappable: true, continueDrawing: false});
    map.on("pm:create", (ev) => {
      map.off("pm:create");
      st.editLayer = ev.layer;
      map.removeLayer(ev.layer);
      st.editGroup.addLayer(ev.layer);
      ev.layer.pm.enable({snappable: true, allowSelfIntersection: false});
      st.container.dataset.editing = `${e.kind}:drawn`;
    });
  }
}

function applyDrawn(st) {
  // A shape drawn and not saved yet: shown dashed until the page saves or discards it.
  const g = st.data.drawn && st.data.drawn.geometry;
  const key = g ? JSON.stringify(g) : "";
  if (key === st.drawnKey) return;
  st.drawnKey = key;
  if (st.drawnLayer) { st.map.removeLayer(st.drawnLayer); st.drawnLayer = null; }
  if (g) {
    st.drawnLayer = window.L.geoJSON(g, {interactive: false,
      style: () => ({...EDIT_STYLE, dashArray: "6 4"}),
      pointToLayer: (f, ll) => window.L.circleMarker(ll, {radius: 7, ...EDIT_STYLE})}).addTo(st.map);
  }
}

// --- building the map once ---------------------------------------------------

function createMap(st) {
  const L = window.L;
  const d = st.data;
  st.container.replaceChildren();
  st.mapDiv = el("div", {class: "kcn-map", role: "region", "aria-label": tr(st, "map.aria")});
  st.container.append(st.mapDiv);
  st.listWrap = el("div", {class: "kcn-list-wrap"});
  st.listScroll = el("div", {class: "kcn-list-scroll"});
  st.listWrap.append(st.listScroll);
  st.container.append(st.listWrap);
  st.measure = document.createElement("canvas").getContext("2d");

  L.Icon.Default.imagePath = d.assets.images;
  st.map = L.map(st.mapDiv, {zoomControl: true, preferCanvas: true, minZoom: 4, maxZoom: 19,
                             worldCopyJump: false});
  st.map.attributionControl.setPrefix(false);
  L.control.scale({imperial: false, position: "bottomright"}).addTo(st.map);
  st.renderer = L.canvas({padding: 0.3, tolerance: 4});
  st.map.createPane("kcnReference").style.zIndex = 150;
  st.map.createPane("kcnPlots").style.zIndex = 390;  // above the base map, below zones
  st.labelPane = st.map.createPane("kcnLabels");
  st.labelPane.style.zIndex = 650;
  st.labelPane.style.pointerEvents = "none";
  st.zoneGroup = L.featureGroup().addTo(st.map);
  st.projectGroup = L.featureGroup().addTo(st.map);
  st.zones = [];
  st.projects = [];
  st.provinceLabels = [];
  buildLegend(st);
  st.map.on("moveend", () => onMoveEnd(st));
  st.map.on("mousemove", (ev) => onPointer(st, ev));
  st.map.on("click", (ev) => {
    if (st.editing) return;
    const hit = plotUnder(st, ev.latlng);
    if (hit && hit.kind === "plot") st.select({t: "plot", id: hit.f.props.id});
  });
  st.map.on("zoomstart", () => { if (st.labelPane) st.labelPane.replaceChildren(); });
  st.map.on("zoomend", () => {
    // Zones with plots turn into outlines from the zoom where plots are drawn.
    const minZ = st.data.plots ? st.data.plots.min_zoom : 99;
    const above = st.map.getZoom() >= minZ;
    if (above !== st.abovePlotZoom) {
      st.abovePlotZoom = above;
      for (const z of st.zones) if (z.on && z.f.np) setLayerStyle(z.layer, zoneStyle(st, z.f));
    }
  });
  st.map.setView(d.initial_center || [21.0, 106.8], d.initial_zoom || 8, {animate: false});
  // The container may get its final size after the first paint.
  if (window.ResizeObserver) {
    new ResizeObserver(() => st.map.invalidateSize({pan: false})).observe(st.mapDiv);
  }
}

async function update(st) {
  const d = st.data;
  await Promise.all([loadScript(d.assets.leaflet_js), loadCss(d.assets.leaflet_css)]);
  await loadScript(d.assets.protomaps_js).catch(() => null);  // reference map only
  if (!st.map) createMap(st);
  st.container.classList.toggle("kcn-present", !!d.present);
  await loadFeatures(st, d.features_url);
  applyState(st);
  applyCamera(st);
  applyDrawn(st);
  await applyEdit(st);
  st.container.dataset.ready = "1";
  st.container.dataset.version = d.version;
}

export default function (component) {
  const {data, parentElement, setTriggerValue} = component;
  let host = parentElement.querySelector(`.${HOST_CLASS}`);
  if (!host) {
    host = el("div", {class: HOST_CLASS});
    parentElement.append(host);
  }
  const st = host.__kcn || (host.__kcn = {container: host, linkedZones: new Set(),
                                          linkedProjects: new Set(), sitePlots: new Set(),
                                          layerSet: new Set()});
  st.data = data;
  st.select = (what) => {
    // The choice shows at once on the map and in the list; the page's answer (panel,
    // linked zones and projects, camera) replaces it when it comes.
    if (st.map && what && (what.t === "zone" || what.t === "project")) {
      st.data = {...st.data, selection: {[what.t]: what.id}};
      applyState(st, {plots: false});  // a selection does not restyle the plots
    }
    setTriggerValue("select", what);
  };
  st.sendDrawn = (what) => setTriggerValue("drawn", what);
  guardHistory(st);
  // For tests and accessibility tools: what is drawn, and where, without reading pixels.
  host.kcnInspect = {
    drawn: () => st.zones.filter((z) => z.on).map((z) => z.f.id),
    drawnProjects: () => st.projects.filter((p) => p.on).map((p) => p.f.id),
    view: () => {
      const c = st.map.getCenter();
      return {lat: c.lat, lon: c.lng, z: st.map.getZoom()};
    },
    // Page coordinates of a feature's centre (for pointer events in tests).
    pointOf: (id) => {
      const item = [...st.zones, ...st.projects].find((x) => x.f.id === id);
      if (!item || !item.on) return null;
      const ll = item.layer.getLatLng ? item.layer.getLatLng() : item.layer.getBounds().getCenter();
      const p = st.map.latLngToContainerPoint(ll);
      const r = st.mapDiv.getBoundingClientRect();
      return {x: r.left + p.x, y: r.top + p.y};
    },
    mapBox: () => {
      const r = st.mapDiv.getBoundingClientRect();
      return {x: r.left, y: r.top, width: r.width, height: r.height};
    },
    // Plots the canvas draws now: those of the tiles in view that pass the filters.
    plotsDrawn: () => {
      if (!st.dataLayer || !st.map.hasLayer(st.dataLayer)) return 0;
      if (st.map.getZoom() < st.data.plots.min_zoom) return 0;
      const seen = new Set();
      for (const view of st.dataLayer.views.values()) {
        for (const entry of view.tileCache.cache.values()) {
          for (const f of entry.data.get("plots") || []) {
            if (plotVisible(st, f)) seen.add(f.props.id);
          }
        }
      }
      return seen.size;
    },
    highlighted: () => [...st.sitePlots],
    // The drawing in progress: "" when none, else "<kind>", "<kind>:drawn", "<kind>:vertices".
    editing: () => st.container.dataset.editing || "",
    // The outline of a zone as drawn now (GeoJSON geometry), for tests.
    geometryOf: (id) => {
      const item = st.zones.find((x) => x.f.id === id);
      return item ? item.f.g : null;
    },
    pointOfLatLng: (lat, lon) => {
      const p = st.map.latLngToContainerPoint([lat, lon]);
      const r = st.mapDiv.getBoundingClientRect();
      return {x: r.left + p.x, y: r.top + p.y};
    },
    inView: (id) => {
      const item = st.zones.find((x) => x.f.id === id);
      if (!item) return false;
      const b = item.layer.getLatLng ? window.L.latLngBounds([item.layer.getLatLng()]) : item.layer.getBounds();
      return st.map.getBounds().contains(b.getCenter());
    },
  };
  st.pending = (st.pending || Promise.resolve()).then(() => update(st)).catch((err) => {
    host.dataset.error = String(err && err.message ? err.message : err);
    console.error("KCN Atlas map:", err);
  });
}
