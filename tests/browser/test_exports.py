"""Exports downloaded from the running app and read back."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect


def _download(page, menu: str, button: str, target: Path) -> Path:
    """Open an export menu and download one of its files.

    The map's first report reruns the page once after it is drawn, which can close
    a menu that was just opened; the menu is then opened again.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    for attempt in range(3):
        item = page.get_by_role("button", name=button)
        if not item.is_visible():
            page.get_by_role("button", name=menu).click()
        try:
            expect(item).to_be_visible(timeout=5000)
            with page.expect_download(timeout=20000) as info:
                item.click()
            info.value.save_as(target)
            return target
        except (AssertionError, PlaywrightTimeoutError):
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    raise AssertionError("unreachable")


def test_the_html_map_opens_with_no_server_and_no_network(page, wait_for_map, tmp_path,
                                                          browser_context_factory,
                                                          save_screenshot):
    page.goto("/?lang=en&zone=kcn-dinh-vu&period=2030")
    live = wait_for_map(page)
    expect(page.locator(".kcn-map-host")).to_have_attribute("data-selected", "kcn-dinh-vu",
                                                            timeout=20000)
    drawn = len(live.drawn())
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
    # A click opens the zone's panel: key figures, each with its source.
    offline.locator("path.kcn-selected").dispatch_event("click")
    panel = offline.locator(".leaflet-popup .kcn-pop")
    expect(panel).to_contain_text("Dinh Vu Industrial Zone")
    expect(panel).to_contain_text("Status")
    # Only base-map tiles were asked for, and they were refused.
    assert all("tile.openstreetmap.org" in u for u in requests), requests
    save_screenshot(offline, "export-html-offline")
    viewer.close()


def test_data_exports_hold_what_is_on_screen(page, wait_for_map, tmp_path):
    import geopandas as gpd
    import pandas as pd

    page.goto("/?lang=en&kind=KCN&prov=Qu%E1%BA%A3ng+Ninh&period=2030")
    live = wait_for_map(page)
    live.wait_until(lambda m: len(m.drawn()) > 0)
    drawn = len(live.drawn())
    gj = _download(page, "Export", "GeoJSON", tmp_path / "x.geojson")
    page.keyboard.press("Escape")
    xlsx = _download(page, "Export", "Excel", tmp_path / "x.xlsx")
    zones = gpd.read_file(gj)
    zones = zones[zones.record_type == "zone"]
    assert len(zones) == drawn
    assert sorted(zones.id) == sorted(live.drawn())
    assert set(zones.kind) == {"KCN"} and set(zones.province_current) == {"Quảng Ninh"}
    assert "KCN Việt Hưng" in set(zones.name_vi)
    assert zones.source_document.notna().all()
    sheet = pd.read_excel(xlsx, sheet_name="zones")
    assert sorted(sheet.id) == sorted(zones.id)


def test_the_investor_brief_is_one_page_with_the_zone(page, wait_for_map, tmp_path):
    import subprocess
    import unicodedata

    page.goto("/?lang=vi&zone=kcn-dinh-vu")
    wait_for_map(page)
    pdf = _download(page, "Xuất dữ liệu", "Bản giới thiệu khu (PDF)", tmp_path / "brief.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = unicodedata.normalize("NFC", text)
    assert "KCN Đình Vũ" in text and "zone=kcn-dinh-vu" in text
    assert "06-NQ/TU" in text  # the dike road serving it is cited to the resolution
    png = subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")],
                         capture_output=True, check=True)
    assert png.returncode == 0 and list(tmp_path.glob("p*.png"))


def test_the_province_brief(page, wait_for_map, tmp_path):
    import subprocess
    import unicodedata

    page.goto("/?lang=en&prov=Qu%E1%BA%A3ng+Ninh")
    wait_for_map(page)
    pdf = _download(page, "Export", "Province overview (PDF)", tmp_path / "qn.pdf")
    text = unicodedata.normalize("NFC", subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
        check=True).stdout)
    assert "Quảng Ninh" in text
    assert "Cai Lan Industrial Zone" in text  # English names in an English brief
    # The provincial plan's 23 KCN (Thời báo Tài chính, 03/11/2025) lead the figures.
    assert "Industrial zones in the provincial plan 2021-2030 23 zones" in " ".join(text.split())
