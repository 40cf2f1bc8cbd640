"""Text from the data shows as text in the browser: tooltip, panel, legend, search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from geo.store import GeoPackageStore
from tests.browser.conftest import run_app

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def xss_app(tmp_path_factory, atlas_store):
    folder = tmp_path_factory.mktemp("xss")
    store = GeoPackageStore(folder / "atlas.gpkg")
    reg = GeoPackageStore(atlas_store).read()
    zones = reg.zones.copy()
    zones.loc[zones.id == "kcn-dinh-vu", "name_vi"] = XSS
    zones.loc[zones.id == "kcn-dinh-vu", "name_en"] = XSS + " {{ 7*7 }}"
    store.write(reg.with_zones(zones))
    with run_app(store.path, folder) as url:
        yield url


def test_a_zone_named_like_html_shows_as_text(browser_context_factory, xss_app, wait_for_map):
    context = browser_context_factory(base_url=xss_app)
    page = context.pages[0] if context.pages else context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/?zone=kcn-dinh-vu")
    live = wait_for_map(page)
    expect(page.get_by_role("heading", name=XSS, exact=True)).to_be_visible(timeout=30000)
    live.wait_until(lambda m: m.point_of("kcn-dinh-vu") is not None)
    live.scroll_into_view()
    point = live.point_of("kcn-dinh-vu")
    page.mouse.move(point["x"], point["y"])
    tip = page.locator(".leaflet-tooltip")
    expect(tip).to_contain_text(XSS, timeout=10000)
    assert tip.locator("img").count() == 0
    # The label on the map and the row in the zone list are text too.
    expect(live.locator(".kcn-label", has_text=XSS)).to_have_count(1)
    expect(live.locator(".kcn-list")).to_contain_text(XSS)
    page.goto("/?zone=kcn-dinh-vu&lang=en")
    wait_for_map(page)
    expect(page.get_by_role("heading", name=XSS + " {{ 7*7 }}", exact=True)).to_be_visible(
        timeout=30000)
    expect(page.locator(".kcn-list")).to_contain_text(XSS + " {{ 7*7 }}")
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
    context.close()
