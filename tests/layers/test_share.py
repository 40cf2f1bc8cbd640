"""What a link may name in the register, and the notices for what it could not apply."""

from __future__ import annotations

from geo.register import read_source_dir
from layers.share import known_from_register, link_notices, province_choices
from layers.state import MapState


def test_provinces_are_offered_by_their_names_in_the_sources_and_today():
    reg = read_source_dir()
    choices = province_choices(reg.zones)
    assert {"Bắc Kạn", "Thái Nguyên", "Hải Phòng", "Quảng Ninh"} <= set(choices)
    known = known_from_register(reg)
    assert known.provinces["thai nguyen"] == "Thái Nguyên"
    assert known.area_max is not None and known.area_max >= reg.zones["area_total_ha"].max()
    assert "kcn-dinh-vu" in known.zones


def test_notices_name_what_was_dropped_and_what_was_cut():
    state = MapState.from_query({"zone": "nope", "q": "x" * 200, "area": "1e308-1e308"})
    state = state.resolve(known_from_register(read_source_dir()))
    assert link_notices(state, "en") == [
        "The link had invalid parameters, ignored: area, zone",
        "The link had parameters out of range, adjusted: q",
    ]
    assert link_notices(MapState(), "vi") == []
