"""What the Data page shows of any import, of zones or of plots: the report's details
and the outcome of a merge. Thin Streamlit glue over :mod:`geo.importer` and
:mod:`geo.merge`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import md
from geo.edit import local_time
from geo.i18n import t
from geo.merge import MergeResult

__all__ = ["merge_outcome", "report_details"]

S = st.session_state


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
