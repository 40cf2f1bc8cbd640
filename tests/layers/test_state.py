import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers.state import (
    BASEMAPS,
    COLOR_MODES,
    KINDS,
    LANGS,
    LAYER_KEYS,
    PERIODS,
    STATUSES,
    Known,
    MapState,
)


def test_default_state_has_a_short_query():
    assert MapState().to_query() == {"v": "1"}


def test_to_query_leaves_defaults_out():
    state = MapState(lang="en", zone="kcn-dinh-vu", occ=(60.0, 100.0), kind=("KCN",),
                     layers=("kcn", "infra"), lat=20.85, lon=106.7, z=11)
    assert state.to_query() == {
        "v": "1", "lang": "en", "zone": "kcn-dinh-vu", "layers": "kcn,infra",
        "kind": "KCN", "occ": "60-100", "lat": "20.85", "lon": "106.7", "z": "11",
    }


@pytest.mark.parametrize(
    ("query", "ignored", "expected"),
    [
        ({"lang": "fr"}, ("lang",), MapState()),
        ({"zone": "<script>alert(1)</script>"}, ("zone",), MapState()),
        ({"occ": "80-20"}, ("occ",), MapState()),
        ({"occ": "abc"}, ("occ",), MapState()),
        ({"occ": "0-500"}, ("occ",), MapState()),
        ({"z": "nan"}, ("z",), MapState()),
        ({"z": "3.5"}, ("z",), MapState()),
        ({"lat": "1e999", "lon": "106"}, ("lat", "lon"), MapState()),
        ({"lat": "20.8"}, ("lat",), MapState()),
        ({"kind": "KCN,XYZ"}, ("kind",), MapState()),
        ({"foo": "bar", "lang": "en"}, ("foo",), MapState(lang="en")),
        ({"v": "9"}, ("v",), MapState()),
        ({"layers": ""}, (), MapState(layers=())),
        ({"status": "planned,operating,planned"}, (), MapState(status=("operating", "planned"))),
        ({"q": "x" * 500}, (), MapState(q="x" * 100)),
        ({"lang": ["vi", "en"]}, (), MapState(lang="en")),
    ],
)
def test_from_query_ignores_what_is_malformed(query, ignored, expected):
    state = MapState.from_query(query)
    assert state == expected
    assert state.ignored == ignored


def _subset(options):
    return st.lists(st.sampled_from(options), unique=True).map(
        lambda xs: tuple(o for o in options if o in xs))


def _range(lo, hi):
    return st.tuples(st.integers(lo, hi), st.integers(lo, hi)).map(
        lambda t: (float(min(t)), float(max(t))))


states = st.builds(
    MapState,
    lang=st.sampled_from(LANGS),
    zone=st.none() | st.from_regex(r"^[a-z0-9][a-z0-9-]{0,30}$", fullmatch=True),
    project=st.none() | st.from_regex(r"^[a-z0-9][a-z0-9-]{0,30}$", fullmatch=True),
    period=st.sampled_from(PERIODS),
    color=st.sampled_from(COLOR_MODES),
    layers=_subset(LAYER_KEYS),
    basemap=st.sampled_from(BASEMAPS),
    prov=st.lists(st.sampled_from(["Hải Phòng", "Quảng Ninh", "Bắc Kạn"]), unique=True,
                  min_size=1).map(lambda xs: tuple(sorted(xs))) | st.just(()),
    kind=_subset(KINDS).filter(bool) | st.just(()),
    status=_subset(STATUSES).filter(bool) | st.just(()),
    occ=_range(0, 100),
    area=st.none() | _range(0, 50000),
    q=st.text(max_size=40).map(str.strip),
    lat=st.none(),
    lon=st.none(),
    z=st.none() | st.integers(0, 20),
)


@given(states, st.none() | st.tuples(st.floats(8, 24), st.floats(102, 110)))
def test_any_valid_state_survives_the_round_trip(state, centre):
    if centre is not None:
        state = state.with_(lat=round(centre[0], 5), lon=round(centre[1], 5))
    back = MapState.from_query(state.to_query())
    assert back == state
    assert back.ignored == ()


@pytest.mark.parametrize(("base", "expected"), [
    ("http://127.0.0.1:8501/", "http://127.0.0.1:8501/?v=1&lang=en&kind=KCN,CCN&q=dinh+vu"),
    ("https://atlas.example.vn/map?old=1#x",
     "https://atlas.example.vn/map?v=1&lang=en&kind=KCN,CCN&q=dinh+vu"),
    ("http://localhost:8501", "http://localhost:8501/?v=1&lang=en&kind=KCN,CCN&q=dinh+vu"),
])
def test_link(base, expected):
    state = MapState(lang="en", kind=("KCN", "CCN"), q="dinh vu")
    assert state.link(base) == expected


def test_link_round_trips_through_a_url():
    from urllib.parse import parse_qsl, urlsplit
    state = MapState(lang="en", prov=("Hải Phòng",), q="Đình Vũ & <b>", zone="kcn-dinh-vu",
                     lat=20.85, lon=106.75, z=12)
    query = dict(parse_qsl(urlsplit(state.link("http://h/")).query))
    assert MapState.from_query(query) == state


# --- what a link names, checked against the register -----------------------------------

KNOWN = Known(zones=frozenset({"kcn-a", "x" * 100}), projects=frozenset({"road-1"}),
              plots=frozenset({"lo-a-1"}),
              provinces={"hai phong": "Hải Phòng", "bac kan": "Bắc Kạn",
                         "thai nguyen": "Thái Nguyên"},
              area_max=22540.0)


@pytest.mark.parametrize(
    ("query", "ignored", "adjusted", "expected"),
    [
        ({"zone": "kcn-a"}, (), (), MapState(zone="kcn-a")),
        ({"zone": "kcn-gone"}, ("zone",), (), MapState()),
        ({"project": "road-9"}, ("project",), (), MapState()),
        ({"plot": "lo-a-1"}, (), (), MapState(plot="lo-a-1")),
        ({"plot": "lo-gone"}, ("plot",), (), MapState()),
        ({"prov": "Thái Nguyên"}, (), (), MapState(prov=("Thái Nguyên",))),
        ({"prov": "thai nguyen,HAI PHONG"}, (), (), MapState(prov=("Hải Phòng", "Thái Nguyên"))),
        ({"prov": "Hải Phòng,Atlantis"}, ("prov",), (), MapState(prov=("Hải Phòng",))),
        ({"area": "1e308-1e308"}, ("area",), (), MapState()),
        ({"area": "100-1e308"}, (), ("area",), MapState(area=(100.0, 22540.0))),
        ({"area": "0-500"}, (), (), MapState(area=(0.0, 500.0))),
        ({"q": "x" * 500}, (), ("q",), MapState(q="x" * 100)),
        ({"zone": "kcn-gone", "area": "5e4-6e4", "foo": "1"}, ("area", "foo", "zone"), (),
         MapState()),
    ],
)
def test_resolve_names_every_parameter_dropped_or_cut(query, ignored, adjusted, expected):
    state = MapState.from_query(query).resolve(KNOWN)
    assert state == expected
    assert (state.ignored, state.adjusted) == (ignored, adjusted)


def test_an_area_range_needs_areas_in_the_register():
    state = MapState.from_query({"area": "0-10"}).resolve(Known(area_max=None))
    assert state.area is None and state.ignored == ("area",)


@given(st.text(min_size=1, max_size=300))
def test_every_id_a_slug_can_be_opens_by_link(name):
    from geo.text import slugify

    zid = slugify(name) or "zone"
    for candidate in (zid, f"{zid}-2", f"{zid}-17"):
        state = MapState.from_query({"zone": candidate})
        assert state.zone == candidate and state.ignored == ()
        assert MapState.from_query(state.to_query()) == state


def test_a_hundred_character_id_opens_by_link():
    zid = "x" * 100
    assert MapState.from_query({"zone": zid}).resolve(KNOWN).zone == zid
