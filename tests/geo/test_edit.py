"""The one write path (geo.edit), on both stores: roles, sources, versions, history, revert.

Every test here runs against the GeoPackage store and against the real PostGIS
server the tests start (tests/conftest.py).
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo import auth
from geo.auth import Actor, NotSignedIn, PermissionDenied, Role, SignInFailed, Throttle
from geo.edit import (
    Citation,
    EditConflict,
    EditRefused,
    add_zone,
    delete_zone,
    history,
    local_time,
    manage_users,
    record_version,
    revert,
    set_geometry,
    set_project,
    set_zone_values,
)
from geo.merge import apply_merge, plan_merge, undo_import
from geo.store import build
from geo.validate import validate
from tests.conftest import REGISTER_SRC, TEAM_PASSWORD, actor, add_team

NEW_SOURCE = {"document": "Báo cáo quý III/2026 của BQL KKT Hải Phòng", "issuer": "BQL KKT",
              "date": "2026-10-05", "tier": "legal", "url": "https://example.org/q3"}
DOC = Citation(source_id="test-doc", as_of="2026-11-01", section="II")
SQUARE = box(106.751, 20.831, 106.759, 20.839)


@pytest.fixture(params=["gpkg", "postgis"])
def store(request, tmp_path):
    """The fixture register with the test accounts, in each kind of store."""
    if request.param == "gpkg":
        made = build(tmp_path / "atlas.gpkg", REGISTER_SRC)
    else:
        made = build(request.getfixturevalue("pg_location"), REGISTER_SRC)
    add_team(made)
    yield made
    dispose = getattr(made, "dispose", None)
    if dispose is not None:
        dispose()


def _zone(reg, zid):
    return reg.zones.set_index("id").loc[zid]


# --- every write path refuses a viewer and an unsigned call ---------------------------

def _incoming():
    return gpd.GeoDataFrame(
        {"id": ["kcn-new"], "kind": ["KCN"], "name_vi": ["KCN Mới"], "province": ["Hải Phòng"],
         "status": ["planned"], "geometry_quality": ["approximate"], "source_id": ["x"],
         "as_of": ["2026-11-01"]}, geometry=[Point(106.7, 20.9)], crs="EPSG:4326")


WRITES = {
    "set values": lambda s, a: set_zone_values(s, a, "kcn-alpha", {"area_total_ha": 90}, DOC),
    "add zone": lambda s, a: add_zone(s, a, {"name_vi": "KCN Mới", "kind": "KCN",
                                             "province": "Hải Phòng"}, SQUARE, DOC),
    "draw": lambda s, a: set_geometry(s, a, "zones", "kcn-beta", SQUARE, drawn_from="plan"),
    "delete": lambda s, a: delete_zone(s, a, "kcn-beta"),
    "project": lambda s, a: set_project(s, a, s.read().projects["id"].iloc[0],
                                        {"status": "planned"}, DOC),
    "revert": lambda s, a: revert(s, a, _some_change(s)),
    "accounts": lambda s, a: manage_users(s, a, "add", "eve", role="admin",
                                          password="eve-password"),
    "import": lambda s, a: apply_merge(s, plan_merge(s.read(), _incoming()),
                                       filename="x.geojson", actor=a),
    "undo import": lambda s, a: undo_import(s, _some_import(s), actor=a),
}


def _some_change(store):
    return set_zone_values(store, actor("lan"), "kcn-alpha", {"leased_ha": 10},
                           DOC).changes[0]["change_id"]


def _some_import(store):
    return apply_merge(store, plan_merge(store.read(), _incoming()), filename="x.geojson",
                       actor=actor("lan")).import_id


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
@pytest.mark.parametrize("who", [None, "viewer", "nobody"], ids=["unsigned", "viewer",
                                                                 "no-account"])
def test_every_write_path_refuses_a_viewer_and_an_unsigned_call(store, write, who):
    before = store.read()
    who_actor = None if who is None else Actor(who, Role.ADMIN)  # a claimed role counts for nothing
    with pytest.raises(NotSignedIn if who is None else PermissionDenied):
        if write == "revert":
            change = _some_change(store)
            before = store.read()
            revert(store, who_actor, change)
        elif write == "undo import":
            iid = _some_import(store)
            before = store.read()
            undo_import(store, iid, actor=who_actor)
        else:
            WRITES[write](store, who_actor)
    after = store.read()
    assert len(after.history) == len(before.history)  # nothing written
    assert after.zones.equals(before.zones)


@pytest.mark.parametrize("write", ["delete", "accounts"])
def test_admin_only_writes_refuse_an_editor(store, write):
    with pytest.raises(PermissionDenied, match="only an admin"):
        WRITES[write](store, actor("lan"))
    WRITES[write](store, actor("admin"))
    assert validate(store.read()) == []


# --- editing values: each rests on a source ------------------------------------------

def test_an_edit_with_a_new_source_is_shown_cited_and_recorded(store):
    version = record_version(store.read(), "zones", "kcn-alpha")
    out = set_zone_values(store, actor("lan"), "kcn-alpha",
                          {"area_total_ha": "120", "occupancy_pct": "75,5"},
                          Citation(as_of="2026-09-30", section="Phụ lục 2",
                                   new_source=NEW_SOURCE), expect=version)
    reg = store.read()
    zone = _zone(reg, "kcn-alpha")
    assert zone.area_total_ha == 120 and zone.occupancy_pct == 75.5
    source_id = out.changes[0]["source_id"]
    src = reg.sources.set_index("source_id").loc[source_id]
    assert (src.document, src.tier, src.url) == (NEW_SOURCE["document"], "legal",
                                                 NEW_SOURCE["url"])
    rows = reg.zone_values[(reg.zone_values.zone_id == "kcn-alpha")
                           & (reg.zone_values.source_id == source_id)]
    assert set(rows.field) == {"area_total_ha", "occupancy_pct"}
    assert set(rows.as_of) == {"2026-09-30"}
    h = history(reg, "zones", "kcn-alpha")
    area = h[h.field == "area_total_ha"].iloc[0]
    assert (area.who, area.action, json.loads(area.before), json.loads(area.after),
            area.source_id) == ("lan", "edit", 100, "120", source_id)
    assert area["at"].endswith("+00:00")  # stored in UTC
    assert local_time(area["at"]).endswith("(GMT+7)")
    assert validate(reg) == []
    assert out.version("zones", "kcn-alpha") != version


def test_a_legal_value_outranks_a_newer_press_one_and_the_editor_is_told(store):
    press = Citation(source_id="test-press", as_of="2026-11-20")
    out = set_zone_values(store, actor("lan"), "kcn-alpha", {"area_total_ha": "130"}, press)
    assert _zone(store.read(), "kcn-alpha").area_total_ha == 100  # the legal source's
    assert out.result["not_shown"] == {"area_total_ha": 100}
    assert validate(store.read()) == []


@pytest.mark.parametrize("citation, match", [
    (Citation(as_of="2026-11-01"), "needs its source"),
    (Citation(source_id="test-doc"), "as-of date"),
    (Citation(source_id="nope", as_of="2026-11-01"), "no source 'nope'"),
    (Citation(source_id="test-editors", as_of="2026-11-01"), "editors"),
    (Citation(as_of="2026-11-01", new_source={**NEW_SOURCE, "url": ""}), "URL"),
    (Citation(as_of="2026-11-01", new_source={**NEW_SOURCE, "tier": "editors"}), "editors"),
    (Citation(as_of="yesterday", source_id="test-doc"), "not a date"),
])
def test_no_source_no_save(store, citation, match):
    before = store.read()
    with pytest.raises(EditRefused, match=match):
        set_zone_values(store, actor("lan"), "kcn-alpha", {"area_total_ha": 90}, citation)
    assert len(store.read().history) == len(before.history)


@pytest.mark.parametrize("changes, match", [
    ({"area_total_ha": "lots"}, "not a number"),
    ({"occupancy_pct": "140"}, "outside 0–100"),
    ({"area_industrial_ha": "500"}, "exceeds the total"),
    ({"status": "flying"}, "not one of"),
    ({"parent_id": "kcn-beta"}, "not a KKT"),
])
def test_values_that_break_the_rules_are_refused(store, changes, match):
    with pytest.raises(EditRefused, match=match):
        set_zone_values(store, actor("lan"), "kcn-alpha", changes, DOC)
    assert validate(store.read()) == []


def test_record_fields_rest_on_the_cited_source(store):
    set_zone_values(store, actor("lan"), "kcn-beta", {"name_vi": "KCN Nam Đình Vũ (khu I)"},
                    DOC)
    zone = _zone(store.read(), "kcn-beta")
    assert (zone.name_vi, zone.source_id, zone.source_section) == (
        "KCN Nam Đình Vũ (khu I)", "test-doc", "II")
    assert validate(store.read()) == []


# --- concurrency: the second save on the same zone is refused, nothing is lost --------

def test_two_editors_on_the_same_zone_the_second_is_refused_with_the_other_change(store):
    seen = record_version(store.read(), "zones", "kcn-alpha")
    set_zone_values(store, actor("lan"), "kcn-alpha", {"area_total_ha": 111}, DOC, expect=seen)
    with pytest.raises(EditConflict, match=r"lan \(edit\) at .*area_total_ha: 100 → 111") as exc:
        set_zone_values(store, actor("minh"), "kcn-alpha", {"area_total_ha": 222}, DOC,
                        expect=seen)
    assert [c["who"] for c in exc.value.changes] == ["lan"]
    assert _zone(store.read(), "kcn-alpha").area_total_ha == 111  # the first survives


def test_editors_on_different_zones_never_refuse_each_other(store):
    alpha = record_version(store.read(), "zones", "kcn-alpha")
    beta = record_version(store.read(), "zones", "kcn-beta")
    set_zone_values(store, actor("lan"), "kcn-alpha", {"area_total_ha": 111}, DOC, expect=alpha)
    set_zone_values(store, actor("minh"), "kcn-beta", {"area_total_ha": 50}, DOC, expect=beta)
    reg = store.read()
    assert (_zone(reg, "kcn-alpha").area_total_ha, _zone(reg, "kcn-beta").area_total_ha) == (
        111, 50)


def test_an_import_moves_the_zones_version_as_an_edit_does(store):
    seen = record_version(store.read(), "zones", "kcn-alpha")
    moved = store.read().zones.loc[lambda z: z.id == "kcn-alpha"].copy()
    moved["area_total_ha"] = 105.0
    moved["source_id"] = "x"
    apply_merge(store, plan_merge(store.read(), moved), filename="q3.xlsx", actor=actor("minh"))
    with pytest.raises(EditConflict, match="minh"):
        set_zone_values(store, actor("lan"), "kcn-alpha", {"leased_ha": 20}, DOC, expect=seen)


def test_concurrent_editors_on_one_zone_exactly_one_wins(store):
    seen = record_version(store.read(), "zones", "kcn-alpha")
    results: list[str] = []
    lock = threading.Lock()

    def save(i: int) -> None:
        try:
            set_zone_values(store, actor(f"user{i % 4}"), "kcn-alpha",
                            {"leased_ha": 10 + i}, DOC, expect=seen)
            outcome = "saved"
        except EditConflict:
            outcome = "conflict"
        with lock:
            results.append(outcome)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(save, range(6)))
    assert sorted(results) == ["conflict"] * 5 + ["saved"]
    assert validate(store.read()) == []


# --- drawing, adding, deleting ----------------------------------------------------------

def test_a_drawn_boundary_is_digitised_names_who_and_from_what_and_is_measured(store):
    out = set_geometry(store, actor("lan"), "zones", "kcn-beta",
                       {"type": "Feature", "geometry": SQUARE.__geo_interface__},
                       drawn_from="plan")
    reg = store.read()
    zone = _zone(reg, "kcn-beta")
    assert zone.geometry_quality == "digitised" and zone.geometry.equals(SQUARE)
    src = reg.sources.set_index("source_id").loc[zone.geometry_source_id]
    assert src.issuer == "lan" and src.tier == "editors" and "plan sheet" in src.document
    assert "from: plan" in src.note
    # Measured in VN-2000 / UTM 48N: within 0.01% of the geodesic area (about 73.8 ha).
    from pyproj import Geod

    geodesic = abs(Geod(ellps="WGS84").geometry_area_perimeter(SQUARE)[0]) / 10_000
    assert zone.area_measured_ha == pytest.approx(out.result["area_measured_ha"])
    assert zone.area_measured_ha == pytest.approx(geodesic, rel=1e-4)
    row = history(reg, "zones", "kcn-beta").iloc[0]
    assert (row.action, row.field, row.who) == ("draw", "geometry", "lan")
    assert validate(reg) == []
    revert(store, actor("lan"), row.change_id)
    back = _zone(store.read(), "kcn-beta")
    assert back.geometry_quality == "approximate" and back.geometry.geom_type == "Point"
    assert validate(store.read()) == []


def test_the_same_drawing_saved_again_records_nothing(store):
    set_geometry(store, actor("lan"), "zones", "kcn-beta", SQUARE, drawn_from="plan")
    version, rows = store.version(), len(store.read().history)
    out = set_geometry(store, actor("lan"), "zones", "kcn-beta", SQUARE, drawn_from="imagery")
    assert not out.written and store.version() == version
    assert len(store.read().history) == rows


def test_a_self_crossing_boundary_is_refused(store):
    bow = {"type": "Polygon", "coordinates": [[[106.75, 20.83], [106.76, 20.84],
                                              [106.76, 20.83], [106.75, 20.84],
                                              [106.75, 20.83]]]}
    with pytest.raises(EditRefused, match="crosses itself"):
        set_geometry(store, actor("lan"), "zones", "kcn-beta", bow, drawn_from="imagery")


def test_add_a_zone_on_the_map_then_delete_and_restore_it(store):
    out = add_zone(store, actor("lan"), {"name_vi": "KCN Tràng Duệ 3", "kind": "KCN",
                                         "province": "Hải Phòng"}, SQUARE,
                   Citation(as_of="2026-10-05", new_source=NEW_SOURCE),
                   values={"status": "planned", "area_total_ha": "85"})
    zid = out.result["zone_id"]
    assert zid == "kcn-trang-due-3"
    reg = store.read()
    zone = _zone(reg, zid)
    assert (zone.status, zone.area_total_ha, zone.geometry_quality) == ("planned", 85,
                                                                         "digitised")
    assert validate(reg) == []
    deleted = delete_zone(store, actor("admin"), zid)
    assert zid not in set(store.read().zones.id)
    assert history(store.read(), "zones", zid).iloc[0].action == "delete"  # kept in history
    assert validate(store.read()) == []
    revert(store, actor("admin"), deleted.changes[0]["change_id"])
    assert _zone(store.read(), zid).area_total_ha == 85
    assert validate(store.read()) == []


def test_deleting_a_zone_unlinks_its_projects_and_revert_links_them_again(store):
    projects = store.read().projects
    served = projects.loc[projects.serves.fillna("").str.contains("kcn-alpha")]
    assert len(served)
    out = delete_zone(store, actor("admin"), "kcn-alpha")
    after = store.read().projects.set_index("id")
    assert all("kcn-alpha" not in str(after.loc[p, "serves"] or "") for p in served.id)
    assert validate(store.read()) == []
    revert(store, actor("admin"), out.changes[0]["change_id"])
    assert store.read().projects.set_index("id").loc[served.id.iloc[0], "serves"] == \
        served.serves.iloc[0]


def test_a_projects_links_to_zones_are_edited_with_a_source(store):
    pid = store.read().projects["id"].iloc[0]
    set_project(store, actor("lan"), pid, {"serves": "kcn-alpha; kcn-beta", "status": "planned"},
                DOC)
    row = store.read().projects.set_index("id").loc[pid]
    assert (row.serves, row.status, row.source_id) == ("kcn-alpha;kcn-beta", "planned",
                                                       "test-doc")
    with pytest.raises(EditRefused, match="no zone 'kcn-nowhere'"):
        set_project(store, actor("lan"), pid, {"serves": "kcn-nowhere"}, DOC)
    assert validate(store.read()) == []


# --- revert and undo ----------------------------------------------------------------

def test_editors_revert_their_own_changes_admins_anyones(store):
    out = set_zone_values(store, actor("lan"), "kcn-alpha", {"area_total_ha": 111}, DOC)
    change = out.changes[0]["change_id"]
    with pytest.raises(PermissionDenied, match="lan's"):
        revert(store, actor("minh"), change)
    revert(store, actor("admin"), change)
    reg = store.read()
    assert _zone(reg, "kcn-alpha").area_total_ha == 100
    assert history(reg).iloc[0].action == "revert"
    assert history(reg).set_index("change_id").loc[change, "reverted_by"].startswith("admin")
    with pytest.raises(EditRefused, match="already reverted"):
        revert(store, actor("lan"), change)
    assert validate(reg) == []


def test_a_change_built_upon_is_reverted_only_after_the_later_one(store):
    first = set_zone_values(store, actor("lan"), "kcn-alpha", {"area_total_ha": 111}, DOC)
    set_zone_values(store, actor("minh"), "kcn-alpha", {"area_total_ha": 112},
                    Citation(source_id="test-doc", as_of="2026-11-02"))
    with pytest.raises(EditRefused, match=r"changed again since.*minh"):
        revert(store, actor("admin"), first.changes[0]["change_id"])


def test_an_import_edited_since_is_not_undone_until_the_edit_is_reverted(store):
    made = apply_merge(store, plan_merge(store.read(), _incoming()), filename="x.geojson",
                       actor=actor("lan"))
    edit = set_zone_values(store, actor("minh"), "kcn-new", {"area_total_ha": 30}, DOC)
    from geo.merge import UndoConflict

    with pytest.raises(UndoConflict, match="edited since"):
        undo_import(store, made.import_id, actor=actor("lan"))
    revert(store, actor("minh"), edit.changes[0]["change_id"])
    undo_import(store, made.import_id, actor=actor("lan"))
    assert "kcn-new" not in set(store.read().zones.id)
    assert validate(store.read()) == []


def test_an_admin_reverts_a_whole_import_from_one_of_its_changes(store):
    made = apply_merge(store, plan_merge(store.read(), _incoming()), filename="x.geojson",
                       actor=actor("lan"))
    row = history(store.read(), "zones", "kcn-new").iloc[0]
    assert (row.action, row.batch_id) == ("import", made.import_id)
    out = revert(store, actor("admin"), row.change_id)
    assert out.result["undone_import"]["import_id"] == made.import_id
    assert "kcn-new" not in set(store.read().zones.id)


# --- accounts and passwords ------------------------------------------------------------

def test_the_first_admin_needs_no_sign_in_then_accounts_are_an_admins(tmp_path):
    store = build(tmp_path / "a.gpkg", REGISTER_SRC)
    with pytest.raises(EditRefused, match="add an admin first"):
        manage_users(store, None, "add", "lan", role="editor", password="lan-password")
    manage_users(store, None, "add", "root", role="admin", password="root-password")
    with pytest.raises(NotSignedIn):
        manage_users(store, None, "add", "lan", role="editor", password="lan-password")
    with pytest.raises(PermissionDenied):  # a claimed admin role with no account
        manage_users(store, Actor("mallory", Role.ADMIN), "add", "x", role="admin",
                     password="x-password-1")
    root = auth.authenticate(store.read(), "root", "root-password")
    manage_users(store, root, "add", "lan", role="editor", password="lan-password")
    manage_users(store, root, "set-role", "lan", role="viewer")
    assert auth.users(store.read()).set_index("name").loc["lan", "role"] == "viewer"
    with pytest.raises(EditRefused, match="no admin left"):
        manage_users(store, root, "set-role", "root", role="editor")
    manage_users(store, root, "remove", "lan")
    assert list(auth.users(store.read()).name) == ["root"]
    assert history(store.read()).iloc[-1].who == "root"  # the bootstrap names the admin


def test_a_removed_or_demoted_account_can_no_longer_write(store):
    lan = actor("lan")
    manage_users(store, actor("admin"), "set-role", "lan", role="viewer")
    with pytest.raises(PermissionDenied, match="lan is a viewer"):
        set_zone_values(store, lan, "kcn-alpha", {"area_total_ha": 90}, DOC)
    manage_users(store, actor("admin"), "remove", "lan")
    with pytest.raises(PermissionDenied, match="no account"):
        set_zone_values(store, lan, "kcn-alpha", {"area_total_ha": 90}, DOC)


def test_passwords_never_appear_in_the_store_the_logs_or_the_errors(store, caplog):
    secret = "Mật-khẩu-rất-bí-mật-42"
    caplog.set_level(logging.DEBUG)
    manage_users(store, actor("admin"), "add", "hoa", role="editor", password=secret)
    with pytest.raises(SignInFailed) as failed:
        auth.authenticate(store.read(), "hoa", secret + "x", throttle=Throttle(free=99))
    assert str(failed.value) == "sign-in failed"
    with pytest.raises(SignInFailed) as unknown:
        auth.authenticate(store.read(), "nobody", secret, throttle=Throttle(free=99))
    assert str(unknown.value) == str(failed.value)  # says nothing about which was wrong
    assert auth.authenticate(store.read(), "HOA", secret).name == "hoa"
    reg = store.read()
    stored = reg.users.set_index("name").loc["hoa", "password_hash"]
    assert stored.startswith("$argon2id$") and secret not in stored
    for table in ("users", "history", "audit", "sources"):
        assert secret not in getattr(reg, table).to_csv()
    assert secret not in caplog.text
    path = getattr(store, "path", None)
    if path is not None:  # the GeoPackage file's bytes
        assert secret.encode() not in path.read_bytes()
    else:  # every row of every table of the PostGIS schema
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f'SELECT string_agg(t::text, \'\') FROM "{store.schema}".users t').scalar()
        assert secret not in rows
    with pytest.raises(auth.UserError, match="at least 8") as short:
        manage_users(store, actor("admin"), "add", "tuan", role="editor", password="short")
    assert "short" not in str(short.value).replace("at least", "")


def test_repeated_failures_are_slowed_per_account_and_per_client(store):
    waits: list[float] = []
    throttle = Throttle(free=2, base=1.0, cap=8.0, sleep=waits.append)
    reg = store.read()
    for _ in range(5):
        with pytest.raises(SignInFailed):
            auth.authenticate(reg, "lan", "wrong-password", client="10.0.0.7", throttle=throttle)
    assert waits == [1.0, 2.0, 4.0]  # the third, fourth and fifth attempts waited
    waits.clear()
    with pytest.raises(SignInFailed):  # another account from the same client: slowed too
        auth.authenticate(reg, "minh", "wrong-password", client="10.0.0.7", throttle=throttle)
    assert waits == [8.0]
    waits.clear()
    # The account itself is slowed from any client; the right password still works.
    assert auth.authenticate(reg, "lan", TEAM_PASSWORD, client="10.0.0.8",
                             throttle=throttle).name == "lan"
    assert waits == [8.0]
    waits.clear()
    auth.authenticate(reg, "lan", TEAM_PASSWORD, client="10.0.0.8", throttle=throttle)
    assert waits == []  # a success clears the account's count


def test_a_single_sign_on_identity_maps_to_its_account_by_email(store):
    manage_users(store, actor("admin"), "add", "thu", role="editor", email="Thu@So.gov.vn")
    reg = store.read()
    assert auth.actor_for_identity(reg, "thu@so.gov.vn") == Actor("thu", Role.EDITOR, "oidc")
    stranger = auth.actor_for_identity(reg, "x@example.org", "X")
    assert stranger.role == Role.VIEWER
    with pytest.raises(SignInFailed):  # no password: signs in only through single sign-on
        auth.authenticate(reg, "thu", "", throttle=Throttle(free=99))
    set_zone_values(store, auth.actor_for_identity(reg, "thu@so.gov.vn"), "kcn-alpha",
                    {"leased_ha": 12}, DOC)
    with pytest.raises(PermissionDenied):
        set_zone_values(store, stranger, "kcn-alpha", {"leased_ha": 13}, DOC)


def test_today_is_vietnams_date_whatever_the_servers_clock_zone(monkeypatch):
    import datetime as dt

    import geo.i18n as i18n

    class LateUTC(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            # 23:35 UTC on 29/11 is 06:35 on 30/11 in Vietnam.
            base = dt.datetime(2026, 11, 29, 23, 35, tzinfo=dt.UTC)
            return base.astimezone(tz) if tz else base.replace(tzinfo=None)

    monkeypatch.setattr(i18n, "_datetime", LateUTC)
    assert i18n.local_today() == dt.date(2026, 11, 30)
