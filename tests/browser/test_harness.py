"""Self-test of the browser harness, independent of the app.

A tiny local HTTP server serves a page that embeds, in an iframe titled like
st_folium's, a Leaflet map built from the vendored ``static/vendor`` copy
(no tiles, one polygon) plus one external image. This proves that Leaflet works
offline from the vendored files, that ``wait_for_preview`` finds drawn features,
and that every non-local request is aborted and recorded.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR = REPO_ROOT / "static" / "vendor"
EXTERNAL_TILE = "https://tile.openstreetmap.org/0/0/0.png"

INDEX_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>harness</title></head>
<body style="margin:0">
<iframe title="streamlit_folium.st_folium" src="map.html"
        style="width:800px;height:600px;border:0"></iframe>
</body></html>
"""

MAP_HTML = f"""<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="vendor/leaflet.css">
<script src="vendor/leaflet.js"></script>
<style>html, body, #map {{ margin: 0; width: 100%; height: 100%; }}</style>
</head><body>
<div id="map"></div>
<img id="tile" alt="" src="{EXTERNAL_TILE}"
     onload="window.tileState = 'loaded'" onerror="window.tileState = 'error'">
<script>
  L.Icon.Default.imagePath = "vendor/images/";
  var map = L.map("map", {{center: [20.85, 106.68], zoom: 11}});
  L.polygon([[20.80, 106.60], [20.90, 106.62], [20.88, 106.75], [20.79, 106.72]],
            {{color: "#1f5f8b"}}).bindTooltip("KCN Đình Vũ").addTo(map);
  window.leafletVersion = L.version;
</script>
</body></html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def harness_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the harness pages from a temp dir on 127.0.0.1; yield the base URL."""
    root = tmp_path_factory.mktemp("harness-site")
    vendor = root / "vendor"
    (vendor / "images").mkdir(parents=True)
    shutil.copy2(VENDOR / "leaflet.js", vendor / "leaflet.js")
    shutil.copy2(VENDOR / "leaflet.css", vendor / "leaflet.css")
    for png in (VENDOR / "images").glob("*.png"):
        shutil.copy2(png, vendor / "images" / png.name)
    (root / "index.html").write_text(INDEX_HTML, encoding="utf-8")
    (root / "map.html").write_text(MAP_HTML, encoding="utf-8")

    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def harness_page(browser_context_factory, save_screenshot, request):
    """A page in a fresh browser; screenshot to test-artifacts/ on failure."""
    context = browser_context_factory()
    page = context.pages[0] if context.pages else context.new_page()
    try:
        yield page
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            save_screenshot(page, request.node.name)
        context.close()


def test_offline_leaflet_draws_and_external_requests_are_blocked(
    harness_site, harness_page, wait_for_preview
):
    page = harness_page
    page.goto(f"{harness_site}/index.html")
    # The harness iframe carries st_folium's title, so this also checks the
    # selector wait_for_preview uses.
    frame = wait_for_preview(page, timeout=20000)

    paths = frame.locator("path.leaflet-interactive")
    assert paths.count() == 1
    paths.first.wait_for(state="visible", timeout=5000)

    map_frame = page.frame(url=re.compile(r"/map\.html$"))
    assert map_frame is not None
    assert map_frame.evaluate("window.leafletVersion") == "1.9.4"
    # leaflet.css applied: panes are absolutely positioned.
    position = map_frame.evaluate(
        "getComputedStyle(document.querySelector('.leaflet-pane')).position"
    )
    assert position == "absolute"

    # The external image was aborted, recorded, and failed in the page.
    blocked = page.context.blocked_requests
    assert _wait_until(lambda: EXTERNAL_TILE in blocked), blocked
    assert _wait_until(lambda: map_frame.evaluate("window.tileState") == "error")
    assert all(not url.startswith(harness_site) for url in blocked)

    # Hovering the polygon shows its tooltip, Vietnamese text intact.
    paths.first.hover()
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.inner_text() == "KCN Đình Vũ"


def test_each_context_is_a_fresh_browser(harness_site, browser_context_factory):
    first = browser_context_factory()
    second = browser_context_factory()
    try:
        assert first is not second
        assert first.blocked_requests is not second.blocked_requests
        p1 = first.pages[0] if first.pages else first.new_page()
        p1.goto(f"{harness_site}/index.html")
        p1.evaluate("localStorage.setItem('probe', 'first')")
        p2 = second.pages[0] if second.pages else second.new_page()
        p2.goto(f"{harness_site}/index.html")
        assert p2.evaluate("localStorage.getItem('probe')") is None
        assert p2.evaluate("navigator.language") == "vi-VN"
        assert p2.viewport_size == {"width": 1400, "height": 900}
    finally:
        first.close()
        second.close()


def test_vendored_files_match_readme():
    """Every file listed in static/vendor/README.md exists with the listed SHA-256."""
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", readme, flags=re.M)
    listed = {name: digest for name, digest in rows}
    assert {"leaflet.js", "leaflet.css", "LICENSE"} <= listed.keys()
    for name, digest in listed.items():
        data = (VENDOR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    on_disk = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file()} - {"README.md"}
    assert on_disk == set(listed), "vendored files and README table differ"
