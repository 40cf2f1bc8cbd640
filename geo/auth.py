"""Accounts, sign-in and roles: who may change the register.

Accounts live in the register's ``users`` table (the GeoPackage, or PostGIS for
a team): a name, a role and an argon2 hash of the password (argon2-cffi's
defaults: argon2id, 64 MiB, 3 passes). A password is never stored, logged or
put in a message; a failed sign-in says only that it failed, whether the name
or the password was wrong. Repeated failures are slowed down, per account and
per client (see :class:`Throttle`).

Roles, weakest first:

- ``viewer``: reads (anyone, signed in or not);
- ``editor``: edits zones, projects and their values, imports, draws
  boundaries, undoes their own changes;
- ``admin``: everything an editor can, plus managing accounts, deleting
  zones and undoing anyone's change.

:func:`require` is the one role check; the unit of work (:mod:`geo.edit`)
calls it for every write, against the ``users`` table of the register being
written (so an account removed or demoted meanwhile can no longer write),
whatever calls it: the app, the importer or the command line.

With single sign-on (Streamlit's ``st.login``, OpenID Connect) the provider
vouches for an e-mail address; :func:`actor_for_identity` maps it onto an
account through the ``email`` column. An identity no account names is a viewer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.register import Register
from geo.schema import USER_COLUMNS
from geo.text import nfc

__all__ = [
    "Actor",
    "NotSignedIn",
    "PermissionDenied",
    "Role",
    "SignInFailed",
    "THROTTLE",
    "Throttle",
    "UserError",
    "account",
    "actor_for_identity",
    "authenticate",
    "hash_password",
    "remove_user",
    "require",
    "set_role",
    "upsert_user",
    "users",
]

_HASHER = PasswordHasher()
# Compared against when the account does not exist, so that a wrong name takes as long as
# a wrong password and the answer tells nothing about which accounts exist.
_DUMMY_HASH = _HASHER.hash("kcn-atlas: no such account")
MIN_PASSWORD = 8
MAX_NAME = 64


class Role(StrEnum):
    """What an account may do, weakest first."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """The role's strength (viewer 0, editor 1, admin 2)."""
        return list(Role).index(self)


class PermissionDenied(PermissionError):
    """The caller's role does not allow this write."""


class NotSignedIn(PermissionDenied):
    """A write was asked for with no signed-in person."""


class SignInFailed(PermissionError):
    """A sign-in failed. The message never says whether the name or the password was wrong."""

    def __init__(self) -> None:
        super().__init__("sign-in failed")


class UserError(ValueError):
    """An account cannot be made or changed as asked (bad name, short password...)."""


@dataclass(frozen=True)
class Actor:
    """A signed-in person: the account name, and the role it had when signing in.

    The role is only a hint for the page (which buttons to show): every write
    checks the account's role in the register it writes (:func:`require`).
    """

    name: str
    role: Role = Role.VIEWER
    via: str = "password"  # or "oidc", "bootstrap"

    def can(self, role: Role) -> bool:
        """Tell whether the role (as of sign-in) is at least ``role``."""
        return self.role.rank >= role.rank


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _key(name: str) -> str:
    return nfc(name).strip().casefold()


def users(register: Register) -> pd.DataFrame:
    """Return the accounts: name, role, e-mail and dates, never the password hashes."""
    return register.users.drop(columns=["password_hash"]).reset_index(drop=True)


def account(register: Register, name: str) -> dict[str, str | None] | None:
    """Return the account of ``name`` (matched without case), or None."""
    key = _key(name)
    for row in register.users.to_dict("records"):
        if _key(str(row["name"])) == key:
            return row
    return None


def require(register: Register, actor: Actor | None, role: Role, what: str) -> Actor:
    """Check that ``actor`` may do ``what``, by the role its account has in ``register``.

    Returns the actor with the role the register gives it.

    Raises
    ------
    NotSignedIn
        If nobody is signed in.
    PermissionDenied
        If the account does not exist (any more) or its role is too weak.
    """
    if actor is None:
        raise NotSignedIn(f"sign in to {what}: only an {role} may")
    row = account(register, actor.name)
    if row is None:
        raise PermissionDenied(f"{actor.name} has no account here any more; cannot {what}")
    have = Role(str(row["role"]))
    if have.rank < role.rank:
        raise PermissionDenied(f"{row['name']} is a {have}: only an {role} may {what}")
    return replace(actor, name=str(row["name"]), role=have)


class Throttle:
    """Slows down repeated failed sign-ins, per account and per client.

    After ``free`` failures in a row for a key, each further attempt with that
    key waits ``base * 2**(n - free)`` seconds (at most ``cap``) before it is
    answered, success or not. A success clears the account's count. Failures
    are forgotten after ``forget`` seconds. Counts are kept in this process
    (the app's server, or one command line run).
    """

    def __init__(self, *, free: int = 3, base: float = 1.0, cap: float = 30.0,
                 forget: float = 900.0, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap, self.forget = free, base, cap, forget
        self.sleep, self.clock = sleep, clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _count(self, key: str) -> int:
        n, last = self._failures.get(key, (0, 0.0))
        if n and self.clock() - last > self.forget:
            self._failures.pop(key, None)
            return 0
        return n

    def delay(self, *keys: str) -> float:
        """Seconds the next attempt with these keys waits."""
        with self._lock:
            worst = max((self._count(k) for k in keys if k), default=0)
        if worst < self.free:
            return 0.0
        return float(min(self.cap, self.base * 2 ** (worst - self.free)))

    def failed(self, *keys: str) -> None:
        """Count a failure against each key."""
        with self._lock:
            for k in keys:
                if k:
                    self._failures[k] = (self._count(k) + 1, self.clock())

    def succeeded(self, key: str) -> None:
        """Clear the account's count."""
        with self._lock:
            self._failures.pop(key, None)


THROTTLE = Throttle()


def authenticate(register: Register, name: str, password: str, *, client: str | None = None,
                 throttle: Throttle | None = None) -> Actor:
    """Check a name and password against the register's accounts; return the actor.

    Parameters
    ----------
    client
        Where the attempt comes from (the browser's address), for the slow-down.

    Raises
    ------
    SignInFailed
        Whatever was wrong: the message is the same for an unknown name, a wrong
        password or an account without one (single sign-on only).
    """
    throttle = THROTTLE if throttle is None else throttle
    user_key = f"user:{_key(name)}"
    client_key = f"client:{client}" if client else ""
    wait = throttle.delay(user_key, client_key)
    if wait:
        throttle.sleep(wait)
    row = account(register, name) if name.strip() else None
    stored = str(row["password_hash"] or "") if row is not None else ""
    try:
        _HASHER.verify(stored or _DUMMY_HASH, password)
        ok = bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        throttle.failed(user_key, client_key)
        raise SignInFailed()
    throttle.succeeded(user_key)
    return Actor(str(row["name"]), Role(str(row["role"])))


def actor_for_identity(register: Register, email: str | None, name: str | None = None) -> Actor:
    """Map a single sign-on identity onto an account (by e-mail); unknown identities view.

    The provider vouches for the e-mail address; the account holding it in its
    ``email`` column gives the name and role. Without one, the person is a
    viewer known by the provider's name or address.
    """
    key = _key(email or "")
    if key:
        for row in register.users.to_dict("records"):
            if _key(str(row["email"] or "")) == key:
                return Actor(str(row["name"]), Role(str(row["role"])), via="oidc")
    return Actor(name or email or "?", Role.VIEWER, via="oidc")


def hash_password(password: str) -> str:
    """Return the argon2 hash of a password (refusing one shorter than 8 characters)."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def _check_name(name: str) -> str:
    name = nfc(name).strip()
    if not name or len(name) > MAX_NAME or any(c in name for c in "\x00\n\r\t"):
        raise UserError(f"an account name is 1–{MAX_NAME} characters on one line")
    return name


def upsert_user(register: Register, name: str, role: Role | str, *, by: str,
                password: str | None = None, email: str | None = None) -> Register:
    """Return the register with the account added (or its role, password, e-mail changed).

    A pure change: the unit of work (:func:`geo.edit.manage_users`) checks
    that ``by`` is an admin and records it in the history.
    """
    name = _check_name(name)
    role = Role(role)
    frame = register.users.copy()
    row = account(register, name)
    now = _now()
    record = dict(row) if row is not None else {c: None for c in USER_COLUMNS} | {
        "name": name, "created_at": now, "created_by": by}
    record["role"] = role.value
    record["updated_at"] = now
    if password is not None:
        record["password_hash"] = hash_password(password)
    if email is not None:
        record["email"] = email.strip() or None
    if row is not None:
        frame = frame[frame["name"] != row["name"]]
    frame = pd.concat([frame, pd.DataFrame([record])[USER_COLUMNS]], ignore_index=True)
    return replace(register, users=frame)


def set_role(register: Register, name: str, role: Role | str, *, by: str) -> Register:
    """Return the register with the account's role changed."""
    row = account(register, name)
    if row is None:
        raise UserError(f"no account named {name!r}")
    return upsert_user(register, str(row["name"]), role, by=by)


def remove_user(register: Register, name: str) -> Register:
    """Return the register without the account (its changes stay in the history)."""
    row = account(register, name)
    if row is None:
        raise UserError(f"no account named {name!r}")
    return replace(register, users=register.users[register.users["name"] != row["name"]])
