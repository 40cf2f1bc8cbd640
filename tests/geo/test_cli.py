import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main
from geo.validate import validate
from tests.conftest import REGISTER_SRC, TEAM_PASSWORD


@pytest.fixture(autouse=True)
def _signed_in(monkeypatch):
    """Commands that write sign in as $KCN_ATLAS_USER with the test accounts' password."""
    monkeypatch.setenv("KCN_ATLAS_PASSWORD", TEAM_PASSWORD)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("query", ["Hải Phòng", "hai phong", "HAI PHONG", "phong"])
def test_summary_finds_province_without_diacritics(capsys, fixture_store, query):
    code, out, _ = run(capsys, "--store", str(fixture_store.path), "summary",
                       "--province", query, "--json")
    assert code == 0
    doc = json.loads(out)
    assert [p["province"] for p in doc["provinces"]] == ["Hải Phòng"]


def test_summary_json_has_figures_with_citations_and_register_counts(capsys, fixture_store):
    _code, out, _ = run(capsys, "--store", str(fixture_store.path), "summary",
                       "--province", "hai phong", "--json")
    hp = json.loads(out)["provinces"][0]
    figures = {f["id"]: f for f in hp["official_figures"]}
    assert figures["t-kcn-count"]["value"] == 25
    assert figures["t-fdi"]["value_max"] == 15
    assert figures["t-kcn-area"]["citation"] == {
        "source_id": "test-doc", "document": "Test resolution 01-NQ/TEST",
        "doc_number": "01-NQ/TEST", "issuer": "Test committee", "date": "2022-04-07",
        "tier": "legal", "url": None, "section": "I",
    }
    kcn = hp["register"]["by_kind"]["KCN"]
    assert kcn["count"] == 2
    assert kcn["area_ha"] == 400
    assert kcn["by_status"]["operating"]["count"] == 1
    # (50% x 80 ha industrial + 90% x 300 ha total) / 380 ha
    assert hp["register"]["occupancy_weighted_pct"] == pytest.approx(81.578947, rel=1e-6)
    assert hp["coverage"] == [{
        "kind": "KCN", "official_count": 25, "official_count_figure": "t-kcn-count",
        "register_count": 2, "official_area_ha": 12702, "official_area_figure": "t-kcn-area",
        "register_area_ha": 400, "register_area_unknown": 0,
    }]


def test_summary_by_current_province_name(capsys, fixture_store):
    _code, out, _ = run(capsys, "--store", str(fixture_store.path), "summary",
                       "--province", "thai nguyen", "--json")
    prov = json.loads(out)["provinces"][0]
    assert (prov["province"], prov["province_current"]) == ("Bắc Kạn", "Thái Nguyên")
    assert prov["register"]["by_kind"]["CCN"]["area_unknown"] == 1
    assert prov["register"]["occupancy_weighted_pct"] is None


def test_summary_text_lists_every_province(capsys, fixture_store):
    code, out, _ = run(capsys, "--store", str(fixture_store.path), "summary")
    assert code == 0
    assert "== Bắc Kạn (now Thái Nguyên) ==" in out
    assert "register holds 2 of 25 officially planned zones, 400 of 12,702 ha" in out


def test_unknown_province_is_an_error_on_stderr(capsys, fixture_store):
    code, out, err = run(capsys, "--store", str(fixture_store.path), "summary",
                         "--province", "Atlantis", "--json")
    assert code == 2
    assert out == ""
    assert "no province matches 'Atlantis'" in err and "Hải Phòng" in err


def test_validate_passes_and_fails(capsys, fixture_store, tmp_path):
    code, out, _ = run(capsys, "--store", str(fixture_store.path), "validate")
    assert code == 0 and "register is valid" in out

    broken = tmp_path / "broken"
    broken.mkdir()
    for src in REGISTER_SRC.iterdir():
        (broken / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    zones = (broken / "zones.csv").read_text(encoding="utf-8")
    (broken / "zones.csv").write_text(zones.replace("kcn-beta", "kcn-alpha"), encoding="utf-8")
    code, out, err = run(capsys, "validate", "--src", str(broken))
    assert code == 1
    assert "zones kcn-alpha: id is not unique" in err

    code, out, err = run(capsys, "validate", "--src", str(broken), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False
    assert {"table": "zones", "record": "kcn-alpha", "message": "id is not unique"} \
        in doc["problems"]


def test_missing_store_is_a_clear_error(capsys, tmp_path):
    code, _out, err = run(capsys, "--store", str(tmp_path / "nope.gpkg"), "validate")
    assert code == 2 and "kcn-atlas build --out" in err


def _geojson_file(tmp_path, name="KCN Mới Thử", **extra):
    import geopandas as gpd
    from shapely.geometry import box

    path = tmp_path / "moi.geojson"
    gpd.GeoDataFrame({"ten_khu": [name], "loai": ["KCN"], "dien_tich": ["1.079,92"],
                      **{k: [v] for k, v in extra.items()}},
                     geometry=[box(106.60, 20.80, 106.62, 20.82)], crs="EPSG:4326").to_file(path)
    return path


def test_import_dry_run_writes_nothing(capsys, fixture_store, tmp_path):
    before = fixture_store.path.read_bytes()
    code, out, _ = run(capsys, "--store", str(fixture_store.path), "import",
                       str(_geojson_file(tmp_path)), "--dry-run", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["outcome"] in ("accept", "accept_with_warnings")
    assert doc["names"] == ["KCN Mới Thử"] and doc["features"] == 1
    assert doc["merge"] == {"added": ["kcn-moi-thu"], "changed": {}, "unchanged": [],
                            "worse": {}, "replace_worse": False, "conflicts": {}, "ids": {},
                            "problems": [], "written": False, "import_id": None,
                            "duplicate_of": None, "dry_run": True,
                            "store": str(fixture_store.path)}
    assert [z["id"] for z in doc["zones"]] == ["kcn-moi-thu"]
    assert fixture_store.path.read_bytes() == before


def test_import_then_undo(capsys, fixture_store, tmp_path, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_USER", "planner-hp")
    code, out, _ = run(capsys, "--store", str(fixture_store.path), "import",
                       str(_geojson_file(tmp_path, trang_thai="planned")), "--json")
    merge = json.loads(out)["merge"]
    assert code == 0 and merge["written"] is True
    reg = fixture_store.read()
    zone = reg.zones.set_index("id").loc["kcn-moi-thu"]
    assert zone.area_total_ha == 1079.92
    assert reg.audit.iloc[-1].who == "planner-hp"
    assert zone.source_id == merge["import_id"]
    code, out, _ = run(capsys, "--store", str(fixture_store.path), "undo-import", "--json")
    done = json.loads(out)
    assert code == 0 and done["removed"] == ["kcn-moi-thu"]
    assert (done["import_id"], done["file"], done["who"]) == (merge["import_id"],
                                                              "moi.geojson", "planner-hp")
    assert "kcn-moi-thu" not in set(fixture_store.read().zones.id)
    code, _, err = run(capsys, "--store", str(fixture_store.path), "undo-import")
    assert code == 1 and "no import by planner-hp to undo" in err
    assert validate(fixture_store.read()) == []


def test_undo_import_of_another_persons_import_needs_an_admin(
    capsys, fixture_store, tmp_path, monkeypatch
):
    store = str(fixture_store.path)
    monkeypatch.setenv("KCN_ATLAS_USER", "lan")
    code, out, _ = run(capsys, "--store", store, "import",
                       str(_geojson_file(tmp_path, trang_thai="planned")))
    assert code == 0 and "import id import-" in out
    (record,) = json.loads(run(capsys, "--store", store, "imports", "--json")[1])
    assert (record["who"], record["file"], record["in_effect"]) == ("lan", "moi.geojson", True)
    monkeypatch.setenv("KCN_ATLAS_USER", "minh")
    code, _, err = run(capsys, "--store", store, "undo-import")
    assert code == 1 and "no import by minh" in err and record["import_id"] in err
    code, _, err = run(capsys, "--store", store, "undo-import", record["import_id"])
    assert code == 1 and "is not yours (minh)" in err and "only an admin may" in err
    assert "kcn-moi-thu" in set(fixture_store.read().zones.id)
    code, out, _ = run(capsys, "--store", store, "undo-import", record["import_id"],
                       "--user", "admin")
    assert code == 0 and f"undid import {record['import_id']}: moi.geojson by lan" in out
    code, out, _ = run(capsys, "--store", store, "imports")
    assert "undone by admin" in out
    assert validate(fixture_store.read()) == []


_IMPORT = """
import json, sys
from geo.cli import main
sys.exit(main(["--store", sys.argv[1], "import", sys.argv[2], "--json"]))
"""


@pytest.mark.slow
def test_the_same_file_imported_by_four_processes_at_once_is_imported_once(
    fixture_store, tmp_path
):
    path = _geojson_file(tmp_path, trang_thai="planned")
    procs = [subprocess.Popen([sys.executable, "-c", _IMPORT, str(fixture_store.path),
                               str(path)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "KCN_ATLAS_USER": f"user{i}"})
             for i in range(4)]
    docs = [json.loads(p.communicate(timeout=180)[0])["merge"] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0]
    written = [d for d in docs if d["written"]]
    assert len(written) == 1 and written[0]["added"] == ["kcn-moi-thu"]
    told = [d["duplicate_of"]["import_id"] for d in docs if not d["written"]]
    assert told == [written[0]["import_id"]] * 3  # the others are told which import has it
    reg = fixture_store.read()
    assert list(reg.audit["action"]) == ["import"]
    assert validate(reg) == []


def test_a_refused_file_prints_json_and_exits_non_zero(capsys, fixture_store, tmp_path):
    bad = tmp_path / "notes.geojson"
    bad.write_text("this is not GeoJSON", encoding="utf-8")
    before = fixture_store.path.read_bytes()
    code, out, _ = run(capsys, "--store", str(fixture_store.path), "import", str(bad), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["outcome"] == "reject" and doc["errors"]
    assert set(doc) >= {"outcome", "features", "names", "total_area_ha", "crs", "encoding",
                        "layers", "warnings", "errors"}
    assert fixture_store.path.read_bytes() == before


def test_summary_json_compares_each_province_of_today(capsys, fixture_store):
    _code, out, _ = run(capsys, "--store", str(fixture_store.path), "summary", "--json")
    current = {c["province_current"]: c for c in json.loads(out)["current"]}
    assert set(current) == {"Hải Phòng", "Thái Nguyên"}
    hp = current["Hải Phòng"]
    assert hp["former"] == ["Hải Phòng"]
    assert hp["held"] == {"KKT": 1, "KCN": 2, "CCN": 0, "study_area": 0}
    (kcn,) = hp["official_counts"]
    assert (kcn["kind"], kcn["indicator"], kcn["official_count"], kcn["figure"]) == (
        "KCN", "planned_zone_count", 25, "t-kcn-count")
    assert (kcn["register_count"], kcn["official_area_ha"], kcn["register_area_ha"]) == (
        2, 12702, 400)
    assert kcn["citation"]["source_id"] == "test-doc"
    share = hp["completeness"]["KCN"]
    # "range": zones known only as a range or bound, apart from the known ones.
    assert share["area_total_ha"] == {"known": 2, "total": 2, "share": 1.0, "range": 0}
    assert share["occupancy_or_leased"]["known"] == 2
    assert share["year_established"] == {"known": 0, "total": 2, "share": 0.0, "range": 0}
    assert hp["completeness"]["CCN"]["status"] == {"known": 0, "total": 0, "share": None}
    # Bắc Kạn is Thái Nguyên today; no figure is about the whole of Thái Nguyên.
    tn = current["Thái Nguyên"]
    assert tn["former"] == ["Bắc Kạn"] and tn["official_counts"] == []


def test_summary_text_shows_today_and_what_is_known(capsys, fixture_store):
    _code, out, _ = run(capsys, "--store", str(fixture_store.path), "summary")
    assert "== Hải Phòng today (as named before 2025: Hải Phòng) ==" in out
    assert "KCN: register holds 2 of 25 officially planned zones, 400 of 12,702 ha known" in out
    assert "== Thái Nguyên today (as named before 2025: Bắc Kạn) ==" in out


def test_a_2_gb_import_is_refused_without_reading_it(tmp_path, fixture_store):
    import subprocess
    import sys

    big = tmp_path / "ban_do.zip"
    with big.open("wb") as fh:
        fh.truncate(2 * 1024**3)  # sparse: 2 GB to the file system, nothing to read
    script = ("import json, resource, sys\nfrom geo.cli import main\nimport geo.importer\n"
              "import geo.merge\n"
              "loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
              f"code = main(['--store', {str(fixture_store.path)!r}, 'import', {str(big)!r}, "
              "'--json'])\n"
              "print(json.dumps({'code': code, 'loaded_kib': loaded, 'peak_kib': "
              "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    result = json.loads(done.stderr.strip().splitlines()[-1])
    doc = json.loads(done.stdout)
    assert result["code"] == 1 and doc["outcome"] == "reject"
    assert "2,048.0 MB, more than the 200.0 MB" in doc["errors"][0]
    # The interpreter with geopandas and the importer loaded takes about 180 MB; reading
    # the file would take 2 GB more (2.16 GiB was measured before the size was checked
    # first). Refusing it takes next to nothing beyond what is loaded.
    assert result["peak_kib"] - result["loaded_kib"] < 64 * 1024


def test_a_mistyped_path_is_an_error_not_a_refused_file(capsys, fixture_store, tmp_path):
    code, out, err = run(capsys, "--store", str(fixture_store.path), "import",
                         str(tmp_path / "khong_co.zip"), "--json")
    assert code == 2 and out == "" and "no file" in err


def _plots_file(tmp_path):
    from tests.plot_files import tcvn3_shapefile_zip

    path = tmp_path / "lo_dat_dinh_vu.zip"
    path.write_bytes(tcvn3_shapefile_zip(tmp_path, (106.755, 20.835)))
    return path


def test_import_plots_dry_run_then_merge_list_and_undo(capsys, fixture_store, tmp_path,
                                                       monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_USER", "planner-hp")
    store, path = str(fixture_store.path), _plots_file(tmp_path)
    before = fixture_store.path.read_bytes()
    code, out, _ = run(capsys, "--store", store, "import", str(path), "--plots", "--dry-run",
                       "--json")
    doc = json.loads(out)
    assert code == 0 and doc["kind"] == "plots" and doc["encoding"] == "tcvn3"
    assert doc["zones"]["kcn-alpha"]["plots"] == 6
    assert doc["statuses"]["leased"]["plots"] == 2
    assert doc["merge"]["added"] == [f"kcn-alpha--cn-0{i}" for i in range(1, 7)]
    assert doc["merge"]["written"] is False and doc["merge"]["dry_run"] is True
    assert fixture_store.path.read_bytes() == before
    code, out, _ = run(capsys, "--store", store, "import", str(path), "--plots",
                       "--zone", "KCN Đình Vũ", "--as-of", "30/06/2026")
    assert code == 0 and "added 6 plot(s)" in out and "import id import-" in out
    reg = fixture_store.read()
    assert set(reg.plots["as_of"]) == {"2026-06-30"}
    code, out, _ = run(capsys, "--store", store, "imports")
    assert "lo_dat_dinh_vu.zip  (+6 plots, ~0; in effect)" in out
    code, out, _ = run(capsys, "--store", store, "import", str(path), "--plots",
                       "--zone", "kcn-alpha", "--as-of", "2026-06-30")
    assert code == 0 and "already imported" in out
    code, out, _ = run(capsys, "--store", store, "undo-import")
    assert code == 0 and "removed 6 plot(s), restored 0" in out
    assert fixture_store.read().plots.empty


def test_import_plots_refuses_a_file_whose_plots_lie_in_no_zone(capsys, fixture_store,
                                                                tmp_path):
    from tests.plot_files import tcvn3_shapefile_zip

    path = tmp_path / "xa.zip"
    path.write_bytes(tcvn3_shapefile_zip(tmp_path, (106.95, 20.95)))
    code, out, _ = run(capsys, "--store", str(fixture_store.path), "import", str(path),
                       "--plots", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["outcome"] == "reject" and doc["unmatched"] == 6
    assert "--zone" in doc["errors"][0]
    code, _, err = run(capsys, "--store", str(fixture_store.path), "import", str(path),
                       "--zone", "kcn-alpha")
    assert code == 2 and "--zone and --replace-zone-plots go with --plots" in err
    with pytest.raises(SystemExit):
        main(["--store", str(fixture_store.path), "import", str(path), "--plots", "--as-of",
              "hôm qua"])


# --- accounts, set and history (issue 13) --------------------------------------------

def _cli(store: str, *argv: str, stdin: str = "", env: dict | None = None):
    """Run the installed command line in a process of its own, with text on stdin."""
    full = {k: v for k, v in os.environ.items() if k != "KCN_ATLAS_PASSWORD"}
    full.update(env or {})
    done = subprocess.run([sys.executable, "-m", "geo.cli", "--store", store, *argv],
                          input=stdin, capture_output=True, text=True, env=full, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def empty_team_store(tmp_path):
    from geo.store import build

    return str(build(tmp_path / "team.gpkg", REGISTER_SRC).path)


def test_first_admin_then_accounts_passwords_only_from_stdin(empty_team_store, tmp_path):
    store = empty_team_store
    code, out, err = _cli(store, "user", "list")
    assert code == 0 and "add the first admin" in out
    code, out, err = _cli(store, "user", "add", "root", "--role", "admin",
                          stdin="root-password-1\n")
    assert (code, out.strip()) == (0, "added root (admin)"), err
    # Now adding an account needs an admin: its password, then the new one, on stdin.
    code, _, err = _cli(store, "user", "add", "lan", "--role", "editor", "--user", "root",
                        stdin="wrong-password\nlan-password-1\n")
    assert code == 1 and err.strip() == "kcn-atlas: refused: sign-in failed"
    assert "wrong-password" not in err and "lan-password-1" not in err
    code, out, err = _cli(store, "user", "add", "lan", "--role", "editor", "--user", "root",
                          stdin="root-password-1\nlan-password-1\n")
    assert code == 0, err
    code, out, err = _cli(store, "user", "add", "vy", "--role", "viewer", "--user", "root",
                          env={"KCN_ATLAS_PASSWORD": "root-password-1"},
                          stdin="vy-password-12\n")
    assert code == 0, err
    code, out, _ = _cli(store, "user", "list", "--json")
    listed = json.loads(out)
    assert [(u["name"], u["role"]) for u in listed] == [("lan", "editor"), ("root", "admin"),
                                                       ("vy", "viewer")]
    assert all("password_hash" not in u for u in listed)
    code, out, err = _cli(store, "user", "set-role", "vy", "editor", "--user", "root",
                          stdin="root-password-1\n")
    assert (code, out.strip()) == (0, "vy is now editor"), err
    code, out, err = _cli(store, "user", "remove", "vy", "--user", "lan",
                          stdin="lan-password-1\n")
    assert code == 1 and "only an admin may manage accounts" in err
    code, out, err = _cli(store, "user", "remove", "vy", "--user", "root",
                          stdin="root-password-1\n")
    assert code == 0, err
    for secret in ("root-password-1", "lan-password-1", "vy-password-12"):
        assert secret.encode() not in Path(store).read_bytes()


def test_set_is_a_checked_edit_and_a_viewers_set_exits_1(capsys, fixture_store, monkeypatch):
    store = str(fixture_store.path)
    monkeypatch.setenv("KCN_ATLAS_USER", "viewer")
    code, _, err = run(capsys, "--store", store, "set", "kcn-alpha", "area_total_ha=150",
                       "--source", "test-doc", "--as-of", "2026-11-01")
    assert code == 1 and "viewer is a viewer: only an editor may edit a zone" in err
    code, out, err = run(capsys, "--store", store, "set", "kcn-alpha", "area_total_ha=150",
                         "occupancy_pct=70", "--source", "test-doc", "--as-of", "2026-11-01",
                         "--section", "II", "--user", "lan")
    assert code == 0, err
    assert "kcn-alpha area_total_ha: 100 -> 150 (source test-doc)" in out
    version = out.strip().splitlines()[-1].split()[-1]
    code, _, err = run(capsys, "--store", store, "set", "kcn-alpha", "leased_ha=10",
                       "--source", "test-editors", "--as-of", "2026-11-01", "--user", "lan")
    assert code == 1 and "not saved" in err and "editors" in err
    with pytest.raises(SystemExit) as no_source:  # no source, no save
        main(["--store", store, "set", "kcn-alpha", "leased_ha=10", "--as-of", "2026-11-01",
              "--user", "lan"])
    assert no_source.value.code == 2 and "--source" in capsys.readouterr().err
    code, _, _ = run(capsys, "--store", store, "set", "kcn-alpha", "leased_ha=10",
                     "--source", "test-doc", "--as-of", "2026-11-01", "--user", "minh",
                     "--expect-version", version)
    assert code == 0
    code, _, err = run(capsys, "--store", store, "set", "kcn-alpha", "leased_ha=11",
                       "--source", "test-doc", "--as-of", "2026-11-01", "--user", "lan",
                       "--expect-version", version)
    assert code == 1 and "changed by someone else" in err and "minh" in err
    assert run(capsys, "--store", store, "validate")[0] == 0
    code, out, _ = run(capsys, "--store", store, "history", "kcn-alpha", "--json")
    rows = json.loads(out)
    assert [(r["who"], r["field"]) for r in rows] == [("minh", "leased_ha"),
                                                     ("lan", "occupancy_pct"),
                                                     ("lan", "area_total_ha")]
    assert rows[-1]["before"] == 100 and rows[-1]["after"] == "150"
    assert rows[-1]["at"].endswith("+00:00")
    code, out, _ = run(capsys, "--store", store, "history")
    assert "(GMT+7)  lan  edit  zones kcn-alpha area_total_ha: 100 -> 150" in out


def test_a_wrong_password_from_the_environment_is_refused_without_echo(capsys, fixture_store,
                                                                        monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_PASSWORD", "not-the-password-xyz")
    code, out, err = run(capsys, "--store", str(fixture_store.path), "set", "kcn-alpha",
                         "leased_ha=10", "--source", "test-doc", "--as-of", "2026-11-01",
                         "--user", "lan")
    assert code == 1 and err.strip() == "kcn-atlas: refused: sign-in failed"
    assert "not-the-password-xyz" not in out + err


def test_there_is_no_password_argument(capsys):
    with pytest.raises(SystemExit):
        main(["user", "add", "x", "--role", "admin", "--password", "secret-123"])
