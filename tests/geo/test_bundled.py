"""The bundled register is rebuilt when its sources change, and never over edits."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from geo import bundled
from geo.cli import main
from geo.store import GeoPackageStore, StoreError
from tests.conftest import REGISTER_SRC, new_zone
from tests.pgcluster import needs_postgres


@pytest.fixture
def src(tmp_path):
    """A copy of the fixture sources a test may change."""
    folder = tmp_path / "src"
    shutil.copytree(REGISTER_SRC, folder)
    return folder


def _edit(store: GeoPackageStore) -> None:
    store.update(lambda r: r.with_zones(pd.concat([r.zones, new_zone(1, "edit")])))


def _new_source_zone(src) -> None:
    """What a git pull bringing a new zone does to the sources."""
    zones = src / "zones.csv"
    row = zones.read_text(encoding="utf-8").splitlines()[1].replace("kcn-alpha", "kcn-pulled", 1)
    zones.write_text(zones.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")


def test_a_fresh_build_is_stamped_and_can_be_built_again(tmp_path, src):
    path = tmp_path / "atlas.gpkg"
    _, backup = bundled.build_checked(path, src)
    assert backup is None and (tmp_path / "atlas.gpkg.build.json").exists()
    # Nobody wrote since: building again replaces nothing of anyone's.
    _, backup = bundled.build_checked(path, src)
    assert backup is None


def test_a_store_with_edits_is_not_replaced_unless_forced(tmp_path, src):
    path = tmp_path / "atlas.gpkg"
    store, _ = bundled.build_checked(path, src)
    _edit(store)
    with pytest.raises(StoreError, match=r"changes made since it was built.*--force"):
        bundled.build_checked(path, src)
    assert "ccn-edit-1" in set(store.read().zones["id"])  # untouched
    _, backup = bundled.build_checked(path, src, force=True)
    assert backup is not None and backup.name.startswith("atlas-before-build-")
    assert "ccn-edit-1" in set(GeoPackageStore(backup).read().zones["id"])
    assert "ccn-edit-1" not in set(store.read().zones["id"])


def test_a_file_of_unknown_origin_is_not_replaced(tmp_path, src):
    path = tmp_path / "atlas.gpkg"
    bundled.build_checked(path, src)
    (tmp_path / "atlas.gpkg.build.json").unlink()
    with pytest.raises(StoreError, match="origin is unknown"):
        bundled.build_checked(path, src)


def test_new_sources_rebuild_an_unedited_store(tmp_path, src):
    path = tmp_path / "atlas.gpkg"
    store, _ = bundled.build_checked(path, src)
    assert bundled.refresh(path, src) is False  # nothing changed
    _new_source_zone(src)
    assert bundled.refresh(path, src) is True
    assert "kcn-pulled" in set(store.read().zones["id"])
    assert bundled.pending_update(path, src) is False


def test_new_sources_never_replace_edits_and_the_page_is_told(tmp_path, src):
    path = tmp_path / "atlas.gpkg"
    store, _ = bundled.build_checked(path, src)
    _edit(store)
    _new_source_zone(src)
    assert bundled.refresh(path, src) is False
    ids = set(store.read().zones["id"])
    assert "ccn-edit-1" in ids and "kcn-pulled" not in ids
    assert bundled.pending_update(path, src) is True


def test_refresh_builds_a_missing_store(tmp_path, src):
    path = tmp_path / "atlas.gpkg"
    assert bundled.refresh(path, src) is True and GeoPackageStore(path).exists()


def test_the_cli_refuses_and_says_how(tmp_path, src, capsys):
    out = str(tmp_path / "atlas.gpkg")
    assert main(["build", "--src", str(src), "--out", out]) == 0
    _edit(GeoPackageStore(out))
    assert main(["build", "--src", str(src), "--out", out]) != 0
    assert "--force" in capsys.readouterr().err
    assert main(["build", "--src", str(src), "--out", out, "--force"]) == 0
    assert "kept the previous register as" in capsys.readouterr().err


@needs_postgres
def test_a_postgis_register_is_replaced_only_when_forced(pg_location, src):
    bundled.build_checked(pg_location, src)
    with pytest.raises(StoreError, match="pg_dump"):
        bundled.build_checked(pg_location, src)
    _, backup = bundled.build_checked(pg_location, src, force=True)
    assert backup is None


def test_accounts_are_not_data_they_survive_a_rebuild_and_do_not_block_one(tmp_path, src):
    from geo import edit
    from geo.auth import Actor, Role

    path = tmp_path / "atlas.gpkg"
    store, _ = bundled.build_checked(path, src)
    # The README's first step for a team: the first admin, then an editor.
    edit.manage_users(store, None, "add", "root", role="admin", password="root-password-1")
    edit.manage_users(store, Actor("root", Role.ADMIN), "add", "lan", role="editor",
                      password="lan-password-1")
    _new_source_zone(src)
    assert bundled.pending_update(path, src) is False
    assert bundled.refresh(path, src) is True  # the new sources come in
    reg = store.read()
    assert "kcn-pulled" in set(reg.zones["id"])
    assert sorted(reg.users["name"]) == ["lan", "root"]  # the accounts stay
    assert set(reg.history["table_name"]) == {"users"} and len(reg.history) == 2
    # An edit is data: then nothing is rebuilt, and a forced build still keeps the accounts.
    _edit(store)
    (src / "figures.csv").write_text((src / "figures.csv").read_text(encoding="utf-8") + "\n",
                                     encoding="utf-8")
    assert bundled.refresh(path, src) is False and bundled.pending_update(path, src) is True
    bundled.build_checked(path, src, force=True)
    reg = store.read()
    assert "ccn-edit-1" not in set(reg.zones["id"])
    assert sorted(reg.users["name"]) == ["lan", "root"]
