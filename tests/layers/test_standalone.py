import json
import re
from pathlib import Path

from layers.standalone import standalone_html
from layers.state import MapState
from tests.layers.conftest import make_context

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"
XSS_LINK = 'http://h/?q="><script>alert(1)</script>'


def _page(register, state=None, **kwargs):
    defaults = {"leaflet_js": (VENDOR / "leaflet.js").read_text(encoding="utf-8"),
                "leaflet_css": (VENDOR / "leaflet.css").read_text(encoding="utf-8"),
                "live_link": "http://127.0.0.1:8501/?v=1&zone=kcn-alpha",
                "generated": "2026-11-22", "sources": ["Test resolution 01-NQ/TEST, §I"]}
    defaults.update(kwargs)
    return standalone_html(make_context(register, state), **defaults)


def test_every_asset_is_inline(fixture_register):
    html = _page(fixture_register, MapState(basemap="none"))
    assert "<script src=" not in html and "<link rel=\"stylesheet\"" not in html
    assert "Leaflet 1.9.4" in html
    urls = set(re.findall(r"https?://[^\s\"'<>\\)]+", html))
    # The link back (its "&" is escaped) and the links in Leaflet's own comments.
    assert {u for u in urls if "127.0.0.1" in u} == {"http://127.0.0.1:8501/?v=1"}
    assert not [u for u in urls if "tile" in u or "cdn" in u]


def test_the_page_has_the_layers_legend_and_link(fixture_register):
    html = _page(fixture_register, MapState(zone="kcn-alpha"), linked_projects=["road-dike"])
    for zid in ("kcn-alpha", "kcn-beta", "kkt-test", "road-dike"):
        assert f'"id":"{zid}"' in html
    assert "kcn-selected" in html and "kcn-linked" in html
    boxes = [json.loads(b) for b in re.findall(r"div\.innerHTML = (\".*?\");", html)]
    assert any("Chú giải" in b for b in boxes)
    info = next(b for b in boxes if "Ngày xuất" in b)
    assert 'href="http://127.0.0.1:8501/?v=1&amp;zone=kcn-alpha"' in info
    assert "Test resolution 01-NQ/TEST, §I" in info
    assert "<title>KCN Atlas" in html


def test_tiles_are_optional(fixture_register):
    assert "tile.openstreetmap.org" in _page(fixture_register)
    assert "tile.openstreetmap.org" not in _page(fixture_register, tiles=False)


def test_link_and_sources_are_escaped(fixture_register):
    html = _page(fixture_register, live_link=XSS_LINK, sources=["<b>doc</b>"])
    assert "<script>alert(1)" not in html and "<b>doc" not in html
    assert "\\u0026lt;b\\u0026gt;doc" in html
