"""The dashboard in a browser: pick a province, follow a zone link to the map."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from geo.store import GeoPackageStore


def test_pick_quang_ninh_and_follow_a_zone_link(page, wait_for_map, save_screenshot,
                                                atlas_store):
    zones = GeoPackageStore(atlas_store).read().zones
    n = int((zones.province == "Quảng Ninh").sum())
    page.goto("/dashboard")
    expect(page.get_by_role("heading", name="Kế hoạch và thực hiện theo tỉnh/thành")) \
        .to_be_visible(timeout=30000)
    page.get_by_role("combobox", name="Tỉnh/thành phố").click()
    page.get_by_role("option", name="Quảng Ninh").click()
    expect(page.get_by_text(f"Các khu ({n})")).to_be_visible(timeout=20000)
    save_screenshot(page, "dashboard-quang-ninh")
    page.get_by_role("link", name="KCN Việt Hưng", exact=True).first.click()
    expect(page.get_by_role("heading", name="KCN Việt Hưng", exact=True)).to_be_visible(
        timeout=30000)
    wait_for_map(page)
    expect(page.locator(".kcn-map-host")).to_have_attribute(
        "data-selected", re.compile(r"^kcn-"), timeout=20000)
    assert "zone=kcn-viet-hung" in page.url
