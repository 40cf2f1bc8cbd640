"""Shared fixtures: the small register every unit test builds on."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.register import Register, read_source_dir
from geo.store import GeoPackageStore, build

FIXTURES = Path(__file__).parent / "fixtures"
REGISTER_SRC = FIXTURES / "register"


@pytest.fixture
def fixture_register() -> Register:
    """The fixture register read from its CSVs."""
    return read_source_dir(REGISTER_SRC)


@pytest.fixture
def fixture_store(tmp_path: Path) -> GeoPackageStore:
    """A GeoPackage store holding the fixture register."""
    return build(tmp_path / "atlas.gpkg", REGISTER_SRC)
