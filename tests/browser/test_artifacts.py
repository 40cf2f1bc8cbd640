"""Screenshots kept as artifacts, with every tile request refused (looked at by eye).

1440×900 and 1024×768, in Vietnamese and English: the map, a selected zone, the
dashboard and the sources page. Each check below is what a reader would notice
first if the page were broken; the pictures in ``test-artifacts/`` are the rest.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

SIZES = {"1440x900": {"width": 1440, "height": 900}, "1024x768": {"width": 1024, "height": 768}}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map_and_selected_zone_screenshots(browser_context_factory, app_server, wait_for_map,
                                           save_screenshot, size, lang):
    context = browser_context_factory(base_url=app_server, viewport=SIZES[size])
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"/?lang={lang}&period=2030")
    live = wait_for_map(page)
    expect(live.locator(".kcn-notice")).to_be_visible(timeout=20000)  # tiles refused
    page.wait_for_timeout(1500)
    save_screenshot(page, f"map-{lang}-{size}")
    page.goto(f"/?lang={lang}&zone=kcn-dinh-vu")
    wait_for_map(page)
    expect(page.locator(".kcn-attrs")).to_be_visible(timeout=20000)
    page.wait_for_timeout(1500)
    save_screenshot(page, f"zone-{lang}-{size}")
    context.close()


LEAKS = re.compile(r"\b(None|nan|NaN|source_id|value_max|zones|projects|persons|billion|"
                   r"million|hectares)\b")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_dashboard_and_sources_screenshots(page, save_screenshot, lang):
    for path, name in ((f"/dashboard?lang={lang}", "dashboard"),
                       (f"/sources?lang={lang}", "sources")):
        page.goto(path)
        expect(page.locator('[data-testid="stHeading"]').first).to_be_visible(timeout=30000)
        page.wait_for_timeout(2000)
        save_screenshot(page, f"{name}-{lang}")
        if lang == "vi":  # what the page writes outside its tables (those are checked by AppTest)
            text = page.locator('[data-testid="stMain"]').inner_text()
            assert LEAKS.findall(text) == [], name
