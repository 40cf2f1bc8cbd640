"""Share links: a view set through the UI reopens identically in a fresh browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.test_map import _pick


def test_a_link_reopens_the_same_view_in_a_fresh_browser(page, wait_for_map,
                                                         browser_context_factory, app_server,
                                                         save_screenshot):
    page.goto("/")
    wait_for_map(page)
    # Each step waits for the URL to show it: the URL is the state.
    page.get_by_text("English", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]lang=en\b"), timeout=20000)
    page.get_by_text("By 2030", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]period=2030\b"), timeout=20000)
    page.get_by_text("Filters", exact=True).click()
    _pick(page, "Kind", "KCN", "KCN – Industrial zone")
    expect(page).to_have_url(re.compile(r"[?&]kind=KCN\b"), timeout=20000)
    box = page.get_by_role("textbox", name="Find a zone by name")
    box.fill("nam dinh vu")
    box.press("Enter")
    heading = page.get_by_role("heading", name="Nam Dinh Vu Industrial Zone I", exact=True)
    expect(heading).to_be_visible(timeout=20000)
    live = wait_for_map(page)
    # Selecting a zone brings it into view at zoom 12; then the user zooms in.
    expect(page).to_have_url(re.compile(r"[?&]z=12\b"), timeout=20000)
    live.locator(".leaflet-control-zoom-in").click()
    expect(page).to_have_url(re.compile(r"[?&]z=13\b"), timeout=20000)
    page.wait_for_timeout(1500)  # the view is reported once the map has settled
    link = page.url
    drawn = sorted(live.drawn())
    view0 = live.view()
    save_screenshot(page, "share-sender")
    # The share control holds the same link, camera included.
    page.get_by_role("button", name="Share link").click()
    shared = page.locator(".kcn-share-link")
    expect(shared).to_have_value(re.compile(r"[?&]z=13\b"), timeout=10000)
    assert shared.input_value() == link
    page.keyboard.press("Escape")

    other = browser_context_factory(base_url=app_server)
    fresh = other.pages[0] if other.pages else other.new_page()
    fresh.goto(link)
    live2 = wait_for_map(fresh)
    expect(fresh.get_by_role("heading", name="Nam Dinh Vu Industrial Zone I", exact=True)) \
        .to_be_visible(timeout=20000)
    expect(fresh.get_by_text("Find a zone by name")).to_be_visible()
    expect(fresh.get_by_role("radio", name="By 2030")).to_be_checked()
    fresh.get_by_text("Filters", exact=True).click()
    chosen = fresh.get_by_test_id("stSidebarUserContent").get_by_text("KCN – Industrial zone")
    expect(chosen).to_be_visible()
    live2.wait_until(lambda m: sorted(m.drawn()) == drawn, what="the same zones drawn")
    view1 = live2.view()
    assert view1["z"] == view0["z"]
    assert abs(view1["lat"] - view0["lat"]) < 1e-4 and abs(view1["lon"] - view0["lon"]) < 1e-4
    query = parse_qs(urlsplit(link).query)
    assert query["lang"] == ["en"] and query["period"] == ["2030"] and query["kind"] == ["KCN"]
    assert query["zone"] == ["kcn-nam-dinh-vu-i"]
    save_screenshot(fresh, "share-receiver")
    other.close()


def test_a_malformed_link_opens_without_error(page, wait_for_map):
    page.goto("/?v=1&zone=%3Cscript%3Ealert(1)%3C/script%3E&occ=90-10&z=abc&lat=999"
              "&lon=106&lang=xx&layers=kcn,bogus&foo=bar")
    wait_for_map(page)
    notice = page.get_by_text("Liên kết có tham số không hợp lệ")
    expect(notice).to_be_visible(timeout=20000)
    for name in ("foo", "lang", "lat", "layers", "lon", "occ", "z", "zone"):
        expect(notice).to_contain_text(name)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_share_control_gives_the_link_and_a_qr_code(page, wait_for_map):
    page.goto("/?lang=en&zone=kcn-dinh-vu")
    wait_for_map(page)
    page.get_by_role("button", name="Share link").click()
    shared = page.locator(".kcn-share-link")
    expect(shared).to_have_value(re.compile(r"zone=kcn-dinh-vu"), timeout=10000)
    expect(shared).to_have_value(re.compile(r"lang=en"))
    expect(page.get_by_role("img", name="QR code of the link")).to_be_visible()


def test_a_pan_reruns_nothing_and_the_share_link_follows_it(page, wait_for_map):
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: frames.append("sent")))
    page.goto("/?lang=en&zone=kcn-dinh-vu")
    live = wait_for_map(page)
    live.scroll_into_view()
    page.wait_for_timeout(1500)
    assert frames, "the page talks to the server over its websocket"
    box = live.map_box()
    sent_before = len(frames)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 200, box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()
    page.wait_for_timeout(1500)
    assert len(frames) == sent_before  # no rerun asked of the server
    view = live.view()
    expect(page).to_have_url(re.compile(rf"lon={view['lon']:.5f}"), timeout=5000)
    page.get_by_role("button", name="Share link").click()
    expect(page.locator(".kcn-share-link")).to_have_value(re.compile(rf"lon={view['lon']:.5f}"))
