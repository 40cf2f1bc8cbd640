"""What the Data page shows of any import, of zones or of plots: the report's details
and the outcome of a merge. Thin Streamlit glue over :mod:`geo.importer` and
:mod:`geo.merge`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages.account import signed_in_editor
from app_pages.common import md
from geo.auth import Actor
from geo.edit import local_time
from geo.i18n import t
from geo.importer.spool import Spooled, release
from geo.merge import MergeResult
from geo.register import Register

__all__ = ["FILE", "MAPPING", "PLOT_MAPPING", "forget_upload", "merge_controls",
           "merge_outcome", "report_details"]

S = st.session_state
FILE = "import_file"  # the spooled upload being imported, as Spooled.to_state()
MAPPING = "import_mapping"  # column -> field the user chose over the importer's guess
PLOT_MAPPING = "import_plot_mapping"  # the same for a file of plots: {"digest", "map"}


def forget_upload() -> None:
    """Release the spooled upload and every choice made about it (zones' or plots')."""
    state = S.get(FILE)
    release(Spooled.from_state(state) if state else None)
    for key in (FILE, MAPPING, PLOT_MAPPING):
        S.pop(key, None)
    S["upload_round"] = S.get("upload_round", 0) + 1


def merge_controls(register: Register, writes: bool, problems: tuple[str, ...],
                   lang: str) -> tuple[Actor | None, bool]:
    """The plan's problems, who merges, and the merge and cancel buttons.

    Returns the signed-in editor (None: the page says to sign in) and whether
    "merge" was pressed. Cancel forgets the upload and reruns the page.
    """
    for problem in problems:
        st.error(t("data.problem", lang, p=problem))
    actor = signed_in_editor(register, lang)
    left, right = st.columns(2)
    merge = left.button(t("data.merge", lang), type="primary", key="merge",
                        disabled=not writes or actor is None or bool(problems))
    if right.button(t("data.cancel", lang), key="cancel"):
        forget_upload()
        st.rerun()
    return actor, merge


def report_details(report: Any, lang: str) -> None:
    """CRS and encoding read, the layers, then the errors, warnings and notes (escaped).

    ``report``: a :class:`geo.importer.ImportReport` or
    :class:`geo.importer.PlotImportReport`.
    """
    st.markdown(f"**{md(t('data.crs', lang))}**: {md(report.crs or '—')} · "
                f"**{md(t('data.encoding', lang))}**: {md(report.encoding or '—')}")
    if report.layers:
        st.dataframe(pd.DataFrame([{
            t("data.layer", lang): layer.name,
            t("data.features", lang): layer.features,
            t("data.geometry", lang): layer.geometry_type or "—",
            t("data.imported", lang): "✓" if layer.imported else (layer.reason or "—"),
        } for layer in report.layers]), hide_index=True, width="stretch")
    for error in report.errors:
        st.error(error)
    if report.warnings:
        with st.expander(t("data.warnings", lang, n=len(report.warnings)),
                         expanded=len(report.warnings) <= 5):
            for warning in report.warnings:
                st.markdown(f"- {md(warning)}")
    if report.notes:
        with st.expander(t("data.notes", lang, n=len(report.notes))):
            for note in report.notes:
                st.markdown(f"- {md(note)}")


def merge_outcome(result: MergeResult[Any], lang: str) -> bool:
    """Note a repeated file or a merge that changed nothing for the next run of the page.

    Returns True when the merge wrote an import (then recorded as this session's own,
    for the undo section to offer first); the caller says what it wrote.
    """
    if result.duplicate_of is not None:
        d = result.duplicate_of
        S["merge_note"] = t("data.duplicate", lang, who=d.who, at=local_time(d.at),
                            id=d.import_id)
        return False
    if result.record is None:
        S["merge_note"] = t("data.nothing", lang)
        return False
    S["my_imports"] = [*S.get("my_imports", []), result.record.import_id]
    return True
