"""Labels of the interface in Vietnamese and English.

Every label the map, its legends, tooltips and the app show comes from
:data:`LABELS`; a test checks that every key has both languages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date as _date
from datetime import datetime as _datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

__all__ = [
    "EMPTY",
    "LABELS",
    "date_text",
    "figure_text",
    "label_group",
    "number",
    "project_name",
    "sectors_label",
    "t",
    "text_or_dash",
    "unit_label",
    "zone_name",
]

EMPTY = "—"  # an empty cell, in every language

_LOCALES = {"vi": "vi_VN", "en": "en_GB"}

LABELS: dict[str, dict[str, str]] = {
    # app chrome
    "app.title": {"vi": "KCN Atlas – Bản đồ khu kinh tế, khu và cụm công nghiệp",
                  "en": "KCN Atlas – Map of economic zones, industrial zones and clusters"},
    "app.short": {"vi": "KCN Atlas", "en": "KCN Atlas"},
    "page.map": {"vi": "Bản đồ", "en": "Map"},
    "page.sources": {"vi": "Nguồn dữ liệu", "en": "Sources"},
    "lang": {"vi": "Ngôn ngữ", "en": "Language"},
    "search": {"vi": "Tìm khu theo tên", "en": "Find a zone by name"},
    "search.help": {"vi": "Không cần dấu: \"dinh vu\" tìm thấy KCN Đình Vũ",
                    "en": "Diacritics optional: \"dinh vu\" finds KCN Đình Vũ"},
    "search.none": {"vi": "Không có khu nào tên khớp với “{q}”.",
                    "en": "No zone name matches “{q}”."},
    "search.results": {"vi": "{n} khu khớp", "en": "{n} matching zones"},
    "filters": {"vi": "Bộ lọc", "en": "Filters"},
    "filter.any": {"vi": "Tất cả", "en": "All"},
    "layers": {"vi": "Lớp bản đồ", "en": "Map layers"},
    "province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    "kind": {"vi": "Loại", "en": "Kind"},
    "status": {"vi": "Hiện trạng", "en": "Status"},
    "occupancy_range": {"vi": "Tỷ lệ lấp đầy (%)", "en": "Occupancy (%)"},
    "occupancy_range.help": {"vi": "Khi thu hẹp khoảng, các khu chưa rõ tỷ lệ lấp đầy bị ẩn.",
                             "en": "Narrowing the range hides zones with unknown occupancy."},
    "area_range": {"vi": "Diện tích (ha)", "en": "Area (ha)"},
    "area_range.help": {"vi": "Khi thu hẹp khoảng, các khu chưa rõ diện tích bị ẩn.",
                        "en": "Narrowing the range hides zones with unknown area."},
    "period": {"vi": "Thời điểm", "en": "Period"},
    "period.now": {"vi": "Hiện nay", "en": "Today"},
    "period.2025": {"vi": "Đến 2025", "en": "By 2025"},
    "period.2030": {"vi": "Đến 2030", "en": "By 2030"},
    "color": {"vi": "Tô màu theo", "en": "Colour by"},
    "color.status": {"vi": "Hiện trạng", "en": "Status"},
    "color.kind": {"vi": "Loại khu", "en": "Kind"},
    "color.occupancy": {"vi": "Tỷ lệ lấp đầy", "en": "Occupancy"},
    "basemap": {"vi": "Bản đồ nền", "en": "Base map"},
    "basemap.osm": {"vi": "OpenStreetMap", "en": "OpenStreetMap"},
    "basemap.light": {"vi": "Nền sáng", "en": "Light"},
    "basemap.satellite": {"vi": "Ảnh vệ tinh", "en": "Satellite imagery"},
    "basemap.reference": {"vi": "Bản đồ tham chiếu (ngoại tuyến)", "en": "Reference map (offline)"},
    "basemap.none": {"vi": "Không có nền", "en": "None"},
    "layer.kkt": {"vi": "Khu kinh tế (KKT)", "en": "Economic zones (KKT)"},
    "layer.kcn": {"vi": "Khu công nghiệp (KCN)", "en": "Industrial zones (KCN)"},
    "layer.ccn": {"vi": "Cụm công nghiệp (CCN)", "en": "Industrial clusters (CCN)"},
    "layer.study": {"vi": "Địa bàn nghiên cứu KCN mới", "en": "Areas proposed for study"},
    "layer.infra": {"vi": "Hạ tầng kết nối", "en": "Infrastructure"},
    "layer.plots": {"vi": "Lô đất trong khu", "en": "Plots inside zones"},
    "plot.code": {"vi": "Lô", "en": "Plot"},
    "plot.leased": {"vi": "Đã cho thuê", "en": "Leased"},
    "plot.vacant": {"vi": "Còn trống", "en": "Vacant"},
    "plot.reserved": {"vi": "Đã đặt chỗ", "en": "Reserved"},
    "plot.negotiation": {"vi": "Đang đàm phán", "en": "Under negotiation"},
    "plot.unavailable": {"vi": "Không cho thuê", "en": "Not for lease"},
    "plot.unknown": {"vi": "Chưa rõ", "en": "Unknown"},
    "plot.summary": {"vi": "{n} lô: {vac} ha còn trống, {lea} ha đã cho thuê",
                     "en": "{n} plots: {vac} ha vacant, {lea} ha leased"},
    "plot.status_filter": {"vi": "Lô đất theo tình trạng", "en": "Plots by status"},
    "plot.title": {"vi": "Lô đất", "en": "Plot"},
    "attr.plots": {"vi": "Lô đất (số lô)", "en": "Plots (count)"},
    "brief.vacant_from_plots": {"vi": "Đất còn trống (theo lô)", "en": "Vacant land (from plots)"},
    "brief.from_plots": {"vi": "tính từ {n} lô, đến {d}",
                         "en": "computed from {n} plots, as of {d}"},
    "plot.from_plots": {"vi": "Theo {n} lô đất (đến {as_of}): đã thuê {leased} trên {leasable} ha "
                              "cho thuê được, còn trống {vacant} ha; tỷ lệ lấp đầy tính từ lô: "
                              "{occ}.",
                        "en": "From {n} plots (as of {as_of}): {leased} of {leasable} leasable ha "
                              "leased, {vacant} ha vacant; occupancy computed from the plots: "
                              "{occ}."},
    "plot.vs_stated": {"vi": "Số liệu công bố: {stated} ({tier}); chênh lệch {diff} điểm %.",
                       "en": "Stated: {stated} ({tier}); difference {diff} percentage points."},
    "site.title": {"vi": "Tìm mặt bằng cho nhà đầu tư", "en": "Site finder for investors"},
    "site.on": {"vi": "Tìm mặt bằng", "en": "Find sites"},
    "site.help": {"vi": "Lô đất còn trống (hoặc khu còn đất trống) đủ diện tích, trong các tỉnh "
                        "và loại khu đang lọc, gần cảng biển, sân bay, đường cao tốc.",
                  "en": "Vacant plots (or zones with vacant land) large enough, in the provinces "
                        "and kinds filtered, near a seaport, airport or expressway."},
    "site.target": {"vi": "Tìm", "en": "Look for"},
    "site.target.plots": {"vi": "Lô đất trống", "en": "Vacant plots"},
    "site.target.zones": {"vi": "Khu còn đất trống", "en": "Zones with vacant land"},
    "site.min": {"vi": "Diện tích trống tối thiểu (ha)", "en": "Least vacant area (ha)"},
    "site.near.seaport": {"vi": "Cách cảng biển không quá", "en": "Seaport within"},
    "site.near.airport": {"vi": "Cách sân bay không quá", "en": "Airport within"},
    "site.near.expressway": {"vi": "Cách đường cao tốc không quá", "en": "Expressway within"},
    "site.results": {"vi": "{n} mặt bằng phù hợp", "en": "{n} matching sites"},
    "site.none": {"vi": "Không có mặt bằng nào phù hợp. Hãy giảm diện tích hoặc nới khoảng cách.",
                  "en": "No site matches. Lower the area or widen the distances."},
    "site.rank": {"vi": "Hạng", "en": "Rank"},
    "site.zone": {"vi": "Khu", "en": "Zone"},
    "site.plot": {"vi": "Lô", "en": "Plot"},
    "site.area": {"vi": "Diện tích trống (ha)", "en": "Vacant (ha)"},
    "site.basis": {"vi": "Theo", "en": "From"},
    "site.basis.plots": {"vi": "lô đất", "en": "plots"},
    "site.basis.stated": {"vi": "số liệu công bố", "en": "stated figures"},
    "site.km.seaport": {"vi": "Cảng biển (km)", "en": "Seaport (km)"},
    "site.km.airport": {"vi": "Sân bay (km)", "en": "Airport (km)"},
    "site.km.expressway": {"vi": "Cao tốc (km)", "en": "Expressway (km)"},
    "site.note": {"vi": "Khoảng cách đường chim bay tới công trình gần nhất trong dữ liệu, tính "
                        "theo VN-2000. Xếp hạng: tổng khoảng cách đã chọn (gần trước), rồi diện "
                        "tích (lớn trước).",
                  "en": "Straight-line distances to the nearest project in the register, measured "
                        "in VN-2000. Ranked by the sum of the chosen distances (nearest first), "
                        "then by area (largest first)."},
    "plot.status": {"vi": "Tình trạng", "en": "Status"},
    "plot.area_declared": {"vi": "Diện tích theo nguồn", "en": "Area (stated)"},
    "plot.area_measured": {"vi": "Diện tích đo trên bản đồ (VN-2000)",
                           "en": "Area measured on the map (VN-2000)"},
    "plot.lessee": {"vi": "Bên thuê", "en": "Lessee"},
    "plot.sector": {"vi": "Ngành", "en": "Sector"},
    "plot.lease_end": {"vi": "Hết hạn thuê", "en": "Lease ends"},
    "plot.clear": {"vi": "Bỏ chọn lô", "en": "Clear the plot"},
    "legend.plots": {"vi": "Lô đất", "en": "Plots"},
    "legend.plot_summary": {"vi": "Hình tròn (thu nhỏ): diện tích còn trống của khu",
                            "en": "Circle (zoomed out): the zone's vacant hectares"},
    "shown": {"vi": "Đang hiển thị {n} khu và {p} công trình hạ tầng",
              "en": "Showing {n} zones and {p} infrastructure projects"},
    "hectares_by_period": {"vi": "Diện tích theo thời điểm (các khu đang lọc)",
                           "en": "Hectares by period (filtered zones)"},
    "ha_known": {"vi": "{n} khu, {ha} ha đã biết ({u} khu chưa rõ diện tích)",
                 "en": "{n} zones, {ha} ha known (area unknown for {u})"},
    "legend.title": {"vi": "Chú giải", "en": "Legend"},
    "ignored_params": {"vi": "Liên kết có tham số không hợp lệ, đã bỏ qua: {names}",
                       "en": "The link had invalid parameters, ignored: {names}"},
    "adjusted_params": {"vi": "Liên kết có tham số vượt giới hạn, đã điều chỉnh: {names}",
                        "en": "The link had parameters out of range, adjusted: {names}"},
    "unknown_zone": {"vi": "Không tìm thấy khu “{id}” trong dữ liệu; đã bỏ chọn.",
                     "en": "Zone “{id}” is not in the register; selection cleared."},
    "map.hint": {"vi": "Di chuột để xem thông tin, bấm vào khu để chọn.",
                 "en": "Hover for details, click a zone to select it."},
    "tiles.note": {"vi": "Nếu không tải được bản đồ nền, các lớp dữ liệu vẫn hiển thị.",
                   "en": "If base-map tiles cannot load, the data layers still show."},
    # zone panel
    "panel.title": {"vi": "Thông tin khu", "en": "Zone details"},
    "panel.none": {"vi": "Chọn một khu trên bản đồ hoặc tìm theo tên.",
                   "en": "Select a zone on the map or search by name."},
    "panel.clear": {"vi": "Bỏ chọn", "en": "Clear selection"},
    "panel.attribute": {"vi": "Thuộc tính", "en": "Attribute"},
    "panel.value": {"vi": "Giá trị", "en": "Value"},
    "panel.source": {"vi": "Nguồn", "en": "Source"},
    "panel.as_of": {"vi": "Thời điểm số liệu", "en": "As of"},
    "panel.missing": {"vi": "chưa có nguồn", "en": "no source yet"},
    "panel.differs": {"vi": "Nguồn khác ghi", "en": "Other sources give"},
    "panel.unknown_fields": {"vi": "Chưa có nguồn nào cho", "en": "No source gives"},
    "panel.ocr_reading": {"vi": "Bản đọc của biên tập viên từ bản quét OCR",
                          "en": "Editors' reading of an OCR scan"},
    "panel.ocr_raw": {"vi": "Văn bản OCR gốc", "en": "Raw OCR text"},
    "panel.location": {"vi": "Vị trí", "en": "Location"},
    "present.toggle": {"vi": "Chế độ trình chiếu", "en": "Presentation view"},
    "present.help": {"vi": "Ẩn công cụ, hiện bản đồ, số liệu chính của khu đang chọn và mã QR "
                             "cỡ lớn.",
                     "en": "Hide the tools; show the map, the selected zone's key figures and a "
                           "large QR code."},
    "present.leave": {"vi": "Thoát chế độ trình chiếu", "en": "Leave the presentation view"},
    "present.scan": {"vi": "Quét để mở bản đồ này", "en": "Scan to open this map"},
    "notice.selection_hidden": {"vi": "Khu đang chọn ({name}) không nằm trong các khu đang hiển "
                                      "thị nên đã được bỏ chọn.",
                                "en": "The selected zone ({name}) is not among the zones shown, "
                                      "so it was deselected."},
    "panel.approximate": {"vi": "Vị trí gần đúng: điểm đặt ở trung tâm xã/phường (hoặc quận/huyện) "
                                "mà nguồn nêu, chưa có ranh giới.",
                          "en": "Approximate location: a point at the centre of the commune "
                                "(or district) its source names, no boundary yet."},
    "panel.projects": {"vi": "Hạ tầng phục vụ khu", "en": "Infrastructure serving this zone"},
    "panel.no_projects": {"vi": "Chưa có công trình hạ tầng nào được liên kết.",
                          "en": "No infrastructure project linked yet."},
    "panel.nearest": {"vi": "Khoảng cách đường chim bay", "en": "Straight-line distance"},
    "panel.nearest.none": {"vi": "không có trong dữ liệu", "en": "none in the register"},
    "panel.nearest.note": {"vi": "Tính từ vị trí đã lưu; vị trí gần đúng cho khoảng cách gần đúng.",
                           "en": "From the stored locations; approximate locations give "
                                 "approximate distances."},
    "panel.children": {"vi": "Các khu trong khu kinh tế", "en": "Zones inside this economic zone"},
    "panel.parent": {"vi": "Thuộc", "en": "Part of"},
    "panel.by_period": {"vi": "Diện tích quy hoạch theo thời điểm",
                        "en": "Planned hectares by period"},
    "project.title": {"vi": "Công trình hạ tầng", "en": "Infrastructure project"},
    "project.serves": {"vi": "Phục vụ các khu", "en": "Serves the zones"},
    "project.select": {"vi": "Chọn công trình hạ tầng", "en": "Select an infrastructure project"},
    "project.none": {"vi": "(không chọn)", "en": "(none)"},
    "quote": {"vi": "Trích dẫn", "en": "Quote"},
    # attributes
    "attr.name_vi": {"vi": "Tên", "en": "Name (Vietnamese)"},
    "attr.name_en": {"vi": "Tên tiếng Anh", "en": "Name"},
    "attr.kind": {"vi": "Loại", "en": "Kind"},
    "attr.status": {"vi": "Hiện trạng", "en": "Status"},
    "attr.province": {"vi": "Tỉnh/thành (theo văn bản)", "en": "Province (as in the source)"},
    "attr.province_current": {"vi": "Tỉnh/thành hiện nay", "en": "Province today"},
    "attr.district": {"vi": "Quận/huyện", "en": "District"},
    "attr.area_total_ha": {"vi": "Tổng diện tích (ha)", "en": "Total area (ha)"},
    "attr.area_industrial_ha": {"vi": "Đất công nghiệp (ha)", "en": "Industrial land (ha)"},
    "attr.leased_ha": {"vi": "Đã cho thuê (ha)", "en": "Leased (ha)"},
    "attr.occupancy_pct": {"vi": "Tỷ lệ lấp đầy (%)", "en": "Occupancy (%)"},
    "attr.year_established": {"vi": "Năm thành lập", "en": "Year established"},
    "attr.plan_period": {"vi": "Kỳ quy hoạch", "en": "Plan period"},
    "attr.developer": {"vi": "Chủ đầu tư hạ tầng", "en": "Developer"},
    "attr.sectors": {"vi": "Ngành ưu tiên", "en": "Priority sectors"},
    "attr.geometry_quality": {"vi": "Chất lượng vị trí", "en": "Location quality"},
    "attr.commune": {"vi": "Xã/phường", "en": "Commune or ward"},
    "attr.parent_id": {"vi": "Thuộc khu kinh tế", "en": "Part of economic zone"},
    "attr.kcn_count": {"vi": "Số KCN trong khu kinh tế", "en": "KCN inside it"},
    "attr.area_measured_ha": {"vi": "Diện tích đo trên bản đồ (ha)",
                              "en": "Measured area (ha)"},
    "attr.id": {"vi": "Mã khu", "en": "Zone id"},
    "attr.source_section": {"vi": "Mục trong văn bản", "en": "Section of the source"},
    "attr.as_of": {"vi": "Thời điểm số liệu", "en": "As of"},
    "attr.notes": {"vi": "Ghi chú", "en": "Notes"},
    "attr.record": {"vi": "Hồ sơ khu", "en": "Zone record"},
    "attr.period": {"vi": "Thời gian", "en": "Period"},
    # vocabularies
    "kind.KKT": {"vi": "Khu kinh tế", "en": "Economic zone"},
    "kind.KCN": {"vi": "Khu công nghiệp", "en": "Industrial zone"},
    "kind.CCN": {"vi": "Cụm công nghiệp", "en": "Industrial cluster"},
    "kind.study_area": {"vi": "Địa bàn đề xuất nghiên cứu KCN",
                        "en": "Area proposed for study"},
    "status.operating": {"vi": "Đang hoạt động", "en": "Operating"},
    "status.under_construction": {"vi": "Đang xây dựng", "en": "Under construction"},
    "status.planned": {"vi": "Quy hoạch", "en": "Planned"},
    "status.proposed": {"vi": "Đề xuất nghiên cứu", "en": "Proposed"},
    "status.unknown": {"vi": "Chưa rõ hiện trạng", "en": "Status unknown"},
    # source tiers: a short badge and its meaning
    "tier.legal": {"vi": "Văn bản", "en": "Legal"},
    "tier.official": {"vi": "Cơ quan", "en": "Official"},
    "tier.press": {"vi": "Báo chí", "en": "Press"},
    "tier.developer": {"vi": "Chủ đầu tư", "en": "Developer"},
    "tier.editors": {"vi": "Biên tập", "en": "Editors"},
    "tier.legal.long": {"vi": "Văn bản pháp lý (quyết định, nghị quyết, kế hoạch)",
                        "en": "Legal document (decision, resolution, plan)"},
    "tier.official.long": {"vi": "Báo cáo hoặc phát biểu của cơ quan nhà nước",
                           "en": "An authority's report or statement"},
    "tier.press.long": {"vi": "Báo chí", "en": "Press report"},
    "tier.developer.long": {"vi": "Tài liệu của chủ đầu tư hoặc xúc tiến đầu tư",
                            "en": "Developer or investment-promotion material"},
    "tier.editors.long": {"vi": "Biên tập viên KCN Atlas đặt vị trí (tâm xã/phường mà nguồn nêu, "
                                "hoặc theo hiểu biết chung); không dùng cho số liệu",
                          "en": "KCN Atlas editors' placement (the centre of the commune a "
                                "source names, or general knowledge); never a value"},
    "quality.surveyed": {"vi": "Ranh giới đo đạc", "en": "Surveyed boundary"},
    "quality.digitised": {"vi": "Số hoá", "en": "Digitised"},
    "quality.approximate": {"vi": "Vị trí gần đúng", "en": "Approximate location"},
    "pkind.expressway": {"vi": "Đường cao tốc", "en": "Expressway"},
    "pkind.national_road": {"vi": "Quốc lộ", "en": "National road"},
    "pkind.coastal_road": {"vi": "Đường ven biển", "en": "Coastal road"},
    "pkind.bridge": {"vi": "Cầu", "en": "Bridge"},
    "pkind.sea_dike": {"vi": "Đê biển", "en": "Sea dike"},
    "pkind.seaport": {"vi": "Cảng biển", "en": "Seaport"},
    "pkind.airport": {"vi": "Sân bay", "en": "Airport"},
    "pkind.railway": {"vi": "Đường sắt", "en": "Railway"},
    "pkind.power": {"vi": "Điện", "en": "Power"},
    "pkind.water": {"vi": "Cấp thoát nước", "en": "Water and wastewater"},
    "occ.lt50": {"vi": "Dưới 50%", "en": "Below 50%"},
    "occ.50_70": {"vi": "50–70%", "en": "50–70%"},
    "occ.70_90": {"vi": "70–90%", "en": "70–90%"},
    "occ.ge90": {"vi": "Từ 90%", "en": "90% and above"},
    "occ.unknown": {"vi": "Chưa rõ", "en": "Unknown"},
    "unknown": {"vi": "chưa rõ", "en": "unknown"},
    # legend
    "legend.zones": {"vi": "Khu", "en": "Zones"},
    "legend.infra": {"vi": "Hạ tầng", "en": "Infrastructure"},
    "legend.approximate": {"vi": "Nét đứt: vị trí gần đúng", "en": "Dashed: approximate location"},
    "legend.selected": {"vi": "Viền đậm: đang chọn", "en": "Bold outline: selected"},
    "legend.area_circle": {"vi": "Hình tròn: diện tích công bố, không phải ranh giới",
                           "en": "Circle: the stated area, not a boundary"},
    "legend.point": {"vi": "Chấm nhỏ: chưa rõ diện tích", "en": "Small dot: area unknown"},
    "legend.tiers": {"vi": "Nguồn của số liệu", "en": "Where each figure comes from"},
    "legend.reference": {"vi": "Bản đồ tham chiếu", "en": "Reference map"},
    "legend.provinces": {"vi": "Ranh giới tỉnh/thành (2025)", "en": "Province boundaries (2025)"},
    # live map
    "map.aria": {"vi": "Bản đồ các khu", "en": "Map of the zones"},
    "map.area_circle": {"vi": "Hình tròn có diện tích bằng diện tích công bố, không phải ranh giới",
                        "en": "Circle of the stated area, not a boundary"},
    "map.tiles_failed": {"vi": "Không tải được bản đồ nền: đang dùng bản đồ tham chiếu đi kèm.",
                         "en": "Base-map tiles could not load: showing the bundled reference map."},
    "map.close": {"vi": "Đóng", "en": "Close"},
    "list.caption": {"vi": "{n} khu đang hiển thị. Bấm tên để chọn, bấm tiêu đề cột để sắp xếp.",
                     "en": "{n} zones shown. Choose a name to select it, a heading to sort."},
    "list.name": {"vi": "Tên", "en": "Name"},
    "list.kind": {"vi": "Loại", "en": "Kind"},
    "list.status": {"vi": "Hiện trạng", "en": "Status"},
    "list.area": {"vi": "Diện tích (ha)", "en": "Area (ha)"},
    "list.occupancy": {"vi": "Lấp đầy (%)", "en": "Occupancy (%)"},
    "legend.infra_status": {"vi": "Nét liền: đang khai thác; gạch: đang xây; "
                                  "chấm: quy hoạch/đề xuất",
                            "en": "Solid: operating; dashed: under construction; "
                                  "dotted: planned/proposed"},
    # sources page
    "sources.title": {"vi": "Nguồn dữ liệu và số liệu chính thức",
                      "en": "Sources and official figures"},
    "sources.documents": {"vi": "Văn bản nguồn", "en": "Source documents"},
    "sources.tiers": {"vi": "Mỗi nguồn có một cấp độ: văn bản pháp lý, cơ quan nhà nước, báo chí, "
                            "chủ đầu tư, hoặc biên tập viên (chỉ để đặt vị trí). Khi các nguồn ghi "
                            "khác nhau, bản đồ dùng nguồn cấp cao hơn, rồi nguồn mới hơn, và ghi "
                            "rõ nguồn khác.",
                      "en": "Each source has a tier: legal document, authority, press, developer, "
                            "or editors (for locations only). Where sources differ, the map uses "
                            "the higher tier, then the newer one, and shows the other."},
    "src.document": {"vi": "Tài liệu", "en": "Document"},
    "src.number": {"vi": "Số hiệu", "en": "Number"},
    "src.issuer": {"vi": "Cơ quan, đơn vị ban hành", "en": "Publisher"},
    "src.date": {"vi": "Ngày", "en": "Date"},
    "src.tier": {"vi": "Cấp độ nguồn", "en": "Source tier"},
    "src.url": {"vi": "Liên kết", "en": "Link"},
    "src.note": {"vi": "Ghi chú", "en": "Note"},
    "sources.figures": {"vi": "Số liệu và chỉ tiêu chính thức",
                        "en": "Official figures and targets"},
    "sources.register": {"vi": "Danh mục khu", "en": "Zone register"},
    "sources.gap": {"vi": "Chênh lệch giữa số liệu chính thức và dữ liệu hiện có",
                    "en": "Gap between the official figures and the register"},
    "gap.official_count": {"vi": "Số khu theo văn bản", "en": "Zones (official)"},
    "gap.register_count": {"vi": "Số khu trong dữ liệu", "en": "Zones (register)"},
    "gap.official_ha": {"vi": "Diện tích theo văn bản (ha)", "en": "Hectares (official)"},
    "gap.register_ha": {"vi": "Diện tích đã biết trong dữ liệu (ha)",
                        "en": "Hectares known in the register"},
    "gap.unknown_area": {"vi": "Số khu chưa rõ diện tích", "en": "Zones with unknown area"},
    "sources.counts": {"vi": "{z} khu · {p} công trình hạ tầng · {f} số liệu chính thức",
                       "en": "{z} zones · {p} infrastructure projects · {f} official figures"},
    "share": {"vi": "Chia sẻ liên kết", "en": "Share link"},
    "share.help": {"vi": "Liên kết mở lại đúng khung nhìn, bộ lọc và khu đang chọn.",
                   "en": "The link reopens exactly this view, filters and selected zone."},
    "share.qr": {"vi": "Mã QR của liên kết", "en": "QR code of the link"},
    "share.copy": {"vi": "Sao chép", "en": "Copy"},
    "share.copied": {"vi": "Đã chép", "en": "Copied"},
    "share.qr_too_long": {"vi": "Liên kết quá dài để tạo mã QR; hãy sao chép liên kết.",
                          "en": "The link is too long for a QR code; copy the link instead."},
    "export": {"vi": "Xuất dữ liệu", "en": "Export"},
    "export.help": {"vi": "Xuất những gì đang hiển thị, kèm nguồn và ngày số liệu.",
                    "en": "Export what is on screen, with its sources and as-of dates."},
    "export.geojson": {"vi": "GeoJSON", "en": "GeoJSON"},
    "export.gpkg": {"vi": "GeoPackage", "en": "GeoPackage"},
    "export.csv": {"vi": "CSV (UTF-8)", "en": "CSV (UTF-8)"},
    "export.xlsx": {"vi": "Excel", "en": "Excel"},
    "export.kml": {"vi": "KML (Google Earth)", "en": "KML (Google Earth)"},
    "export.zone_brief": {"vi": "Bản giới thiệu khu (PDF)",
                          "en": "Investor brief of this zone (PDF)"},
    "export.province": {"vi": "Tỉnh/thành cho bản tổng quan", "en": "Province for the overview"},
    "export.province_brief": {"vi": "Bản tổng quan tỉnh/thành (PDF)",
                              "en": "Province overview (PDF)"},
    "brief.fonts_missing": {"vi": "Chưa có phông DejaVu để tạo PDF: cài gói fonts-dejavu-core.",
                            "en": "The DejaVu fonts for the PDF are missing: install "
                                  "fonts-dejavu-core."},
    "export.html": {"vi": "Bản đồ HTML (mở không cần mạng)",
                    "en": "HTML map (opens offline)"},
    "export.no_zone": {"vi": "Chưa chọn khu nào: chọn một khu trên bản đồ rồi tải lại bản "
                                "giới thiệu.",
                       "en": "No zone is selected: select a zone on the map, then download "
                             "its brief again."},
    "export.no_province": {"vi": "Liên kết không nêu tỉnh/thành có trong sổ đăng ký: chọn "
                                    "tỉnh/thành trong menu Xuất dữ liệu.",
                           "en": "The link names no province the register holds: choose one "
                                 "in the Export menu."},
    "export.unknown": {"vi": "Không có kiểu xuất “{what}”.",
                       "en": "There is no export called “{what}”."},
    "export.failed": {"vi": "Không tạo được tệp xuất. Hãy thử lại; nếu vẫn lỗi, báo cho quản "
                               "trị viên (chi tiết đã được ghi vào nhật ký máy chủ).",
                      "en": "The export could not be built. Try again; if it fails again, "
                            "tell the administrator (the details are in the server's log)."},
    "export.back": {"vi": "Quay lại bản đồ", "en": "Back to the map"},
    "export.open_live": {"vi": "Mở bản đồ trực tuyến với cùng khung nhìn",
                         "en": "Open the live map with the same view"},
    "export.generated": {"vi": "Ngày xuất", "en": "Exported on"},
    "page.data": {"vi": "Dữ liệu", "en": "Data"},
    "data.title": {"vi": "Nhập dữ liệu", "en": "Import data"},
    "data.intro": {"vi": "Tải lên tệp các cơ quan thường trao đổi: shapefile nén zip (VN-2000, "
                            "TCVN3/VNI), GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, GeoParquet, "
                            "CSV hoặc Excel. Xem báo cáo và bản xem trước trước khi ghi.",
                   "en": "Upload the files offices exchange: zipped shapefiles (VN-2000, "
                         "TCVN3/VNI), GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, GeoParquet, "
                         "CSV or Excel. Read the report and the preview before anything is "
                         "written."},
    "data.bundled_newer": {
        "vi": "Bộ dữ liệu đi kèm đã được cập nhật (phiên bản KCN Atlas mới), nhưng sổ đăng ký "
              "này có dữ liệu đã nhập hoặc đã sửa nên không được dựng lại. Để dùng dữ liệu mới: "
              "chạy `kcn-atlas build --force` (giữ lại một bản sao của tệp hiện tại), rồi nhập "
              "lại các tệp của bạn; hoặc tiếp tục làm việc trên sổ đăng ký hiện tại.",
        "en": "The bundled sources were updated (a new version of KCN Atlas), but this "
              "register holds imports or edits, so it was not rebuilt. To take the new "
              "sources, run `kcn-atlas build --force` (it keeps a copy of the current file), "
              "then import your files again; or keep working on this register."},
    "data.upload": {"vi": "Tệp cần nhập", "en": "File to import"},
    "data.upload.help": {"vi": "Tối đa 200 MB. Tệp nén không được giải nén quá 1 GB.",
                         "en": "Up to 200 MB. A zip may not expand beyond 1 GB."},
    "data.layer": {"vi": "Lớp", "en": "Layer"},
    "data.all_layers": {"vi": "Mọi lớp có đối tượng", "en": "Every layer with features"},
    "data.encoding": {"vi": "Bảng mã chữ", "en": "Text encoding"},
    "data.auto": {"vi": "Tự nhận biết", "en": "Detect"},
    "data.crs": {"vi": "Hệ tọa độ", "en": "Coordinate system"},
    "data.crs.help": {"vi": "Chỉ cần khi tệp không có hệ tọa độ, ví dụ EPSG:9210 (VN-2000 "
                               "Hải Phòng).",
                      "en": "Only needed when the file has none, e.g. EPSG:9210 (VN-2000 "
                            "Hải Phòng)."},
    "data.outcome.accept": {"vi": "Tệp hợp lệ.", "en": "The file is fine."},
    "data.outcome.accept_with_warnings": {"vi": "Tệp đọc được, có cảnh báo cần xem.",
                                          "en": "The file can be imported; read the warnings."},
    "data.outcome.reject": {"vi": "Không nhập được tệp này.", "en": "This file cannot be "
                                                                     "imported."},
    "data.features": {"vi": "Số đối tượng", "en": "Features"},
    "data.area": {"vi": "Tổng diện tích (ha)", "en": "Total area (ha)"},
    "data.geometry": {"vi": "Hình học", "en": "Geometry"},
    "data.imported": {"vi": "Nhập", "en": "Imported"},
    "data.warnings": {"vi": "{n} cảnh báo", "en": "{n} warnings"},
    "data.preview": {"vi": "Xem trước trên bản đồ", "en": "Preview on the map"},
    "data.plan": {"vi": "Sẽ ghi gì vào dữ liệu", "en": "What the merge will do"},
    "data.plan.counts": {"vi": "Thêm {a} khu, sửa {c} khu, giữ nguyên {u} khu.",
                         "en": "Add {a} zones, change {c}, leave {u} as they are."},
    "data.change": {"vi": "Thay đổi", "en": "Change"},
    "data.added": {"vi": "thêm mới", "en": "added"},
    "data.changed": {"vi": "sửa", "en": "changed"},
    "data.who": {"vi": "Người nhập", "en": "Imported by"},
    "data.who.help": {"vi": "Ghi vào nhật ký thay đổi.", "en": "Written to the audit log."},
    "data.merge": {"vi": "Ghi vào dữ liệu", "en": "Merge into the register"},
    "data.cancel": {"vi": "Hủy", "en": "Cancel"},
    "data.merged": {"vi": "Đã nhập {file}: thêm {a} khu, sửa {c} khu.",
                    "en": "Imported {file}: {a} zones added, {c} changed."},
    "data.open_map": {"vi": "Xem trên bản đồ", "en": "See it on the map"},
    "data.history": {"vi": "Lịch sử nhập", "en": "Import history"},
    "data.history.none": {"vi": "Chưa có lần nhập nào.", "en": "No import yet."},
    "data.when": {"vi": "Lúc", "en": "When"},
    "data.action": {"vi": "Việc", "en": "Action"},
    "data.action.import": {"vi": "nhập", "en": "import"},
    "data.action.undo_import": {"vi": "hoàn tác", "en": "undo"},
    "data.file": {"vi": "Tệp", "en": "File"},
    "data.undo": {"vi": "Hoàn tác lần nhập này", "en": "Undo this import"},
    "data.undo.none": {"vi": "Không còn lần nhập nào để hoàn tác.",
                       "en": "There is no import left to undo."},
    "data.undone": {"vi": "Đã hoàn tác việc nhập {file} ({who}, {at}): bỏ {r} khu, khôi phục "
                          "{s} khu.",
                    "en": "Undid the import of {file} ({who}, {at}): removed {r} zones, "
                          "restored {s}."},
    # Undo names what it undoes (issue 12).
    "data.import_id": {"vi": "Mã lần nhập", "en": "Import id"},
    "data.undo.title": {"vi": "Hoàn tác một lần nhập", "en": "Undo an import"},
    "data.undo.which": {"vi": "Lần nhập cần hoàn tác", "en": "Import to undo"},
    "data.undo.choose": {"vi": "Chọn lần nhập", "en": "Choose an import"},
    "data.undo.option": {"vi": "{file} — {who} — {at}", "en": "{file} — {who} — {at}"},
    "data.undo.what": {"vi": "{file}, do {who} nhập lúc {at}: thêm {a} khu, sửa {c} khu "
                             "(mã {id}).",
                       "en": "{file}, imported by {who} at {at}: {a} zones added, {c} changed "
                             "(id {id})."},
    "data.undo.confirm": {"vi": "Tôi muốn hoàn tác lần nhập {file} của {who} lúc {at}",
                          "en": "Yes, undo the import of {file} by {who} at {at}"},
    "data.undo.not_yours": {"vi": "Lần nhập này của {who}: chỉ người đã nhập (hoặc quản trị "
                                  "viên, khi có đăng nhập) mới hoàn tác được.",
                            "en": "This import is {who}'s: only its importer (or an admin, "
                                  "once sign-in exists) can undo it."},
    "data.undo.name": {"vi": "Ghi tên của bạn vào ô “Người nhập” để hoàn tác lần nhập của bạn.",
                       "en": "Type your name in “Imported by” to undo your imports."},
    "data.duplicate": {"vi": "Tệp này đã được nhập ({who}, {at}, mã {id}); không ghi gì thêm.",
                       "en": "This file is already imported ({who}, {at}, id {id}); nothing "
                             "written."},
    "data.nothing": {"vi": "Không có gì thay đổi: không ghi gì.",
                     "en": "Nothing would change: nothing written."},
    "data.writing": {"vi": "Đang ghi (chờ nếu có người khác đang ghi)…",
                     "en": "Writing (waits while someone else writes)…"},
    "data.notes": {"vi": "{n} ghi chú", "en": "{n} notes"},
    "data.other_file": {"vi": "Chọn tệp khác", "en": "Choose another file"},
    "data.too_big": {"vi": "{file} nặng {mb} MB, quá {limit} MB một lần nhập được phép.",
                     "en": "{file} is {mb} MB, more than the {limit} MB an import may be."},
    "data.prefer": {"vi": "Khi các trang tính khác nhau, tin trang", "en": "When sheets "
                                                                            "disagree, trust"},
    "data.prefer.help": {"vi": "Các trang cùng nói về một khu được ghép theo mã hoặc tên; "
                                "khi chúng khác nhau, giá trị của trang này được dùng.",
                         "en": "Sheets about the same zone are joined by code or name; where "
                               "they differ, this sheet's values are used."},
    "data.mapping": {"vi": "Cột của tệp → trường dữ liệu", "en": "The file's columns → the "
                                                                    "register's fields"},
    "data.mapping.help": {"vi": "Đổi nếu một cột được hiểu sai, ví dụ cột \"Diện tích đất CN\" "
                                 "là đất công nghiệp. Cột không gán được giữ trong ghi chú.",
                          "en": "Change one that was read wrong, e.g. a column \"Diện tích đất "
                                "CN\" is industrial land. A column mapped onto nothing is kept "
                                "in the notes."},
    "data.mapping.notes": {"vi": "(giữ trong ghi chú)", "en": "(keep in the notes)"},
    "data.mapping.lat": {"vi": "Vĩ độ (tọa độ)", "en": "Latitude (coordinates)"},
    "data.mapping.lon": {"vi": "Kinh độ (tọa độ)", "en": "Longitude (coordinates)"},
    "data.mapping.wkt": {"vi": "Hình học (WKT)", "en": "Geometry (WKT)"},
    "data.replace_worse": {"vi": "Thay cả dữ liệu tốt hơn bằng dữ liệu của tệp",
                           "en": "Replace better data with the file's"},
    "data.replace_worse.help": {"vi": "Mặc định, ranh giới đo đạc hay số hóa không bị thay bằng "
                                       "một điểm hay vị trí gần đúng, và giá trị có nguồn không "
                                       "bị xóa bởi ô trống của tệp.",
                                "en": "By default a surveyed or digitised boundary is never "
                                      "replaced with a point or an approximate location, nor a "
                                      "sourced value with an empty cell of the file."},
    "data.worse": {"vi": "Tệp có ít hơn dữ liệu hiện có", "en": "Where the file has less than "
                                                                "the register"},
    "data.worse.kept": {"vi": "giữ dữ liệu hiện có", "en": "the register's is kept"},
    "data.worse.replaced": {"vi": "thay bằng của tệp", "en": "replaced with the file's"},
    "data.field": {"vi": "Trường", "en": "Field"},
    "data.why": {"vi": "Vì sao", "en": "Why"},
    "data.problem": {"vi": "Không ghi được: sau khi ghi, dữ liệu sẽ có lỗi: {p}",
                     "en": "Cannot merge: the register would then have a problem: {p}"},
    # The Data page for a file of plots (app_pages/data_plots.py).
    "data.kind": {"vi": "Tệp này chứa", "en": "This file holds"},
    "data.kind.zones": {"vi": "Khu (KKT, KCN, CCN)", "en": "Zones (KKT, KCN, CCN)"},
    "data.kind.plots": {"vi": "Lô đất trong các khu", "en": "Plots inside zones"},
    "data.kind.help": {"vi": "Nhận biết theo tên cột (Mã lô, Ký hiệu lô, Tình trạng…); đổi nếu "
                             "sai.",
                       "en": "Told from the column names (Mã lô, Ký hiệu lô, status…); change "
                             "it if wrong."},
    "data.plots.zone": {"vi": "Khu của mọi lô trong tệp", "en": "Zone of every plot in the file"},
    "data.plots.zone.auto": {"vi": "Theo cột khu của tệp, hoặc nơi lô nằm",
                             "en": "The file's zone column, or where each plot lies"},
    "data.plots.zone.help": {"vi": "Chọn khu khi tệp là danh sách lô của một khu. Nếu không, mỗi "
                                   "lô thuộc khu ghi ở cột khu của tệp (mã hoặc tên), hoặc khu "
                                   "chứa nó; lô không tìm được khu sẽ bị bỏ ra và được liệt kê.",
                             "en": "Choose the zone when the file lists one zone's plots. "
                                   "Otherwise each plot goes to the zone its zone column names "
                                   "(id or name), or the zone it lies in; plots no zone is found "
                                   "for are left out and listed."},
    "data.plots.as_of": {"vi": "Số liệu tính đến ngày", "en": "Data as of"},
    "data.plots.as_of.help": {"vi": "Khi tệp không có cột ngày cập nhật. Để trống: hôm nay.",
                              "en": "When the file has no as-of column. Empty: today."},
    "data.plots.count": {"vi": "Số lô", "en": "Plots"},
    "data.plots.area": {"vi": "Diện tích các lô (ha)", "en": "Plots' area (ha)"},
    "data.plots.left_out": {"vi": "Lô bị bỏ ra", "en": "Plots left out"},
    "data.plots.by_status": {"vi": "Theo tình trạng", "en": "By status"},
    "data.plots.by_zone": {"vi": "Theo khu", "en": "By zone"},
    "data.plots.zone_col": {"vi": "Khu", "en": "Zone"},
    "data.plots.area_ha": {"vi": "Diện tích (ha)", "en": "Area (ha)"},
    "data.plots.area_m2": {"vi": "Diện tích theo nguồn (m²)", "en": "Area (stated, m²)"},
    "data.plots.preview_cut": {"vi": "Xem trước {n} trên {m} lô", "en": "Preview of {n} of {m} "
                                                                       "plots"},
    "data.plots.mapping.help": {"vi": "Đổi nếu một cột được hiểu sai, ví dụ cột diện tích tính "
                                      "bằng m² nhưng tiêu đề không ghi đơn vị: chọn \"Diện tích "
                                      "theo nguồn (m²)\".",
                                "en": "Change a column the importer read wrongly, e.g. an area "
                                      "in m² whose heading gives no unit: choose \"Area (stated, "
                                      "m²)\"."},
    "data.plots.plan.counts": {"vi": "Thêm {a} lô, sửa {c} lô, bỏ {r} lô, giữ nguyên {u} lô.",
                               "en": "Add {a} plots, change {c}, remove {r}, leave {u} as they "
                                     "are."},
    "data.plots.plan.cut": {"vi": "Bảng chỉ hiện {n} dòng đầu.", "en": "The table shows the "
                                                                       "first {n} rows."},
    "data.plots.replace_zone": {"vi": "Thay toàn bộ lô của các khu này bằng lô trong tệp",
                                "en": "Replace these zones' plots with the file's"},
    "data.plots.replace_zone.help": {"vi": "Lô của các khu này đang có trong dữ liệu mà tệp không "
                                           "có sẽ bị bỏ (hoàn tác được). Mặc định không bỏ lô nào.",
                                     "en": "The register's plots of these zones that the file "
                                           "does not hold are removed (undo brings them back). "
                                           "By default no plot is removed."},
    "data.removed": {"vi": "bỏ", "en": "removed"},
    "data.plots.merged": {"vi": "Đã nhập {file}: thêm {a} lô, sửa {c} lô, bỏ {r} lô.",
                          "en": "Imported {file}: {a} plots added, {c} changed, {r} removed."},
    "data.plots.open_map": {"vi": "Xem các lô trên bản đồ", "en": "See the plots on the map"},
    "data.plots.moved_on": {"vi": "Dữ liệu vừa được ghi bởi người khác: xem lại kế hoạch rồi ghi "
                                  "lại.",
                            "en": "The register was written meanwhile: check the plan again, "
                                  "then merge."},
    "data.undo.what_plots": {"vi": "{file}, do {who} nhập lúc {at}: thêm {a} lô, sửa {c} lô, bỏ "
                                   "{r} lô (mã {id}).",
                             "en": "{file}, imported by {who} at {at}: {a} plots added, {c} "
                                   "changed, {r} removed (id {id})."},
    "data.undone_plots": {"vi": "Đã hoàn tác việc nhập {file} ({who}, {at}): bỏ {r} lô, khôi "
                                "phục {s} lô.",
                          "en": "Undid the import of {file} ({who}, {at}): removed {r} plots, "
                                "restored {s}."},
    "page.dashboard": {"vi": "Kế hoạch và thực hiện", "en": "Plans and progress"},
    "dash.title": {"vi": "Kế hoạch và thực hiện theo tỉnh/thành",
                   "en": "Plans against progress, by province"},
    "dash.all": {"vi": "Tất cả tỉnh/thành", "en": "All provinces"},
    "dash.csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "dash.xlsx": {"vi": "Tải Excel", "en": "Download Excel"},
    "dash.official": {"vi": "Số liệu và chỉ tiêu chính thức", "en": "Official figures and targets"},
    "dash.indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "dash.comparison": {"vi": "So sánh", "en": "Comparison"},
    "dash.value": {"vi": "Giá trị", "en": "Value"},
    "dash.value_max": {"vi": "Đến", "en": "Up to"},
    "dash.unit": {"vi": "Đơn vị", "en": "Unit"},
    "dash.cmp.equal": {"vi": "bằng", "en": "equal to"},
    "dash.cmp.about": {"vi": "khoảng", "en": "about"},
    "dash.cmp.above": {"vi": "trên", "en": "above"},
    "dash.cmp.below": {"vi": "dưới", "en": "below"},
    "dash.cmp.range": {"vi": "trong khoảng", "en": "range"},
    "dash.cmp.at_least": {"vi": "ít nhất", "en": "at least"},
    "dash.no_figures": {"vi": "Văn bản nguồn chưa nêu số liệu cho tỉnh/thành này.",
                        "en": "The sources give no figure for this province."},
    "dash.coverage": {"vi": "Dữ liệu so với văn bản", "en": "The register against the sources"},
    "dash.no_coverage": {"vi": "Văn bản nguồn không nêu tổng số khu quy hoạch của tỉnh/thành "
                                "này.",
                         "en": "The sources do not state how many zones this province plans."},
    "dash.coverage.line": {"vi": "{kind}: dữ liệu có {n} trên {of} khu quy hoạch, {ha} trên "
                                  "{of_ha} ha đã biết ({u} khu chưa rõ diện tích)",
                           "en": "{kind}: the register holds {n} of {of} planned zones, {ha} of "
                                 "{of_ha} ha known (area unknown for {u})"},
    "dash.register": {"vi": "Dữ liệu hiện có theo loại và hiện trạng",
                      "en": "What the register holds, by kind and status"},
    "dash.zones": {"vi": "Số khu", "en": "Zones"},
    "dash.target": {"vi": "Chỉ tiêu (%)", "en": "Target (%)"},
    "dash.leasable_left": {"vi": "Đất công nghiệp còn trống (ha)",
                           "en": "Industrial land left (ha)"},
    "dash.ha_known": {"vi": "Diện tích đã biết (ha)", "en": "Hectares known"},
    "dash.area_unknown": {"vi": "Số khu chưa rõ diện tích", "en": "Zones with unknown area"},
    "dash.on_map": {"vi": "Bản đồ", "en": "Map"},
    "dash.by_period": {"vi": "Số khu và diện tích quy hoạch theo thời điểm",
                       "en": "Zones and planned hectares by period"},
    "dash.by_period.note": {"vi": "Di chuột lên cột để xem diện tích đã biết; chỉ cộng diện tích "
                                   "các khu đã có nguồn, khu chưa rõ diện tích không tính là 0.",
                            "en": "Hover a bar for the hectares known; only zones with a sourced "
                                  "area are summed, an unknown area is never counted as zero."},
    "dash.occupancy": {"vi": "Tỷ lệ lấp đầy so với chỉ tiêu", "en": "Occupancy against the "
                                                                      "targets"},
    "dash.occ.register": {"vi": "Bình quân theo diện tích (dữ liệu)",
                          "en": "Area-weighted average (register)"},
    "dash.occ.register.help": {"vi": "Tính từ {n} khu có cả tỷ lệ lấp đầy và diện tích.",
                               "en": "From {n} zones with both occupancy and area."},
    "dash.occ.official": {"vi": "Bình quân theo văn bản", "en": "Official average"},
    "dash.occ.targets": {"vi": "Chỉ tiêu", "en": "Targets"},
    "dash.occ.none": {"vi": "Chưa khu nào trong {n} KCN/CCN có tỷ lệ lấp đầy từ nguồn.",
                      "en": "None of the {n} KCN/CCN has a sourced occupancy yet."},
    "dash.below": {"vi": "Khu đang hoạt động dưới chỉ tiêu", "en": "Operating zones below "
                                                                    "target"},
    "dash.below.none": {"vi": "Không có khu nào dưới chỉ tiêu trong số các khu đã biết tỷ lệ.",
                        "en": "No zone with a known occupancy is below its target."},
    "dash.today": {"vi": "{prov} hiện nay: dữ liệu so với số khu chính thức",
                   "en": "{prov} today: the register against the official counts"},
    "dash.today.former": {"vi": "Gồm các tỉnh/thành trước năm 2025: {former}.",
                          "en": "Provinces before 2025 it holds: {former}."},
    "dash.today.none": {"vi": "Văn bản nguồn chưa nêu số khu của toàn tỉnh/thành hiện nay.",
                        "en": "The sources give no count of zones for the whole province today."},
    "dash.today.line": {"vi": "{kind}: dữ liệu có {n} trên {of} {what} ({cite})",
                        "en": "{kind}: the register holds {n} of {of} {what} ({cite})"},
    "dash.today.area": {"vi": "{ha} trên {of_ha} ha đã biết",
                        "en": "{ha} of {of_ha} ha known"},
    "dash.ind.planned_zone_count": {"vi": "khu theo quy hoạch", "en": "planned zones"},
    "dash.ind.established_zone_count": {"vi": "khu đã thành lập", "en": "zones established"},
    "dash.ind.operating_zone_count": {"vi": "khu đang hoạt động", "en": "zones in operation"},
    "dash.today.completeness": {"vi": "Tỷ lệ khu đã biết từng thông tin (theo nguồn)",
                                "en": "Share of zones with each attribute known from a source"},
    "attr.occupancy_or_leased": {"vi": "Tỷ lệ lấp đầy hoặc diện tích đã cho thuê",
                                 "en": "Occupancy or leased area"},
    "dash.completeness": {"vi": "Mức đầy đủ của dữ liệu", "en": "How complete the register is"},
    "dash.today.ranges": {
        "vi": "Thêm các khu mà giá trị được chọn là một khoảng hoặc một ngưỡng (ví dụ "
              "150–180 ha, trên 900 ha), được lưu và hiển thị nhưng không tính là đã biết ở "
              "bảng trên: {items}.",
        "en": "Also, zones whose picked value is a range or a bound (e.g. 150–180 ha, over "
              "900 ha), kept and shown but not counted as known in the table above: {items}."},
    "dash.known": {"vi": "Đã có", "en": "Known"},
    "dash.missing": {"vi": "Còn thiếu", "en": "Missing"},
    "dash.share_known": {"vi": "Tỷ lệ đã có", "en": "Share known"},
    "dash.boundary": {"vi": "Ranh giới (không chỉ vị trí gần đúng)",
                      "en": "Boundary (not just an approximate location)"},
    "dash.approximate": {"vi": "{n} trên {total} khu chỉ có vị trí gần đúng.",
                         "en": "{n} of {total} zones have only an approximate location."},
    "dash.infra": {"vi": "Hạ tầng kết nối", "en": "Infrastructure"},
    "dash.unserved": {"vi": "{n} khu chưa có công trình hạ tầng liên kết",
                      "en": "{n} zones with no linked infrastructure project"},
    "dash.zone_list": {"vi": "Các khu ({n})", "en": "Zones ({n})"},
    "store.error": {"vi": "Không đọc được dữ liệu: {err}", "en": "Cannot read the register: {err}"},
    # investor brief (PDF)
    "brief.kicker": {"vi": "KCN Atlas · Bản tóm tắt cho nhà đầu tư",
                     "en": "KCN Atlas · Investor brief"},
    "brief.kicker.province": {"vi": "KCN Atlas · Bản tóm tắt tỉnh/thành phố cho nhà đầu tư",
                              "en": "KCN Atlas · Province investor brief"},
    "brief.province_title": {"vi": "Khu kinh tế, khu và cụm công nghiệp",
                             "en": "Economic zones, industrial zones and clusters"},
    "brief.province_today": {"vi": "Tỉnh/thành hiện nay: {p}", "en": "Province today: {p}"},
    "brief.in_source": {"vi": "theo văn bản: {p}", "en": "in the source: {p}"},
    "brief.named_in": {"vi": "Hồ sơ khu: {ref}", "en": "Zone record: {ref}"},
    "brief.contains": {"vi": "Gồm {n} khu", "en": "Contains {n} zones"},
    "brief.map": {"vi": "Vị trí và khu vực xung quanh (khoảng {km} km)",
                  "en": "Location and surroundings (about {km} km)"},
    "brief.map.province": {"vi": "Các khu trong dữ liệu", "en": "Zones in the register"},
    "brief.map.approximate": {"vi": "Vị trí gần đúng", "en": "Approximate location"},
    "brief.map.no_location": {"vi": "Vị trí chưa rõ: chưa có trong dữ liệu",
                              "en": "Location unknown: not in the register"},
    "brief.map.numbers": {"vi": "Số trên bản đồ là số thứ tự trong bảng các khu.",
                          "en": "Numbers on the map refer to the table of zones."},
    "brief.legend.selected": {"vi": "Khu đang xem", "en": "This zone"},
    "brief.legend.approximate": {"vi": "Nét đứt: vị trí gần đúng",
                                 "en": "Dashed: approximate location"},
    "brief.north": {"vi": "B", "en": "N"},
    "brief.key_figures": {"vi": "Số liệu chính", "en": "Key figures"},
    "brief.nearest": {"vi": "Gần nhất (đường chim bay)", "en": "Nearest (straight line)"},
    "brief.nearest.approximate": {"vi": "Khoảng cách gần đúng: tính từ vị trí gần đúng.",
                                  "en": "Approximate: measured from approximate locations."},
    "brief.nearest.exact": {"vi": "Tính từ vị trí đã lưu của khu và công trình.",
                            "en": "Measured from the stored locations."},
    "brief.infra": {"vi": "Hạ tầng kết nối phục vụ khu", "en": "Infrastructure serving the zone"},
    "brief.sources": {"vi": "Nguồn", "en": "Sources"},
    "brief.sections": {"vi": "mục {s}", "en": "section {s}"},
    "brief.as_of": {"vi": "số liệu tại {d}", "en": "as of {d}"},
    "brief.col.name": {"vi": "Tên", "en": "Name"},
    "brief.col.kind": {"vi": "Loại", "en": "Kind"},
    "brief.col.status": {"vi": "Hiện trạng", "en": "Status"},
    "brief.col.period": {"vi": "Thời gian", "en": "Period"},
    "brief.col.value": {"vi": "Giá trị", "en": "Value"},
    "brief.col.source": {"vi": "Nguồn", "en": "Source"},
    "brief.col.figure": {"vi": "Số liệu, chỉ tiêu", "en": "Figure or target"},
    "brief.col.area": {"vi": "Diện tích (ha)", "en": "Area (ha)"},
    "brief.figures": {"vi": "Số liệu và chỉ tiêu chính thức", "en": "Official figures and targets"},
    "brief.no_figures": {"vi": "Chưa có số liệu chính thức nào trong dữ liệu.",
                         "en": "No official figure in the register yet."},
    "brief.zones": {"vi": "Các khu trong dữ liệu", "en": "Zones in the register"},
    "brief.no_zones": {"vi": "Chưa có khu nào trong dữ liệu.",
                       "en": "No zone in the register yet."},
    "brief.coverage.title": {"vi": "Văn bản và dữ liệu hiện có",
                             "en": "Official counts and the register"},
    "brief.coverage": {"vi": "Dữ liệu có {n} trên {total} {kind} theo văn bản",
                       "en": "The register holds {n} of {total} {kind}"},
    "brief.coverage.none": {"vi": "Văn bản nguồn không nêu số khu, cụm công nghiệp quy hoạch.",
                            "en": "The sources give no planned number of zones or clusters."},
    "brief.coverage.area": {"vi": "Diện tích quy hoạch {total} ha",
                            "en": "Planned area {total} ha"},
    "brief.coverage.known": {"vi": "dữ liệu biết diện tích {k} trên {n} khu",
                             "en": "area known in the register for {k} of {n} zones"},
    "brief.register_counts": {"vi": "Trong dữ liệu: {kkt} KKT · {kcn} KCN · {ccn} CCN",
                              "en": "In the register: {kkt} KKT · {kcn} KCN · {ccn} CCN"},
    "brief.more_figures": {"vi": "Còn {n} số liệu khác trong KCN Atlas",
                           "en": "{n} more figures in KCN Atlas"},
    "brief.more_zones": {"vi": "Còn {n} khu khác trong KCN Atlas",
                         "en": "{n} more zones in KCN Atlas"},
    "brief.more_projects": {"vi": "Còn {n} công trình khác trong KCN Atlas",
                            "en": "{n} more projects in KCN Atlas"},
    "brief.more_sources": {"vi": "Còn {n} văn bản nguồn khác trong KCN Atlas",
                           "en": "{n} more source documents in KCN Atlas"},
    "brief.link": {"vi": "Xem bản đồ trực tuyến", "en": "Live map view"},
    "brief.generated": {"vi": "Tạo ngày {date} từ dữ liệu KCN Atlas",
                        "en": "Generated on {date} from the KCN Atlas register"},
    "brief.disclaimer": {"vi": "Số liệu đúng như văn bản được trích dẫn; “chưa rõ” nghĩa là chưa "
                               "có nguồn nào nêu. Hãy kiểm tra với cơ quan có thẩm quyền trước "
                               "khi quyết định đầu tư.",
                         "en": "Figures are as stated in the cited documents; “unknown” means no "
                               "source gives the value. Check with the competent authority "
                               "before any investment decision."},
    "brief.cmp.about": {"vi": "khoảng", "en": "about"},
    "brief.cmp.above": {"vi": "trên", "en": "above"},
    "brief.cmp.below": {"vi": "dưới", "en": "below"},
    "brief.cmp.at_least": {"vi": "ít nhất", "en": "at least"},
    "unit.zones": {"vi": "khu", "en": "zones"},
    "unit.ha": {"vi": "ha", "en": "ha"},
    "unit.pct": {"vi": "%", "en": "%"},
    "unit.pct_year": {"vi": "%/năm", "en": "%/year"},
    "unit.busd": {"vi": "tỷ USD", "en": "billion USD"},
    "unit.musd": {"vi": "triệu USD", "en": "million USD"},
    "unit.bvnd": {"vi": "tỷ đồng", "en": "billion VND"},
    "unit.bvnd_year": {"vi": "tỷ đồng/năm", "en": "billion VND/year"},
    "unit.mvnd_person_month": {"vi": "triệu đồng/người/tháng",
                                     "en": "million VND/person/month"},
    "unit.persons": {"vi": "người", "en": "persons"},
    "unit.projects": {"vi": "dự án", "en": "projects"},
    "unit.jobs": {"vi": "việc làm", "en": "jobs"},
    "unit.enterprises": {"vi": "doanh nghiệp", "en": "enterprises"},
    "brief.sector.automotive": {"vi": "ô tô", "en": "automotive"},
    "brief.sector.clean_industry": {"vi": "công nghiệp sạch", "en": "clean industry"},
    "brief.sector.high_tech": {"vi": "công nghệ cao", "en": "high technology"},
    "brief.sector.supporting_industry": {"vi": "công nghiệp hỗ trợ", "en": "supporting industry"},
    # --- accounts, editing, history (issue 13) ---
    "account.sign_in": {"vi": "Biên tập viên: đăng nhập", "en": "Editors: sign in"},
    "account.help": {"vi": "Biên tập viên đăng nhập để sửa dữ liệu. Bản đồ công khai không cần "
                           "đăng nhập.",
                     "en": "Editors sign in to change the register. The public map needs no "
                           "sign-in."},
    "account.name": {"vi": "Tên tài khoản", "en": "Account name"},
    "account.password": {"vi": "Mật khẩu", "en": "Password"},
    "account.submit": {"vi": "Đăng nhập", "en": "Sign in"},
    "account.failed": {"vi": "Đăng nhập không thành công.", "en": "Sign-in failed."},
    "account.oidc": {"vi": "Đăng nhập một lần (SSO)", "en": "Sign in with single sign-on"},
    "account.signed_in": {"vi": "Đã đăng nhập: {name} ({role})",
                          "en": "Signed in as {name} ({role})"},
    "account.sign_out": {"vi": "Đăng xuất", "en": "Sign out"},
    "role.viewer": {"vi": "người xem", "en": "viewer"},
    "role.editor": {"vi": "biên tập viên", "en": "editor"},
    "role.admin": {"vi": "quản trị viên", "en": "admin"},
    "tab.details": {"vi": "Thông tin", "en": "Details"},
    "tab.history": {"vi": "Lịch sử", "en": "History"},
    "tab.edit": {"vi": "Sửa", "en": "Edit"},
    "edit.intro": {"vi": "Sửa giá trị nào thì ghi nguồn cho giá trị đó: không có nguồn thì "
                         "không lưu.",
                   "en": "Every value you change needs its source: no source, no save."},
    "edit.changed": {"vi": "Giá trị đã sửa: {fields}", "en": "Changed values: {fields}"},
    "edit.nothing": {"vi": "Chưa có giá trị nào được sửa.", "en": "No value changed yet."},
    "edit.source": {"vi": "Nguồn của các giá trị đã sửa", "en": "Source of the changed values"},
    "edit.source.how": {"vi": "Nguồn", "en": "Source"},
    "edit.source.existing": {"vi": "Nguồn có sẵn", "en": "A source in the register"},
    "edit.source.new": {"vi": "Thêm nguồn mới", "en": "Add a new source"},
    "edit.source.pick": {"vi": "Chọn nguồn", "en": "Choose the source"},
    "edit.new.document": {"vi": "Tên tài liệu", "en": "Document title"},
    "edit.new.url": {"vi": "Địa chỉ (URL)", "en": "Address (URL)"},
    "edit.new.doc_number": {"vi": "Số hiệu văn bản", "en": "Document number"},
    "edit.new.issuer": {"vi": "Cơ quan ban hành, nơi đăng", "en": "Publisher"},
    "edit.new.date": {"vi": "Ngày của tài liệu", "en": "Date of the document"},
    "edit.new.tier": {"vi": "Mức tin cậy", "en": "Tier"},
    "edit.new.tier.pick": {"vi": "Chọn loại nguồn", "en": "Choose the kind of source"},
    "edit.section": {"vi": "Mục, trang", "en": "Section or page"},
    "edit.as_of": {"vi": "Số liệu tính đến ngày", "en": "As of"},
    "edit.save": {"vi": "Lưu thay đổi", "en": "Save changes"},
    "edit.saved": {"vi": "Đã lưu {n} thay đổi.", "en": "Saved {n} change(s)."},
    "edit.no_source": {"vi": "Chọn hoặc thêm nguồn: không có nguồn thì không lưu.",
                       "en": "Choose or add a source: no source, no save."},
    "edit.refused": {"vi": "Chưa lưu: {err}", "en": "Not saved: {err}"},
    "edit.conflict": {"vi": "Chưa lưu: người khác vừa sửa khu này sau khi bạn mở nó. Giá trị "
                            "bạn nhập vẫn còn đây; xem thay đổi kia rồi lưu lại nếu cần.",
                      "en": "Not saved: someone else changed this record after you opened "
                            "it. Your values are still here; look at the other change, then "
                            "save again if you still want to."},
    "edit.conflict.row": {"vi": "{who} lúc {when}: {field} {before} → {after}",
                          "en": "{who} at {when}: {field} {before} → {after}"},
    "edit.reload": {"vi": "Xem bản mới nhất", "en": "Load the latest version"},
    "edit.not_shown": {"vi": "{field}: vẫn hiển thị giá trị của nguồn có mức tin cậy cao hơn "
                             "(hoặc mới hơn).",
                       "en": "{field}: the value of a higher-tier (or newer) source is still "
                             "the one shown."},
    "edit.signin": {"vi": "Đăng nhập với vai trò biên tập viên để sửa.",
                    "en": "Sign in as an editor to make changes."},
    "edit.record_source": {"vi": "Nguồn của khu", "en": "Source of the record"},
    "draw.boundary": {"vi": "Vẽ hoặc sửa ranh giới", "en": "Draw or edit the boundary"},
    "draw.route": {"vi": "Vẽ hoặc sửa tuyến", "en": "Draw or edit the route"},
    "draw.hint": {"vi": "Nhấp trên bản đồ để đặt các đỉnh (bám vào ranh giới gần đó; giữ phím "
                        "Alt để không bám); nhấp vào đỉnh đầu để khép vùng; kéo đỉnh để sửa; "
                        "rồi bấm “Xong” trên bản đồ.",
                  "en": "Click on the map to place vertices (they snap to nearby boundaries; "
                        "hold Alt not to snap); click the first vertex to close the shape; "
                        "drag vertices to edit; then press “Finish” on the map."},
    "draw.done": {"vi": "Xong", "en": "Finish"},
    "draw.cancel": {"vi": "Hủy", "en": "Cancel"},
    "draw.drawing": {"vi": "Đang vẽ", "en": "Drawing"},
    "draw.from": {"vi": "Vẽ theo", "en": "Drawn from"},
    "draw.from.imagery": {"vi": "ảnh vệ tinh, ảnh hàng không", "en": "satellite or aerial "
                                                                     "imagery"},
    "draw.from.plan": {"vi": "bản vẽ quy hoạch được duyệt", "en": "an approved plan sheet"},
    "draw.from.survey": {"vi": "số liệu khảo sát", "en": "a survey"},
    "panel.measured": {"vi": "Diện tích đo từ ranh giới (VN-2000): {m} ha · diện tích công bố: "
                             "{d}",
                       "en": "Area measured from the boundary (VN-2000): {m} ha · declared "
                             "area: {d}"},
    "draw.measured": {"vi": "Diện tích đo được (VN-2000): {m} ha · diện tích công bố: {d}",
                      "en": "Measured area (VN-2000): {m} ha · declared area: {d}"},
    "draw.save": {"vi": "Lưu hình vẽ", "en": "Save the drawing"},
    "draw.discard": {"vi": "Bỏ hình vẽ", "en": "Discard the drawing"},
    "draw.saved": {"vi": "Đã lưu hình vẽ (số hóa).", "en": "Drawing saved (digitised)."},
    "draw.same": {"vi": "Hình vẽ giống hình đã lưu: không ghi gì thêm.",
                  "en": "The drawing is the one already saved: nothing written."},
    "draw.waiting": {"vi": "Vẽ trên bản đồ rồi bấm “Xong”.",
                     "en": "Draw on the map, then press “Finish”."},
    "add.title": {"vi": "Thêm khu mới", "en": "Add a zone"},
    "add.start": {"vi": "Thêm khu mới trên bản đồ", "en": "Add a zone on the map"},
    "add.save": {"vi": "Thêm khu", "en": "Add the zone"},
    "add.added": {"vi": "Đã thêm {name}.", "en": "Added {name}."},
    "add.draw": {"vi": "Vẽ ranh giới (hoặc một điểm) của khu mới trên bản đồ, rồi bấm “Xong”.",
                 "en": "Draw the new zone's boundary (or a point) on the map, then press "
                       "“Finish”."},
    "delete.title": {"vi": "Xóa khu", "en": "Delete the zone"},
    "delete.confirm": {"vi": "Tôi chắc chắn muốn xóa {name} (khu vẫn còn trong lịch sử và có "
                             "thể khôi phục)",
                       "en": "I am sure I want to delete {name} (it stays in the history and "
                             "can be restored)"},
    "delete.button": {"vi": "Xóa khu này", "en": "Delete this zone"},
    "delete.done": {"vi": "Đã xóa {name}.", "en": "Deleted {name}."},
    "hist.none": {"vi": "Chưa có thay đổi nào được ghi.", "en": "No change recorded yet."},
    "hist.when": {"vi": "Lúc (giờ Việt Nam)", "en": "When (Vietnam time)"},
    "hist.who": {"vi": "Người sửa", "en": "Who"},
    "hist.action": {"vi": "Việc", "en": "Action"},
    "hist.record": {"vi": "Bản ghi", "en": "Record"},
    "hist.field": {"vi": "Trường", "en": "Field"},
    "hist.before": {"vi": "Trước", "en": "Before"},
    "hist.after": {"vi": "Sau", "en": "After"},
    "hist.source": {"vi": "Nguồn", "en": "Source"},
    "hist.reverted": {"vi": "đã hoàn tác ({by})", "en": "reverted ({by})"},
    "hist.revert": {"vi": "Hoàn tác thay đổi", "en": "Revert a change"},
    "hist.revert.pick": {"vi": "Thay đổi cần hoàn tác", "en": "Change to revert"},
    "hist.revert.button": {"vi": "Hoàn tác", "en": "Revert"},
    "hist.reverted.done": {"vi": "Đã hoàn tác.", "en": "Reverted."},
    "hist.recent": {"vi": "Thay đổi gần đây của nhóm", "en": "The team's recent changes"},
    "hist.geometry": {"vi": "hình dạng", "en": "shape"},
    "hist.shape.polygon": {"vi": "vùng", "en": "polygon"},
    "hist.shape.point": {"vi": "điểm", "en": "point"},
    "hist.shape.line": {"vi": "đường", "en": "line"},
    "hist.shape.shape": {"vi": "hình", "en": "shape"},
    "hist.shape.none": {"vi": "không có hình", "en": "no geometry"},
    "hist.measured": {"vi": "đo được {ha} ha", "en": "{ha} ha measured"},
    "hist.plots": {"vi": "{n} lô đất", "en": "{n} plots"},
    "action.edit": {"vi": "sửa", "en": "edit"},
    "action.draw": {"vi": "vẽ", "en": "drawing"},
    "action.add": {"vi": "thêm", "en": "added"},
    "action.delete": {"vi": "xóa", "en": "deleted"},
    "action.import": {"vi": "nhập tệp", "en": "import"},
    "action.undo_import": {"vi": "hoàn tác nhập", "en": "import undone"},
    "action.revert": {"vi": "hoàn tác", "en": "revert"},
    "action.user": {"vi": "tài khoản", "en": "account"},
    "data.signin": {"vi": "Đăng nhập với vai trò biên tập viên để nhập tệp hoặc hoàn tác.",
                    "en": "Sign in as an editor to import a file or undo an import."},
    "attr.serves": {"vi": "Phục vụ các khu", "en": "Zones it serves"},
}


def t(key: str, lang: str, **values: Any) -> str:
    """Return the label ``key`` in ``lang`` (Vietnamese if unknown), formatted with ``values``."""
    entry = LABELS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["vi"]
    return text.format(**values) if values else text


def zone_name(row: Mapping[str, Any], lang: str) -> str:
    """Return a zone's name in ``lang``, falling back to the Vietnamese name."""
    if lang == "en" and row.get("name_en"):
        return str(row["name_en"])
    return str(row.get("name_vi") or row.get("id") or "")


project_name = zone_name


def number(value: Any, lang: str, digits: int = 2) -> str | None:
    """Format a number the way ``lang`` writes it (12.702,5 in Vietnamese); None if missing.

    Formatting follows the locale's rules from Babel (CLDR); at most ``digits``
    decimals, trailing zeros dropped.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return str(format_decimal(float(value), format=pattern, locale=_LOCALES.get(lang, "vi_VN")))


# Vietnam's time zone (GMT+7): the dates people see and pick are Vietnam's.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> _date:
    """Today's date in Vietnam (GMT+7), whatever the server's clock zone."""
    return _datetime.now(LOCAL_TZ).date()


def year_text(value: Any) -> str | None:
    """Write a year as four digits, never grouped like a quantity ("2023", not "2.023")."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(int(float(value)))


def label_group(lang: str, *prefixes: str) -> dict[str, str]:
    """Return every label whose key starts with one of ``prefixes``, in ``lang``."""
    return {key: t(key, lang) for key in LABELS if key.startswith(prefixes)}


def sectors_label(value: str, lang: str) -> str:
    """Return a ``;``-separated list of sector codes as words in ``lang``."""
    names = []
    for code in (c.strip() for c in value.split(";")):
        if code:
            key = f"brief.sector.{code}"
            names.append(t(key, lang) if key in LABELS else code.replace("_", " "))
    return ", ".join(names)


def text_or_dash(value: Any) -> str:
    """Return text for a table cell: the value, or "—" when it is missing (never "None")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    text = str(value).strip()
    return text if text and text.lower() not in ("none", "nan", "nat") else EMPTY


def date_text(value: Any, lang: str) -> str:
    """Return an ISO date as the locale writes it (07/04/2022, 7 Apr 2022).

    A year and month reads 04/2022 or Apr 2022; a year alone stays as it is; a missing
    date is "—".
    """
    text = text_or_dash(value)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() \
            and 1 <= int(text[5:]) <= 12:
        month = _date(int(text[:4]), int(text[5:]), 1)
        pattern = "MM/yyyy" if lang == "vi" else "MMM yyyy"
        return str(format_date(month, format=pattern, locale=_LOCALES.get(lang, "vi_VN")))
    if len(text) != 10:
        return text
    try:
        day = _date.fromisoformat(text)
    except ValueError:
        return text
    pattern = "dd/MM/yyyy" if lang == "vi" else "d MMM yyyy"
    return str(format_date(day, format=pattern, locale=_LOCALES.get(lang, "vi_VN")))


_UNIT_KEYS = {
    "zones": "unit.zones", "%/year": "unit.pct_year",
    "billion USD": "unit.busd", "million USD": "unit.musd",
    "billion VND": "unit.bvnd", "billion VND/year": "unit.bvnd_year",
    "million VND/person/month": "unit.mvnd_person_month",
    "persons": "unit.persons", "projects": "unit.projects",
    "jobs": "unit.jobs", "enterprises": "unit.enterprises", "ha": "unit.ha", "%": "unit.pct",
}
_COMPARISON_WORDS = ("about", "above", "below", "at_least")


def unit_label(unit: Any, lang: str) -> str:
    """Return a unit of figures.csv in ``lang`` ("tỷ USD" for "billion USD")."""
    if unit is None or (isinstance(unit, float) and math.isnan(unit)) or not unit:
        return ""
    key = _UNIT_KEYS.get(str(unit))
    return t(key, lang) if key else str(unit)


def figure_text(record: Mapping[str, Any], lang: str) -> str:
    """Return an official figure as words: comparison, value or range, unit.

    >>> figure_text({"value": 12.5, "value_max": 15.0, "unit": "billion USD",
    ...              "comparison": "range"}, "vi")
    '12,5–15 tỷ USD'
    """
    low = number(record.get("value"), lang)
    if low is None:
        return t("unknown", lang)
    high = number(record.get("value_max"), lang)
    comparison = record.get("comparison") or "equal"
    core = f"{low}–{high}" if comparison == "range" and high else low
    if comparison in _COMPARISON_WORDS:
        core = f"{t(f'brief.cmp.{comparison}', lang)} {core}"
    unit = unit_label(record.get("unit"), lang)
    if not unit:
        return core
    return f"{core}{unit}" if unit.startswith("%") else f"{core} {unit}"
