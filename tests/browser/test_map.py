"""The map explorer in a real browser, against a running ``streamlit run``."""

from __future__ import annotations

import contextlib
import re
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

    The choice is checked by its tag in the field: a pick made while the page reruns can
    be dropped by the browser before it reaches the widget, and is then made again.
    """
    box = page.get_by_role("combobox", name=label)
    field = page.get_by_test_id("stMultiSelect").filter(has=box)
    chosen = field.locator("[data-tag]").filter(has_text=option)
    for _ in range(3):
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
        with contextlib.suppress(AssertionError):
            expect(chosen).to_be_visible(timeout=5000)
            return
    expect(chosen).to_be_visible()


def _expected_ids(register, **filters) -> list[str]:
    mask = filter_zones(register.zones, **filters) & register.zones.geometry.notna()
    return sorted(register.zones.loc[mask, "id"])


def test_every_zone_is_drawn_on_the_reference_map_with_tiles_blocked(page, wait_for_map,
                                                                     register, save_screenshot):
    page.goto("/?period=2030")
    live = wait_for_map(page)
    expected = sorted(register.zones.loc[register.zones.geometry.notna(), "id"])
    live.wait_until(lambda m: sorted(m.drawn()) == expected, what="every zone drawn")
    # Tiles cannot load here: the bundled reference map takes over, and says so once.
    expect(live.locator(".kcn-notice")).to_have_count(1, timeout=20000)
    expect(live.locator(".kcn-notice")).to_contain_text("Không tải được bản đồ nền")
    expect(live.locator(".leaflet-kcnReference-pane canvas.leaflet-tile").first) \
        .to_be_attached(timeout=20000)
    expect(live.locator(".kcn-label").first).to_be_visible()
    save_screenshot(page, "map-all-zones")
    page.get_by_text("English", exact=True).click()  # the notice follows the language
    expect(live.locator(".kcn-notice")).to_contain_text("Base-map tiles could not load",
                                                        timeout=20000)
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
    for row in serving.to_dict("records"):
        expect(page.get_by_role("button", name=project_name(row, "vi"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]zone=kcn-dinh-vu\b"), timeout=10000)
    expect(page.locator(".kcn-map-host")).to_have_attribute("data-selected", "kcn-dinh-vu")


def test_a_filter_changes_the_drawn_zones_as_the_register_says(page, wait_for_map, register):
    page.goto("/?period=2030")
    live = wait_for_map(page)
    page.get_by_text("Bộ lọc").click()
    _pick(page, "Loại", "KKT", "KKT – Khu kinh tế")
    expected = _expected_ids(register, kinds=("KKT",), period="2030")
    assert 0 < len(expected) < len(register.zones)
    live.wait_until(lambda m: sorted(m.drawn()) == expected, what="only the KKT drawn")
    expect(page).to_have_url(re.compile(r"[?&]kind=KKT\b"), timeout=10000)


def test_choosing_a_province_moves_the_map_to_it_and_clears_a_hidden_selection(
        page, wait_for_map, register):
    page.goto("/?zone=kcn-dinh-vu")
    live = wait_for_map(page)
    expect(page.get_by_role("heading", name="KCN Đình Vũ", exact=True)).to_be_visible(
        timeout=20000)
    page.get_by_text("Bộ lọc").click()
    _pick(page, "Tỉnh/thành phố", "Quảng", "Quảng Ninh")
    expected = _expected_ids(register, provinces=("Quảng Ninh",))
    assert expected
    live.wait_until(lambda m: sorted(m.drawn()) == expected, what="Quảng Ninh's zones")
    live.wait_until(lambda m: all(m.in_view(z) for z in expected), what="zoom to results")
    expect(page.get_by_text("không nằm trong các khu đang hiển thị")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"[?&]zone="), timeout=10000)
    expect(page.locator(".kcn-map-host")).to_have_attribute("data-selected", "")


def test_switching_to_english_changes_the_labels(page, wait_for_map):
    page.goto("/")
    live = wait_for_map(page)
    live.locator(".kcn-legend-toggle").click()
    expect(live.locator(".kcn-legend-body")).to_contain_text("Đang hoạt động")
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Find a zone by name")).to_be_visible(timeout=20000)
    expect(live.locator(".kcn-legend-body")).to_contain_text("Operating", timeout=20000)
    expect(live.locator(".kcn-list caption")).to_contain_text("zones shown")
    expect(page).to_have_url(re.compile(r"[?&]lang=en\b"), timeout=10000)


def test_occupancy_legend_and_unknown_class(page, wait_for_map):
    page.goto("/?color=occupancy")
    live = wait_for_map(page)
    live.locator(".kcn-legend-toggle").click()
    legend = live.locator(".kcn-legend-body")
    for label in ("Dưới 50%", "50–70%", "70–90%", "Từ 90%", "Chưa rõ"):
        expect(legend).to_contain_text(label)


def test_hover_shows_a_tooltip_and_click_selects(page, wait_for_map, register):
    page.goto("/?layers=kcn&basemap=none&zone=kcn-vsip-hai-phong")
    live = wait_for_map(page)
    live.wait_until(lambda m: m.point_of("kcn-vsip-hai-phong") is not None)
    page.get_by_role("button", name="Bỏ chọn").click()
    expect(page.locator(".kcn-map-host")).to_have_attribute("data-selected", "", timeout=20000)
    live.scroll_into_view()
    point = live.point_of("kcn-vsip-hai-phong")
    page.mouse.move(point["x"], point["y"])
    tip = page.locator(".leaflet-tooltip")
    expect(tip).to_be_visible(timeout=10000)
    expect(tip).to_contain_text("KCN VSIP Hải Phòng")
    page.mouse.click(point["x"], point["y"])
    expect(page.get_by_role("heading", name="KCN VSIP Hải Phòng", exact=True)).to_be_visible(
        timeout=20000)
    expect(page).to_have_url(re.compile(r"[?&]zone=kcn-vsip-hai-phong\b"), timeout=10000)


def test_the_zone_list_selects_a_zone_and_follows_the_selection(page, wait_for_map):
    page.goto("/?lang=en")
    live = wait_for_map(page)
    rows = live.locator(".kcn-list tbody tr")
    expect(rows.first).to_be_visible()
    # Sort by area, largest first: unknown areas stay last whatever the order.
    live.locator(".kcn-list th", has_text="Area").locator("button").click()
    live.locator(".kcn-list th", has_text="Area").locator("button").click()
    expect(live.locator(".kcn-list th", has_text="Area")).to_have_attribute(
        "aria-sort", "descending")
    button = live.locator(".kcn-row-name", has_text="VSIP Hai Phong Industrial Zone")
    button.focus()
    page.keyboard.press("Enter")  # the list works from the keyboard
    expect(page.get_by_role("heading", name="VSIP Hai Phong Industrial Zone", exact=True)) \
        .to_be_visible(timeout=20000)
    expect(live.locator("tr.kcn-row-selected")).to_contain_text("VSIP Hai Phong")
    live.wait_until(lambda m: m.in_view("kcn-vsip-hai-phong"), what="the zone brought into view")


def test_the_legend_leaves_the_centre_to_the_map(page, wait_for_map):
    page.goto("/?zone=kcn-dinh-vu")
    live = wait_for_map(page)
    toggle = live.locator(".kcn-legend-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(live.locator(".kcn-legend-body")).to_be_visible()
    box = live.map_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    legend = live.locator(".kcn-legend").bounding_box()
    assert not (legend["x"] <= cx <= legend["x"] + legend["width"]
                and legend["y"] <= cy <= legend["y"] + legend["height"])
    # What the pointer meets at the centre is the map itself, not a control.
    hit = page.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y);"
                        " return !!e.closest('.leaflet-container') && !e.closest('.kcn-legend'); }",
                        [cx, cy])
    assert hit


def test_presentation_view(page, wait_for_map):
    page.goto("/?view=present&lang=en&zone=kcn-dinh-vu")
    wait_for_map(page)
    expect(page.get_by_role("heading", name="Dinh Vu Industrial Zone", exact=True)) \
        .to_be_visible(timeout=20000)
    expect(page.get_by_text("Scan to open this map")).to_be_visible()
    expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator(".kcn-list-wrap")).to_be_hidden()
    page.get_by_role("button", name="Leave the presentation view").click()
    expect(page.get_by_text("Find a zone by name")).to_be_visible(timeout=20000)


@pytest.fixture(scope="module")
def unknown_status_app(tmp_path_factory, atlas_store):
    """The app on a register holding an imported zone whose status no source states."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from tests.browser.conftest import run_app

    folder = tmp_path_factory.mktemp("unknown-status")
    store = GeoPackageStore(folder / "atlas.gpkg")
    reg = GeoPackageStore(atlas_store).read()
    extra = gpd.GeoDataFrame(
        {"id": ["kcn-chua-ro"], "kind": ["KCN"], "name_vi": ["KCN Chưa Rõ"],
         "province": ["Hải Phòng"], "province_current": ["Hải Phòng"],
         "geometry_quality": ["digitised"], "source_id": ["atlas-editors"],
         "as_of": ["2026-11-22"]},
        geometry=[box(106.60, 20.90, 106.62, 20.92)], crs="EPSG:4326")
    store.write(reg.with_zones(pd.concat([reg.zones, extra], ignore_index=True)))
    with run_app(store.path, folder) as url:
        yield url


def test_a_zone_with_no_status_is_drawn(browser_context_factory, unknown_status_app,
                                        wait_for_map):
    context = browser_context_factory(base_url=unknown_status_app)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/")  # "today": a zone of unknown status belongs to every period
    live = wait_for_map(page)
    live.wait_until(lambda m: "kcn-chua-ro" in m.drawn(), what="the zone of unknown status")
    live.locator(".kcn-legend-toggle").click()
    expect(live.locator(".kcn-legend-body")).to_contain_text("Chưa rõ hiện trạng")
    expect(live.locator(".kcn-list")).to_contain_text("KCN Chưa Rõ")
    context.close()
