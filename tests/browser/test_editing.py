"""Editing as a team, in the browser: sign in, edit with a source, draw, history, conflicts.

The app runs on its own copy of the bundled register with the test accounts
(``private_app_server``); every request leaves this machine's loopback only.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveMap, sign_in, sign_out, wait_for_map

pytestmark = pytest.mark.browser

ZONE = "kcn-an-hoa"  # a point today, its area from the press (199 ha)
ZONE_NAME = "KCN An Hòa"
TITLE = "Quyết định điều chỉnh quy hoạch KCN An Hòa (thử nghiệm)"


def _open(context, zone: str = ZONE) -> tuple[Page, LiveMap]:
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"/?zone={zone}&period=2030")
    live = wait_for_map(page)
    expect(page.get_by_role("heading", name=ZONE_NAME, exact=True)).to_be_visible(
        timeout=30000)
    return page, live


def _panel(page: Page):
    return page.locator('.st-key-side_panel')


def _edit_area(page: Page, value: str) -> None:
    _panel(page).get_by_role("tab", name="Sửa").click()
    box = _panel(page).get_by_role("textbox", name="Tổng diện tích (ha)")
    expect(box).to_be_visible(timeout=20000)
    box.fill(value)
    box.press("Enter")
    expect(_panel(page).get_by_text("Giá trị đã sửa: Tổng diện tích (ha)")).to_be_visible(
        timeout=20000)


def _pick_existing_source(page: Page) -> None:
    box = _panel(page).get_by_role("combobox", name="Chọn nguồn")
    box.click()
    # A click may only focus the box (a rerun had just redrawn it): the arrow key opens
    # the list, as it does for a keyboard user.
    if box.get_attribute("aria-expanded") != "true":
        box.press("ArrowDown")
    page.get_by_role("option").first.click()


def test_an_editor_edits_with_a_new_source_draws_and_signs_out(
        browser_context_factory, private_app_server, save_screenshot):
    context = browser_context_factory(base_url=private_app_server)
    page, live = _open(context)
    try:
        # Signed out: no edit control anywhere.
        assert _panel(page).get_by_role("tab", name="Sửa").count() == 0
        assert page.get_by_role("button", name="Thêm khu mới trên bản đồ").count() == 0
        sign_in(page, "lan")
        _edit_area(page, "250")
        panel = _panel(page)
        save = panel.get_by_role("button", name="Lưu thay đổi")
        expect(save).to_be_disabled()  # no source, no save
        expect(panel.get_by_text("Chọn hoặc thêm nguồn")).to_be_visible()
        panel.get_by_text("Thêm nguồn mới").click()
        panel.get_by_role("textbox", name="Tên tài liệu").fill(TITLE)
        panel.get_by_role("textbox", name="Địa chỉ (URL)").fill("https://example.org/an-hoa")
        panel.get_by_role("textbox", name="Cơ quan ban hành, nơi đăng").fill("UBND TP Hải Phòng")
        panel.get_by_role("textbox", name="Cơ quan ban hành, nơi đăng").press("Enter")
        expect(save).to_be_disabled()  # no tier chosen yet: none is assumed
        tier = panel.get_by_role("combobox", name="Mức tin cậy")
        tier.click()
        if tier.get_attribute("aria-expanded") != "true":
            tier.press("ArrowDown")
        page.get_by_role("option", name=re.compile(r"^Cơ quan")).click()
        expect(save).to_be_enabled(timeout=20000)
        save.click()
        expect(page.get_by_text("Đã lưu 1 thay đổi.")).to_be_visible(timeout=30000)

        # Draw the boundary on the map: four clicks around the zone, then the first again.
        live.scroll_into_view()
        _panel(page).get_by_role("tab", name="Sửa").click()
        page.get_by_role("button", name="Vẽ hoặc sửa ranh giới").click()
        expect(live.host).to_have_attribute("data-editing", "zones", timeout=30000)
        live.scroll_into_view()
        c = live.point_of(ZONE)
        assert c is not None
        corners = [(-70, -60), (70, -60), (70, 60), (-70, 60)]
        for dx, dy in corners:
            page.mouse.click(c["x"] + dx, c["y"] + dy)
            page.wait_for_timeout(150)
        page.mouse.click(c["x"] + corners[0][0], c["y"] + corners[0][1])
        expect(live.host).to_have_attribute("data-editing", "zones:drawn", timeout=10000)
        live.locator(".kcn-edit-done").click()
        expect(page.get_by_text(re.compile(r"Diện tích đo được \(VN-2000\): [\d.,]+ ha · diện "
                                           r"tích công bố: 250 ha"))).to_be_visible(
            timeout=30000)
        page.get_by_text("bản vẽ quy hoạch được duyệt").click()
        page.get_by_role("button", name="Lưu hình vẽ").click()
        expect(page.get_by_text("Đã lưu hình vẽ (số hóa).")).to_be_visible(timeout=30000)
        save_screenshot(page, "editing-saved")
        sign_out(page)
        assert _panel(page).get_by_role("tab", name="Sửa").count() == 0
    except Exception:
        save_screenshot(page, "editing-failed")
        raise
    finally:
        context.close()

    # The public map, in a new browser: both changes, the new source, the history.
    visitor = browser_context_factory(base_url=private_app_server)
    page, live = _open(visitor)
    try:
        live.wait_until(lambda m: (m.host.evaluate(
            f"h => h.kcnInspect.geometryOf('{ZONE}').type") == "Polygon"),
            what="the drawn boundary on the public map")
        panel = _panel(page)
        expect(panel.get_by_text(TITLE).first).to_be_visible(timeout=20000)
        expect(panel.get_by_text("250 ha").first).to_be_visible()
        expect(panel.get_by_text("Số hoá", exact=False).first).to_be_visible()
        # What it was traced from is the drawing's own source: here the plan sheet chosen.
        expect(panel.get_by_text("plan sheet", exact=False).first).to_be_visible()
        expect(panel.get_by_text(re.compile(r"Diện tích đo từ ranh giới \(VN-2000\): [\d.,]+ ha "
                                            r"· diện tích công bố: 250 ha"))).to_be_visible()
        panel.get_by_role("tab", name="Lịch sử").click()
        history = panel.locator("table.kcn-history")
        expect(history).to_be_visible(timeout=20000)
        expect(history.locator("td.kcn-who", has_text="lan")).to_have_count(2)
        expect(history.get_by_text("Tổng diện tích (ha)")).to_be_visible()
        expect(history.get_by_text("hình dạng")).to_be_visible()
        # No edit control for a signed-out visitor.
        assert panel.get_by_role("tab", name="Sửa").count() == 0
        assert page.get_by_role("button", name="Vẽ hoặc sửa ranh giới").count() == 0
        assert page.get_by_role("button", name="Thêm khu mới trên bản đồ").count() == 0
        assert page.locator(".kcn-edit-bar").count() == 0
        save_screenshot(page, "editing-public-history")
    except Exception:
        save_screenshot(page, "editing-public-failed")
        raise
    finally:
        visitor.close()


def test_two_editors_on_one_zone_the_second_gets_the_conflict(
        browser_context_factory, private_app_server, save_screenshot):
    first = browser_context_factory(base_url=private_app_server)
    second = browser_context_factory(base_url=private_app_server)
    zone = "kcn-an-duong"
    pages: list[Page] = []
    try:
        for context, name in ((first, "lan"), (second, "minh")):
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(f"/?zone={zone}&period=2030")
            wait_for_map(page)
            sign_in(page, name)
            _panel(page).get_by_role("tab", name="Sửa").click()
            expect(_panel(page).get_by_role("textbox", name="Tổng diện tích (ha)")).to_be_visible(
                timeout=20000)
            pages.append(page)
        page_a, page_b = pages
        for page, value in ((page_a, "201"), (page_b, "202")):
            _edit_area(page, value)
            _pick_existing_source(page)
        page_a.get_by_role("button", name="Lưu thay đổi").click()
        expect(page_a.get_by_text("Đã lưu 1 thay đổi.")).to_be_visible(timeout=30000)
        page_b.get_by_role("button", name="Lưu thay đổi").click()
        expect(page_b.get_by_text("Chưa lưu: người khác vừa sửa khu này")).to_be_visible(
            timeout=30000)
        expect(page_b.get_by_text(re.compile(r"lan lúc .*Tổng diện tích \(ha\) .* → 201")))\
            .to_be_visible()
        # Nothing is lost: B's value is still typed in; the first change survives.
        box_b = _panel(page_b).get_by_role("textbox", name="Tổng diện tích (ha)")
        expect(box_b).to_have_value("202")
        save_screenshot(page_b, "editing-conflict")
        page_b.get_by_role("button", name="Xem bản mới nhất").click()
        expect(_panel(page_b).get_by_role("textbox", name="Tổng diện tích (ha)")).to_have_value(
            "201", timeout=30000)
    except Exception:
        for i, page in enumerate(pages):
            save_screenshot(page, f"editing-conflict-failed-{i}")
        raise
    finally:
        first.close()
        second.close()
