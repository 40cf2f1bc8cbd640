"""Plot files as economic-zone authorities send them, built for the tests.

Every file describes the same six plots (lô đất) of a park laid out as a 3 × 2
grid of 240 m × 400 m lots (9.6 ha each) with 20 m roads, around ``centre``:

- :func:`tcvn3_shapefile_zip`: a zipped shapefile in VN-2000 / TM-3 105°45'
  (EPSG:9210, Hải Phòng) whose attribute text is TCVN3 (ABC) with no ``.cpg``,
  areas in m², statuses in Vietnamese words;
- :func:`register_csv`: the park's plot register as a CSV with Vietnamese headings,
  a zone column, areas in m² written the Vietnamese way (``96.000``), mixed
  statuses (one in words KCN Atlas does not know), a total row, WKT boundaries;
- :func:`register_xlsx`: the same as a workbook with a title above the table.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from shapely.geometry import Point, box

from geo import vntext

__all__ = ["PLOTS", "plots_gdf", "register_csv", "register_xlsx", "tcvn3_shapefile_zip"]

# code, status as the office writes it, lessee, sector, lease end (dd/mm/yyyy).
PLOTS = [
    ("CN-01", "Đã cho thuê", "Công ty TNHH điện tử Hải An", "Điện tử", "31/12/2068"),
    ("CN-02", "Còn trống", "", "", ""),
    ("CN-03", "Đang đàm phán", "", "", ""),
    ("CN-04", "Đã đặt cọc", "Công ty cổ phần logistics Đình Vũ", "Kho vận", ""),
    ("CN-05", "Không cho thuê", "", "", ""),  # a utility plot
    ("CN-06", "Đã cho thuê", "Công ty TNHH cơ khí Tràng Duệ", "Cơ khí", "30/06/2070"),
]
LOT_W, LOT_H, ROAD = 240.0, 400.0, 20.0
LOT_HA = LOT_W * LOT_H / 10_000  # 9.6 ha


def plots_gdf(centre: tuple[float, float], crs: str = "EPSG:9210") -> gpd.GeoDataFrame:
    """The six lots around a lon/lat ``centre``, drawn in ``crs`` (metres)."""
    c = gpd.GeoSeries([Point(centre)], crs="EPSG:4326").to_crs(crs).iloc[0]
    x0, y0 = c.x - 1.5 * (LOT_W + ROAD), c.y - (LOT_H + ROAD)
    geoms = []
    for k in range(len(PLOTS)):
        col, row = k % 3, k // 3
        x, y = x0 + col * (LOT_W + ROAD), y0 + row * (LOT_H + ROAD)
        geoms.append(box(x, y, x + LOT_W, y + LOT_H))
    return gpd.GeoDataFrame({
        "code": [p[0] for p in PLOTS], "status": [p[1] for p in PLOTS],
        "lessee": [p[2] for p in PLOTS], "sector": [p[3] for p in PLOTS],
        "lease_end": [p[4] for p in PLOTS], "m2": [int(LOT_W * LOT_H)] * len(PLOTS),
    }, geometry=geoms, crs=crs)


def _tcvn3(text: str) -> str:
    """Text whose Latin-1 bytes are ``text`` in TCVN3, as a DBF from an office holds it."""
    return vntext.encode(text, "tcvn3").decode("latin1")


def tcvn3_shapefile_zip(folder: Path, centre: tuple[float, float]) -> bytes:
    """A zipped shapefile of the six plots in EPSG:9210 with TCVN3 text and no .cpg."""
    src = plots_gdf(centre, "EPSG:9210")
    frame = gpd.GeoDataFrame({
        "ky_hieu_lo": src["code"],
        "tinh_trang": [_tcvn3(s) for s in src["status"]],
        "dt_m2": src["m2"],
        "nha_dau_tu": [_tcvn3(s) for s in src["lessee"]],
        "nganh_nghe": [_tcvn3(s) for s in src["sector"]],
        "han_thue": src["lease_end"],
    }, geometry=src.geometry.values, crs=src.crs)
    shp = folder / "ban_do_lo_dat"
    shp.mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(frame, shp / "lo_dat.shp", encoding="latin1")
    (shp / "lo_dat.cpg").unlink(missing_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(shp.iterdir()):
            zf.write(f, f"ban_do_lo_dat/{f.name}")
    return buf.getvalue()


HEADER = ["STT", "Ký hiệu lô", "Tên KCN", "Diện tích (m²)", "Tình trạng", "Doanh nghiệp thuê",
          "Ngành nghề", "Thời hạn thuê", "WKT"]


def _rows(centre: tuple[float, float], zone: str) -> list[list[object]]:
    src = plots_gdf(centre).to_crs("EPSG:4326")
    rows: list[list[object]] = []
    for i, (p, geom) in enumerate(zip(PLOTS, src.geometry, strict=True)):
        status = "sắp bàn giao" if p[0] == "CN-05" else p[1]  # words KCN Atlas does not know
        rows.append([i + 1, p[0], zone, f"{int(LOT_W * LOT_H):,}".replace(",", "."), status,
                     p[2], p[3], p[4], shapely.to_wkt(geom, rounding_precision=8)])
    rows.append(["", "Tổng cộng", "", f"{int(LOT_W * LOT_H * len(PLOTS)):,}".replace(",", "."),
                 "", "", "", "", ""])
    return rows


def register_csv(centre: tuple[float, float], zone: str = "Đình Vũ") -> bytes:
    """The plot register as a UTF-8 CSV (with BOM, as Excel saves it)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(_rows(centre, zone))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def register_xlsx(path: Path, centre: tuple[float, float], zone: str = "Đình Vũ") -> Path:
    """The plot register as a workbook: a title, then the table."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách lô"
    ws.append(["DANH SÁCH LÔ ĐẤT KHU CÔNG NGHIỆP (cập nhật 30/06/2026)"])
    ws.append([])
    ws.append(HEADER)
    for row in _rows(centre, zone):
        ws.append(row)
    wb.save(path)
    return path
