"""Loading the register once per change of the store; helpers every page uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import live
from geo.export import table_csv, table_xlsx
from geo.i18n import t
from geo.register import Register, RegisterFormatError
from geo.settings import SettingError
from geo.store import StoreError, open_store

__all__ = ["RegisterHandle", "download_table", "load_register", "md", "register_or_stop"]


@dataclass(frozen=True)
class RegisterHandle:
    """The register, where it lives, and the version key its caches hang on."""

    register: Register
    version: str
    where: str  # for messages (a PostGIS password is masked)
    location: str  # to open the store again
    key: str  # the version's key in the data endpoints' URLs (geo.live)


@st.cache_resource(show_spinner=False, max_entries=4)
def _recovered(location: str) -> int:
    """Remove what writers that died left beside a GeoPackage store, once per server start."""
    recover = getattr(open_store(location), "recover", None)
    return len(recover()) if recover is not None else 0


def load_register() -> RegisterHandle:
    """Return the register, read again only when the store has been written.

    The snapshot is shared with the app's data endpoints (:mod:`geo.live`).
    """
    snap = live.current()  # builds the bundled register on first use
    _recovered(snap.location)
    version = f"{snap.location}:{snap.version}"
    return RegisterHandle(snap.register, version, snap.description, snap.location, snap.key)


def register_or_stop(lang: str) -> RegisterHandle:
    """Return the register, or show what is wrong with the store and stop the page."""
    try:
        return load_register()
    except (StoreError, RegisterFormatError, SettingError, OSError) as exc:
        st.error(t("store.error", lang, err=str(exc)))
        st.stop()
        raise  # st.stop() raises; this line only satisfies type checkers


def download_table(frame: pd.DataFrame, name: str, lang: str) -> None:
    """CSV and Excel downloads of a table as shown (its headers and values)."""
    left, right, _ = st.columns([1, 1, 4])
    # No cell a spreadsheet would run as a formula (a zone named "=..." stays text).
    left.download_button(t("dash.csv", lang), table_csv(frame),
                         file_name=f"{name}.csv", mime="text/csv", key=f"csv_{name}",
                         on_click="ignore")
    right.download_button(t("dash.xlsx", lang), table_xlsx(frame, name),
                          file_name=f"{name}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument."
                               "spreadsheetml.sheet", key=f"xlsx_{name}", on_click="ignore")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: object) -> str:
    """Escape text from the data for Streamlit markdown, so it shows literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))
