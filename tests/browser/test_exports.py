"""Exports downloaded from the running app and read back."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect


def _download(page, menu: str, button: str, target: Path) -> Path:
    page.get_by_role("button", name=menu).click()
    with page.expect_download(timeout=30000) as info:
        page.get_by_role("button", name=button).click()
    info.value.save_as(target)
    return target


def test_the_html_map_opens_with_no_server_and_no_network(page, wait_for_map, tmp_path,
                                                          browser_context_factory,
                                                          save_screenshot):
    page.goto("/?lang=en&zone=kcn-dinh-vu&period=2030")
    frame = wait_for_map(page)
    expect(frame.locator("path.kcn-selected")).to_have_count(1, timeout=20000)
    drawn = frame.locator("path.kcn-zone").count()
    html = _download(page, "Export", "HTML map (opens offline)", tmp_path / "map.html")
    assert html.stat().st_size > 100_000  # Leaflet is inside

    viewer = browser_context_factory()
    offline = viewer.pages[0] if viewer.pages else viewer.new_page()
    requests: list[str] = []

    def refuse(route):
        requests.append(route.request.url)
        route.abort("internetdisconnected")

    offline.route(re.compile(r"^https?://"), refuse)
    offline.goto(html.as_uri())
    expect(offline.locator("path.kcn-zone")).to_have_count(drawn, timeout=20000)
    expect(offline.locator("path.kcn-selected")).to_have_count(1)
    expect(offline.locator(".kcn-legend")).to_contain_text("Operating")
    info = offline.locator(".kcn-info")
    expect(info).to_contain_text("Open the live map with the same view")
    href = info.locator("a").get_attribute("href")
    assert "zone=kcn-dinh-vu" in href and "lang=en" in href
    offline.locator("path.kcn-selected").dispatch_event("mouseover")
    expect(offline.locator(".leaflet-tooltip")).to_contain_text("Dinh Vu Industrial Zone")
    # Only base-map tiles were asked for, and they were refused.
    assert all("tile.openstreetmap.org" in u for u in requests), requests
    save_screenshot(offline, "export-html-offline")
    viewer.close()


def test_data_exports_hold_what_is_on_screen(page, wait_for_map, tmp_path):
    import geopandas as gpd
    import pandas as pd

    page.goto("/?lang=en&kind=KCN&prov=Qu%E1%BA%A3ng+Ninh&period=2030")
    frame = wait_for_map(page)
    drawn = frame.locator("path.kcn-zone").count()
    assert drawn > 0
    gj = _download(page, "Export", "GeoJSON", tmp_path / "x.geojson")
    page.keyboard.press("Escape")
    xlsx = _download(page, "Export", "Excel", tmp_path / "x.xlsx")
    zones = gpd.read_file(gj)
    zones = zones[zones.record_type == "zone"]
    assert len(zones) == drawn
    assert set(zones.kind) == {"KCN"} and set(zones.province) == {"Quảng Ninh"}
    assert "KCN Việt Hưng" in set(zones.name_vi)
    assert zones.source_document.notna().all()
    sheet = pd.read_excel(xlsx, sheet_name="zones")
    assert sorted(sheet.id) == sorted(zones.id)
