"""Fixtures for the layer tests: a map context over the fixture register."""

from __future__ import annotations

import pytest

from layers.base import MapContext
from layers.infrastructure import project_features
from layers.state import MapState
from layers.zones import zone_features


def make_context(register, state: MapState | None = None) -> MapContext:
    """Return a context that shows every zone and project of ``register``."""
    state = state or MapState()
    return MapContext(
        state=state, zones=register.zones, projects=register.projects,
        zone_json=zone_features(register.zones, state.lang, state.color),
        project_json=project_features(register.projects, state.lang),
    )


@pytest.fixture
def context(fixture_register):
    return make_context(fixture_register)
