"""GDAL's own OGC API – Features client (OAPIF) reads the live register from the app."""

from __future__ import annotations

import pyogrio
import pytest

from geo.store import GeoPackageStore, build
from tests.browser.conftest import run_app
from tests.synthetic import with_synthetic_plots


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app on a register with zones, projects and 300 plots."""
    folder = tmp_path_factory.mktemp("ogc")
    base = build(folder / "base.gpkg").read()
    store = GeoPackageStore(folder / "atlas.gpkg")
    store.write(with_synthetic_plots(base, 300, plots_per_zone=150))
    with run_app(store.path, folder) as url:
        yield url, store.read()


def test_gdal_lists_the_collections_and_reads_every_feature(served):
    url, reg = served
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{url}/ogc")}
    assert layers == {"zones", "projects", "plots"}
    plots = pyogrio.read_dataframe(f"OAPIF:{url}/ogc", layer="plots")
    assert len(plots) == len(reg.plots) == 300  # paged through "next" links
    assert set(plots["status"]) <= {"leased", "vacant", "reserved", "negotiation",
                                    "unavailable"}
    zones = pyogrio.read_dataframe(f"OAPIF:{url}/ogc", layer="zones")
    assert sorted(zones["name_vi"]) == sorted(reg.zones["name_vi"])


def test_gdal_reads_a_bounding_box(served):
    url, reg = served
    first = reg.zones.geometry.iloc[0].bounds
    inside = pyogrio.read_dataframe(f"OAPIF:{url}/ogc", layer="plots", bbox=first)
    expected = reg.plots[reg.plots.geometry.intersects(reg.zones.geometry.iloc[0].envelope)]
    assert len(inside) == len(expected) > 0


def test_nothing_can_be_written(served):
    import urllib.error
    import urllib.request

    url, _ = served
    for method in ("POST", "PUT", "DELETE"):
        request = urllib.request.Request(f"{url}/ogc/collections/zones/items", data=b"{}",
                                         method=method)
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=10)
        assert err.value.code == 405
