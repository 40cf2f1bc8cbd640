"""Plots at scale in a real browser: 20,000 plots drawn from the app's vector tiles."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from geo.sitefinder import SiteQuery, find_sites
from geo.store import GeoPackageStore, build
from tests.browser.conftest import run_app
from tests.browser.test_map import _pick
from tests.synthetic import with_synthetic_plots

N_PLOTS = 20_000


@pytest.fixture(scope="module")
def plots_app(tmp_path_factory):
    """The app on a register of 100 synthetic parks holding 20,000 plots."""
    folder = tmp_path_factory.mktemp("plots")
    base = build(folder / "base.gpkg").read()
    store = GeoPackageStore(folder / "atlas.gpkg")
    store.write(with_synthetic_plots(base, N_PLOTS))
    reg = store.read()
    with run_app(store.path, folder) as url:
        yield url, reg


@pytest.fixture
def plots_page(browser_context_factory, plots_app):
    url, _ = plots_app
    context = browser_context_factory(base_url=url)
    page = context.pages[0] if context.pages else context.new_page()
    yield page
    context.close()


def _zone_view(reg, zone_id: str, z: int = 16) -> str:
    c = reg.zones.set_index("id").loc[zone_id].geometry.centroid
    return f"lat={c.y:.5f}&lon={c.x:.5f}&z={z}"


def _open_with_plots(page, wait_for_map, query: str, what: str):
    """Open the map at ``query`` and wait until more than 100 plots are drawn."""
    page.goto(f"/?{query}")
    live = wait_for_map(page)
    live.wait_until(lambda m: m.plots_drawn() > 100, what=what)
    return live


def test_the_plots_draw_and_a_hover_and_a_click_find_the_plot(plots_page, plots_app,
                                                              wait_for_map, save_screenshot):
    _, reg = plots_app
    assert len(reg.plots) == N_PLOTS
    zone = "kcn-syn-000001"
    live = _open_with_plots(plots_page, wait_for_map, f"zone={zone}&{_zone_view(reg, zone)}",
                            "the plots of the zone drawn")
    save_screenshot(plots_page, "plots-zone")
    live.scroll_into_view()
    plot = reg.plots[reg.plots["zone_id"] == zone].iloc[40]
    c = plot.geometry.centroid
    point = live.point_of_latlng(c.y, c.x)
    plots_page.mouse.move(point["x"], point["y"])
    tip = plots_page.locator(".leaflet-tooltip", has_text=plot["code"])
    expect(tip).to_be_visible(timeout=10000)
    plots_page.mouse.click(point["x"], point["y"])
    expect(plots_page.get_by_role("heading", name=f"Lô đất {plot['code']}")).to_be_visible(
        timeout=20000)
    expect(plots_page).to_have_url(re.compile(rf"[?&]plot={plot['id']}\b"), timeout=10000)


def test_a_plot_filter_redraws_without_sending_the_layer_again(plots_page, plots_app,
                                                               wait_for_map):
    _, reg = plots_app
    zone = "kcn-syn-000002"
    live = _open_with_plots(plots_page, wait_for_map, _zone_view(reg, zone, 15), "plots drawn")
    plots_page.wait_for_timeout(1500)
    before = live.plots_drawn()
    received: list[int] = []
    plots_page.on("response", lambda r: received.append(
        int(r.headers.get("content-length") or 0)) if "/api/" in r.url else None)
    plots_page.get_by_text("Bộ lọc").click()
    _pick(plots_page, "Lô đất theo tình trạng", "trống", "Còn trống")
    live.wait_until(lambda m: 0 < m.plots_drawn() < before / 2, what="only vacant plots drawn")
    assert sum(received) == 0  # no tile or feature was fetched again: restyled in the browser


def test_the_site_finder_returns_the_expected_plots_and_its_link_reopens_them(
        plots_page, plots_app, wait_for_map, browser_context_factory):
    url, reg = plots_app
    query = "site=plots&smin=0.28&snear=expressway:8,seaport:40"
    expected = find_sites(reg, SiteQuery(min_ha=0.28, near=(("expressway", 8.0),
                                                            ("seaport", 40.0))))
    assert 0 < len(expected) < 500
    plots_page.goto(f"/?{query}")
    live = wait_for_map(plots_page)
    live.wait_until(lambda m: sorted(m.highlighted()) == sorted(expected["id"]),
                    what="the site finder's plots outlined")
    expect(plots_page.get_by_text(f"{len(expected)} mặt bằng phù hợp")).to_be_visible()
    link = plots_page.url
    other = browser_context_factory(base_url=url)
    fresh = other.pages[0] if other.pages else other.new_page()
    fresh.goto(link)
    live2 = wait_for_map(fresh)
    live2.wait_until(lambda m: sorted(m.highlighted()) == sorted(expected["id"]),
                     what="the same plots from the link")
    other.close()


def test_plots_are_drawn_from_the_first_zoom_that_serves_them(plots_page, plots_app,
                                                              wait_for_map):
    from geo.mapdata import PLOT_MIN_ZOOM

    _, reg = plots_app
    zone = "kcn-syn-000002"
    _open_with_plots(plots_page, wait_for_map, _zone_view(reg, zone, PLOT_MIN_ZOOM),
                     f"plots drawn at zoom {PLOT_MIN_ZOOM}")
    plots_page.goto(f"/?{_zone_view(reg, zone, PLOT_MIN_ZOOM - 1)}")
    live = wait_for_map(plots_page)
    plots_page.wait_for_timeout(1500)
    assert live.plots_drawn() == 0  # below it, each park's vacant land instead
