"""The Data page: upload a legacy office file, read the report, preview, merge, undo."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from playwright.sync_api import expect
from shapely.geometry import box

from geo.vntext import encode
from tests.browser.conftest import sign_in

NAME = "KCN Tràng Duệ Mới"  # TCVN3 can hold it: no capital letter carries a tone


@pytest.fixture
def tcvn3_shapefile_zip(tmp_path) -> bytes:
    """A zipped shapefile in VN-2000 / TM-3 105°45' with TCVN3 text and no .cpg."""
    square = gpd.GeoSeries([box(106.55, 20.86, 106.57, 20.88)], crs="EPSG:4326").to_crs(9210)
    frame = gpd.GeoDataFrame({
        "ten_khu": [encode(NAME, "tcvn3").decode("latin1")],
        "loai": ["KCN"],
        "dien_tich_": ["460,5"],
        "hien_trang": [encode("quy hoạch", "tcvn3").decode("latin1")],
    }, geometry=square.values, crs=square.crs)
    folder = tmp_path / "shp" / "ban_do"
    folder.mkdir(parents=True)
    pyogrio.write_dataframe(frame, folder / "kcn_moi.shp", encoding="latin1")
    (folder / "kcn_moi.cpg").unlink(missing_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f"ban_do/{f.name}")
    return buf.getvalue()


def test_upload_report_preview_merge_and_undo(browser_context_factory, private_app_server,
                                              wait_for_map, wait_for_preview,
                                              tcvn3_shapefile_zip, tmp_path,
                                              save_screenshot):
    context = browser_context_factory(base_url=private_app_server)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/data")
    expect(page.get_by_role("heading", name="Nhập dữ liệu")).to_be_visible(timeout=20000)
    upload = tmp_path / "kcn_moi_tcvn3.zip"
    Path(upload).write_bytes(tcvn3_shapefile_zip)
    page.locator('input[type="file"]').set_input_files(upload)

    expect(page.get_by_text("Tệp hợp lệ.").or_(page.get_by_text("Tệp đọc được"))).to_be_visible(
        timeout=30000)
    expect(page.get_by_text("Hệ tọa độ: EPSG:9210 (VN-2000 / TM-3 105-45) · Bảng mã chữ: tcvn3"))\
        .to_be_visible()
    expect(page.get_by_text("Thêm 1 khu, sửa 0 khu, giữ nguyên 0 khu.")).to_be_visible()
    preview = wait_for_preview(page)
    expect(preview.locator("path.kcn-zone")).to_have_count(1)
    save_screenshot(page, "data-page-report")

    sign_in(page, "planner-hp")
    merge = page.get_by_role("button", name="Ghi vào dữ liệu")
    expect(merge).to_be_enabled(timeout=10000)
    merge.click()
    expect(page.get_by_text("Đã nhập kcn_moi_tcvn3.zip: thêm 1 khu, sửa 0 khu.")).to_be_visible(
        timeout=30000)
    # The history grid keeps its cells in an accessible (visually hidden) table; the undo
    # section below names the same person (this session's import, offered first).
    expect(page.get_by_text("planner-hp", exact=True).first).to_be_attached()
    expect(page.get_by_text("Tôi muốn hoàn tác lần nhập kcn_moi_tcvn3.zip")).to_be_visible()

    page.get_by_role("link", name="Xem trên bản đồ").click()
    expect(page.get_by_role("heading", name=NAME, exact=True)).to_be_visible(timeout=30000)
    wait_for_map(page)
    expect(page.locator(".kcn-map-host")).to_have_attribute(
        "data-selected", re.compile(r"^kcn-"), timeout=20000)
    assert "zone=kcn-trang-due-moi" in page.url

    # A new session: undo names the import and asks first, and only for its importer.
    context.close()
    context = browser_context_factory(base_url=private_app_server)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/data")
    expect(page.get_by_text("Đăng nhập với vai trò biên tập viên để nhập tệp")).to_be_visible(
        timeout=30000)
    sign_in(page, "planner-hp")
    confirm = page.get_by_text("Tôi muốn hoàn tác lần nhập kcn_moi_tcvn3.zip của planner-hp")
    expect(confirm).to_be_visible(timeout=30000)
    undo = page.get_by_role("button", name="Hoàn tác lần nhập này")
    expect(undo).to_be_disabled()
    confirm.click()
    expect(undo).to_be_enabled(timeout=10000)
    undo.click()
    expect(page.get_by_text("Đã hoàn tác việc nhập kcn_moi_tcvn3.zip (planner-hp"))\
        .to_be_visible(timeout=30000)
    page.goto("/?zone=kcn-trang-due-moi")
    expect(page.get_by_text("Liên kết có tham số không hợp lệ, đã bỏ qua: zone")).to_be_visible(
        timeout=30000)
    context.close()


def test_a_refused_upload_says_why_and_writes_nothing(browser_context_factory,
                                                      private_app_server, tmp_path):
    context = browser_context_factory(base_url=private_app_server)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/data")
    bad = tmp_path / "ghi_chu.geojson"
    bad.write_text("Đây không phải GeoJSON", encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(bad)
    expect(page.get_by_text("Không nhập được tệp này.")).to_be_visible(timeout=30000)
    assert page.get_by_role("button", name="Ghi vào dữ liệu").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def _a_zone(store: Path) -> tuple[str, str, tuple[float, float]]:
    """A bundled KCN: its id, its name and its place (the bundled zones are points)."""
    from geo.store import open_store

    zones = open_store(store).read().zones
    zone = zones[(zones["kind"] == "KCN") & (zones["province"] == "Hải Phòng")].iloc[0]
    return str(zone["id"]), str(zone["name_vi"]), (zone.geometry.x, zone.geometry.y)


def test_a_file_of_plots_goes_into_the_zone_chosen_and_shows_on_the_map(
        browser_context_factory, private_app_server, atlas_store, wait_for_map, tmp_path,
        save_screenshot):
    from tests.plot_files import tcvn3_shapefile_zip as plots_zip

    zone_id, zone_name, centre = _a_zone(atlas_store)
    upload = tmp_path / "lo_dat.zip"
    upload.write_bytes(plots_zip(tmp_path, centre))
    context = browser_context_factory(base_url=private_app_server)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/data")
    expect(page.get_by_role("heading", name="Nhập dữ liệu")).to_be_visible(timeout=20000)
    page.locator('input[type="file"]').set_input_files(upload)
    # Told from its headings: a file of plots, read in VN-2000 with TCVN3 text.
    expect(page.get_by_role("radio", name="Lô đất trong các khu")).to_be_checked(timeout=30000)
    expect(page.get_by_text("Hệ tọa độ: EPSG:9210 (VN-2000 / TM-3 105-45) · Bảng mã chữ: tcvn3"))\
        .to_be_visible(timeout=30000)
    # The bundled zones are points: no plot lies in one, and the page says what to do.
    expect(page.get_by_text(re.compile("6 plot\\(s\\) lie in no zone.*Zone of every plot in the "
                                       "file"))).to_be_visible()
    box = page.get_by_role("combobox", name="Khu của mọi lô trong tệp")
    box.click()
    if box.get_attribute("aria-expanded") != "true":
        box.press("ArrowDown")
    box.fill(zone_name)
    page.get_by_role("option", name=f"{zone_name} ({zone_id})").click()
    expect(page.get_by_text("Thêm 6 lô, sửa 0 lô, bỏ 0 lô, giữ nguyên 0 lô.")).to_be_visible(
        timeout=30000)
    expect(page.get_by_text("Đăng nhập với vai trò biên tập viên để nhập tệp")).to_be_visible()
    save_screenshot(page, "data-page-plots")
    sign_in(page, "planner-hp")
    merge = page.get_by_role("button", name="Ghi vào dữ liệu")
    expect(merge).to_be_enabled(timeout=10000)
    merge.click()
    expect(page.get_by_text("Đã nhập lo_dat.zip: thêm 6 lô, sửa 0 lô, bỏ 0 lô.")).to_be_visible(
        timeout=30000)

    page.get_by_role("link", name="Xem các lô trên bản đồ").click()
    live = wait_for_map(page)
    expect(page.get_by_role("heading", name=zone_name, exact=True)).to_be_visible(timeout=30000)
    live.wait_until(lambda m: m.plots_drawn() == 6, what="the six imported plots drawn")
    save_screenshot(page, "data-page-plots-on-map")
    panel = page.locator(".st-key-side_panel")
    panel.get_by_role("tab", name="Lịch sử").click()
    history = panel.locator("table.kcn-history")
    expect(history).to_be_visible(timeout=20000)
    expect(history.get_by_text("Lô đất (số lô)")).to_be_visible()
    expect(history.locator("td.kcn-who", has_text="planner-hp").first).to_be_visible()
    assert f"zone={zone_id}" in page.url
    context.close()
