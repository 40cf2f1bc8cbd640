"""What a link may name in the register, and the notice naming what it could not apply.

Pure functions the map page calls (``app_pages.map_controls.seed_from_url`` and
``app_pages.map``):

- :func:`known_from_register` says what a link may name (zones, projects, plots,
  provinces by their name in the sources or today's, the area range), for
  :meth:`layers.state.MapState.resolve`.
- :func:`province_choices` lists the provinces by both names.
- :func:`link_notices` words the notice naming every parameter of a link
  that was dropped (``ignored``) or cut to fit (``adjusted``).

(The share box draws the link's QR code in the browser and says when a link is
too long for one: ``static/map/kcn-share.js``.)
"""

from __future__ import annotations

import math

import pandas as pd

from geo.i18n import t
from geo.register import Register
from geo.text import fold
from layers.state import Known, MapState

__all__ = ["known_from_register", "link_notices", "province_choices"]


def province_choices(zones: pd.DataFrame) -> list[str]:
    """The provinces the filter offers: as named in the sources, and today's names."""
    names = set(zones["province"].dropna()) | set(zones["province_current"].dropna())
    return sorted(names, key=fold)


def known_from_register(reg: Register) -> Known:
    """What a link may name in this register, for :meth:`MapState.resolve`."""
    provinces = {fold(name): name for name in province_choices(reg.zones)}
    top = reg.zones["area_total_ha"].max()
    return Known(
        zones=frozenset(reg.zones["id"]),
        projects=frozenset(reg.projects["id"]),
        plots=frozenset(reg.plots["id"]),
        provinces=provinces,
        # The area slider's range: whole hectares up to the largest known area.
        area_max=None if pd.isna(top) else float(math.ceil(top)),
    )


def link_notices(state: MapState, lang: str) -> list[str]:
    """The notices naming a link's dropped and adjusted parameters (none when all applied)."""
    notes = []
    if state.ignored:
        notes.append(t("ignored_params", lang, names=", ".join(state.ignored)))
    if state.adjusted:
        notes.append(t("adjusted_params", lang, names=", ".join(state.adjusted)))
    return notes
