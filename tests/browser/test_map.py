"""The map explorer in a real browser, against a running ``streamlit run``."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from geo.analysis import filter_zones, projects_serving
from geo.i18n import project_name
from geo.store import GeoPackageStore

TILE_HOSTS = {"tile.openstreetmap.org", "basemaps.cartocdn.com", "server.arcgisonline.com"}


@pytest.fixture(scope="module")
def register(atlas_store):
    return GeoPackageStore(atlas_store).read()


def _pick(page, label: str, typed: str, option: str) -> None:
    """Choose an option of a Streamlit multiselect, which opens its list on typing.

    The map's first report reruns the script once after it is drawn; text typed
    during that rerun is lost, so typing is retried until the list opens.
    """
    box = page.get_by_role("combobox", name=label)
    for _ in range(10):
        box.fill("")
        box.press_sequentially(typed, delay=30)
        if box.get_attribute("aria-expanded") == "true":
            break
        page.wait_for_timeout(500)
    page.get_by_role("option", name=option).click()
    # The list stays open (and hides the rest of the page from the accessibility tree).
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")


def _zones(frame):
    return frame.locator("path.kcn-zone")


def test_every_zone_is_drawn_and_nothing_leaves_the_machine(page, wait_for_map, register,
                                                            save_screenshot):
    page.goto("/?period=2030")
    frame = wait_for_map(page)
    expected = int(register.zones.geometry.notna().sum())
    expect(_zones(frame)).to_have_count(expected, timeout=20000)
    expect(frame.locator(".kcn-legend")).to_be_visible()
    save_screenshot(page, "map-all-zones")
    for url in page.blocked_requests:
        host = urlparse(url).hostname or ""
        assert any(host == h or host.endswith("." + h) for h in TILE_HOSTS), url
    assert page.blocked_requests, "tile requests should have been tried and blocked"


def test_search_selects_the_zone_and_lists_its_projects(page, wait_for_map, register):
    page.goto("/")
    wait_for_map(page)
    box = page.get_by_role("textbox", name="Tìm khu theo tên")
    box.fill("dinh vu")
    box.press("Enter")
    expect(page.get_by_role("heading", name="KCN Đình Vũ", exact=True)).to_be_visible(
        timeout=20000)
    serving = projects_serving(register.projects, "kcn-dinh-vu")
    assert len(serving), "the bundled register links projects to KCN Đình Vũ"
    for row in serving.to_dict("records"):
        expect(page.get_by_role("button", name=project_name(row, "vi"))).to_be_visible()
    assert "zone=kcn-dinh-vu" in page.url
    # Nam Đình Vũ I and II are among the other matches.
    expect(page.get_by_role("button", name="KCN Nam Đình Vũ I", exact=True)).to_be_visible()


def test_a_filter_changes_the_drawn_zones_as_the_register_says(page, wait_for_map, register):
    page.goto("/?period=2030")
    frame = wait_for_map(page)
    expect(_zones(frame)).to_have_count(int(register.zones.geometry.notna().sum()),
                                        timeout=20000)
    page.get_by_text("Bộ lọc").click()
    _pick(page, "Loại", "KKT", "KKT – Khu kinh tế")
    mask = filter_zones(register.zones, kinds=("KKT",), period="2030")
    expected = int((mask & register.zones.geometry.notna()).sum())
    assert 0 < expected < len(register.zones)
    frame = wait_for_map(page)
    expect(_zones(frame)).to_have_count(expected, timeout=20000)
    assert "kind=KKT" in page.url


def test_switching_to_english_changes_the_labels(page, wait_for_map):
    page.goto("/")
    frame = wait_for_map(page)
    expect(frame.locator(".kcn-legend")).to_contain_text("Đang hoạt động")
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Find a zone by name")).to_be_visible(timeout=20000)
    frame = wait_for_map(page)
    expect(frame.locator(".kcn-legend")).to_contain_text("Operating", timeout=20000)
    expect(page.get_by_text("Showing", exact=False).first).to_be_visible()
    assert "lang=en" in page.url


def test_occupancy_legend_and_unknown_class(page, wait_for_map):
    page.goto("/?color=occupancy")
    frame = wait_for_map(page)
    legend = frame.locator(".kcn-legend")
    for label in ("Dưới 50%", "50–70%", "70–90%", "Từ 90%", "Chưa rõ"):
        expect(legend).to_contain_text(label)


def test_hover_shows_a_tooltip_and_click_selects(page, wait_for_map, register):
    page.goto("/?layers=kcn&basemap=none")
    frame = wait_for_map(page)
    zone = frame.locator("path.kcn-kind-KCN").first
    # Zones overlap at this zoom and the legend covers part of the map, so the
    # pointer events go straight to the zone's path, as Leaflet receives them.
    zone.dispatch_event("mouseover")
    expect(frame.locator(".leaflet-tooltip")).to_be_visible(timeout=10000)
    name = frame.locator(".leaflet-tooltip b").inner_text()
    zone.dispatch_event("click")
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=20000)
    assert "zone=kcn-" in page.url
