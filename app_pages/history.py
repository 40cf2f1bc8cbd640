"""History in the app: a zone's History tab, the team's recent changes, revert.

Thin glue over :mod:`layers.history` (what is shown) and :func:`geo.edit.revert`
(the write, which checks the role again: editors revert their own changes,
admins anyone's).
"""

from __future__ import annotations

import streamlit as st

from app_pages.account import current_actor
from app_pages.common import load_register, md
from geo import live
from geo.auth import Role
from geo.edit import EditConflict, EditRefused, revert
from geo.i18n import t
from geo.settings import SettingError
from geo.store import StoreError
from layers.history import history_html, history_rows

__all__ = ["recent_changes", "revert_box", "zone_history"]

S = st.session_state


def zone_history(zone_id: str, lang: str) -> None:
    """The History tab of a zone's panel: every change of the zone, newest first."""
    handle = load_register()
    rows = history_rows(handle.register, lang, table=("zones", "plots"), record=zone_id)
    if not rows:
        st.caption(t("hist.none", lang))
        return
    st.html(history_html(rows, lang))
    revert_box(rows, lang, key=f"zone_{zone_id}")


def recent_changes(lang: str, limit: int = 50) -> None:
    """The team's recent changes (Data page), with revert for the signed-in."""
    handle = load_register()
    st.subheader(t("hist.recent", lang))
    rows = history_rows(handle.register, lang, limit=limit)
    rows = [r for r in rows if r.action != t("action.user", lang)]  # accounts stay private
    if not rows:
        st.caption(t("hist.none", lang))
        return
    st.html(history_html(rows, lang, records=True))
    revert_box(rows, lang, key="recent")


def revert_box(rows: list, lang: str, *, key: str) -> None:  # type: ignore[type-arg]
    """Revert one change: an editor's own, or (admin) anyone's."""
    handle = load_register()
    actor = current_actor(handle.register)
    if actor is None or not actor.can(Role.EDITOR):
        return
    admin = actor.can(Role.ADMIN)
    choices = [r for r in rows if not r.reverted and (admin or r.who.casefold()
                                                      == actor.name.casefold())]
    if not choices:
        return
    by_id = {r.change_id: r for r in choices}
    with st.expander(t("hist.revert", lang)):
        choice = st.selectbox(
            t("hist.revert.pick", lang), list(by_id), key=f"revert_pick_{key}",
            format_func=lambda c: f"{by_id[c].when} · {by_id[c].who} · {by_id[c].action} · "
                                  f"{by_id[c].record} {by_id[c].field}: {by_id[c].before} → "
                                  f"{by_id[c].after}")
        if st.button(t("hist.revert.button", lang), key=f"revert_{key}") and choice:
            try:
                revert(live.store(handle.location), actor, choice)
            except (EditRefused, EditConflict, PermissionError, StoreError,
                    SettingError) as exc:
                st.error(md(t("edit.refused", lang, err=str(exc))))
            else:
                S["_notice"] = t("hist.reverted.done", lang)
                st.rerun()
