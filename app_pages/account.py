"""Signing in and out, in the sidebar of every page: thin glue over :mod:`geo.auth`.

The signed-in person is ``st.session_state["actor"]`` (a :class:`geo.auth.Actor`);
nobody signed in is None, and the public pages work the same without it. The
role shown here only decides which controls a page draws: every write checks
the account's role again in ``geo`` (:func:`geo.auth.require`).
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from app_pages.common import md
from geo import settings
from geo.auth import Actor, Role, SignInFailed, account, actor_for_identity, authenticate
from geo.i18n import t
from geo.register import Register

__all__ = ["current_actor", "sign_in_box", "signed_in_editor"]

S = st.session_state
log = logging.getLogger(__name__)


def _client() -> str | None:
    try:
        return st.context.ip_address
    except AttributeError:  # an older Streamlit, or no browser (AppTest)
        return None


def _oidc_user() -> Any:
    try:
        user = st.user
        return user if user.get("is_logged_in") else None
    except (AttributeError, KeyError):
        return None


def current_actor(reg: Register) -> Actor | None:
    """Return who is signed in, with the role the register gives the account now.

    An account removed meanwhile signs its sessions out; a single sign-on
    identity is mapped onto its account on every run.
    """
    actor: Actor | None = S.get("actor")
    modes = _modes()
    if actor is None and "oidc" in modes:
        user = _oidc_user()
        if user is not None:
            actor = actor_for_identity(reg, user.get("email"), user.get("name"))
    if actor is None:
        return None
    if actor.via == "oidc":
        return actor
    row = account(reg, actor.name)
    if row is None:
        S.pop("actor", None)
        return None
    actor = Actor(str(row["name"]), Role(str(row["role"])), actor.via)
    S["actor"] = actor
    return actor


def _modes() -> tuple[str, ...]:
    try:
        return settings.sign_in_modes()
    except settings.SettingError:
        return ("password",)


def _sign_in(reg: Register, lang: str) -> None:
    name = str(S.get("signin_name") or "").strip()
    password = str(S.get("signin_password") or "")
    S["signin_password"] = ""  # never kept in the session after the attempt
    try:
        S["actor"] = authenticate(reg, name, password, client=_client())
    except SignInFailed:
        S["_signin_failed"] = True
        log.info("a sign-in failed")  # never the name typed, never the password
    else:
        S.pop("_signin_failed", None)


def _sign_out() -> None:
    actor: Actor | None = S.pop("actor", None)
    for key in list(S.keys()):
        if str(key).startswith(("edit_", "_edit", "_drawn")):
            del S[key]
    if actor is not None and actor.via == "oidc":
        st.logout()


def sign_in_box(reg: Register, lang: str) -> Actor | None:
    """Draw the sidebar's sign-in (or who is signed in, and sign out); return the actor."""
    sb = st.sidebar
    actor = current_actor(reg)
    if actor is not None:
        sb.caption(t("account.signed_in", lang, name=actor.name,
                     role=t(f"role.{actor.role}", lang)))
        sb.button(t("account.sign_out", lang), key="sign_out", on_click=_sign_out)
        return actor
    modes = _modes()
    with sb.expander(t("account.sign_in", lang), expanded=bool(S.get("_signin_failed"))):
        st.caption(t("account.help", lang))
        if "password" in modes:
            st.text_input(t("account.name", lang), key="signin_name")
            st.text_input(t("account.password", lang), key="signin_password", type="password")
            st.button(t("account.submit", lang), key="signin_submit", on_click=_sign_in,
                      args=(reg, lang))
            if S.get("_signin_failed"):
                st.error(t("account.failed", lang))
        if "oidc" in modes:
            st.button(t("account.oidc", lang), key="signin_oidc", on_click=st.login)
    return None


def signed_in_editor(reg: Register, lang: str) -> Actor | None:
    """Who imports and undoes: the signed-in editor or admin, named on the page.

    None, with a word on how to sign in, when nobody is signed in or the account
    is a viewer's.
    """
    actor = current_actor(reg)
    if actor is None or not actor.can(Role.EDITOR):
        st.info(t("data.signin", lang))
        return None
    st.caption(md(f"{t('data.who', lang)}: {actor.name}"))
    return actor
