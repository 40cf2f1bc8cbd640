"""Every setting KCN Atlas reads from the environment, in one place, each with its help.

Code reads a setting through :func:`get` (or the typed helpers below), never
through ``os.environ`` directly, so that this list stays complete; a test
checks that each setting is documented in the README and that no other
``KCN_ATLAS_*`` variable is read anywhere.
"""

from __future__ import annotations

import getpass
import math
import os
from dataclasses import dataclass

__all__ = [
    "SETTINGS",
    "Setting",
    "SettingError",
    "get",
    "lock_timeout",
    "sign_in_modes",
    "user",
    "write_timeout",
]


class SettingError(ValueError):
    """A setting holds a value KCN Atlas cannot use."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default (as written) and what it does."""

    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "KCN_ATLAS_STORE", None,
        "Where the register lives: a GeoPackage path, or a PostGIS database "
        "`postgresql://user:password@host:5432/dbname?schema=kcn_atlas`. "
        "Default: the bundled `data/atlas.gpkg`, built on first use.",
    ),
    Setting(
        "KCN_ATLAS_USER", None,
        "The name the audit records for imports and undos made from the command line, "
        "and whose imports `undo-import` takes back by default. Default: the login name.",
    ),
    Setting(
        "KCN_ATLAS_PASSWORD", None,
        "The password of the account named by `--user` (or `KCN_ATLAS_USER`) for commands "
        "that write (`import`, `undo-import`, `set`, `user ...`), for scripts. Without it "
        "the password is read from standard input (never from an argument).",
    ),
    Setting(
        "KCN_ATLAS_SIGN_IN", "password",
        "How people sign in to the app: `password` (accounts in the register), `oidc` "
        "(single sign-on through Streamlit's `st.login`, configured in "
        "`.streamlit/secrets.toml`; the provider's e-mail maps to an account) or `both`.",
    ),
    Setting(
        "KCN_ATLAS_PUBLIC_URL", None,
        "The public address of the app (`https://atlas.example.vn/`) that share links and "
        "QR codes use, when it is served behind a proxy under another name. Default: the "
        "address the browser opened.",
    ),
    Setting(
        "KCN_ATLAS_LOCK_TIMEOUT", "60",
        "Seconds a writer waits for the write lock before it gives up with a message "
        "naming the holder (process, host, user, since when). A waiting writer says so.",
    ),
    Setting(
        "KCN_ATLAS_WRITE_TIMEOUT", "600",
        "Seconds one write may take on PostGIS (statement timeout, and idle time inside "
        "the write's transaction): the server ends a stalled writer's session after this, "
        "rolling it back and releasing the lock for the next writer.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str | None:
    """Return the value of setting ``name`` (its default when unset or empty).

    Raises
    ------
    KeyError
        If ``name`` is not in :data:`SETTINGS`: every setting must be listed there.
    """
    setting = _BY_NAME[name]
    return os.environ.get(name) or setting.default


def _seconds(name: str) -> float:
    text = get(name)
    try:
        value = float(text or "")
    except ValueError:
        raise SettingError(f"{name} must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise SettingError(f"{name} must be a number of seconds >= 0, not {text!r}")
    return value


def lock_timeout() -> float:
    """Seconds a writer waits for the write lock (``KCN_ATLAS_LOCK_TIMEOUT``)."""
    return _seconds("KCN_ATLAS_LOCK_TIMEOUT")


def write_timeout() -> float:
    """Seconds one PostGIS write may take (``KCN_ATLAS_WRITE_TIMEOUT``)."""
    return _seconds("KCN_ATLAS_WRITE_TIMEOUT")


def user() -> str:
    """The person the command line acts for (``KCN_ATLAS_USER``, else the login name)."""
    name = (get("KCN_ATLAS_USER") or "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container with an unknown uid)
        return f"uid {os.getuid()}"


def sign_in_modes() -> tuple[str, ...]:
    """The app's ways of signing in (``KCN_ATLAS_SIGN_IN``): ``password``, ``oidc`` or both."""
    text = (get("KCN_ATLAS_SIGN_IN") or "password").strip().lower()
    modes = {"password": ("password",), "oidc": ("oidc",), "both": ("password", "oidc")}
    if text not in modes:
        raise SettingError(f"KCN_ATLAS_SIGN_IN must be password, oidc or both, not {text!r}")
    return modes[text]
