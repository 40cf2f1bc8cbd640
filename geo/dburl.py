"""PostgreSQL addresses: parsed by SQLAlchemy, shown only with the password masked.

People write addresses in many forms, and each can leak the password into a
message if it is shown as written: ``postgresql://user:pw@host/db``,
``postgresql://user@host/db?password=pw`` (libpq takes the password from the
query too), a password holding an unescaped ``@`` (SQLAlchemy alone would read
``user:p`` and the host ``ss@host``, and show ``ss``), or a non-numeric port
(SQLAlchemy raises ``ValueError`` with no word of where).

:func:`parse` reads any of these into a SQLAlchemy :class:`~sqlalchemy.engine.URL`
or raises :class:`geo.errors.StoreError` with a masked address;
:func:`mask` shows any address, even a malformed one, with every secret
replaced by ``***``; :func:`scrub` removes an address's secrets from any text
(an error message from the driver, for example).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from geo.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine.url import URL

__all__ = ["MASK", "SECRET_KEYS", "mask", "parse", "scrub"]

MASK = "***"
# Query parameters libpq and psycopg read secrets from.
SECRET_KEYS = frozenset({"password", "sslpassword", "sslkey_password"})

# scheme://[user[:password]@]host[:port][/database][?query]. The password may hold
# any character, "@" included: the userinfo ends at the last "@" that is followed
# by a host and then "/" (or the end).
_WITH_PATH = re.compile(
    r"^(?P<scheme>[A-Za-z][\w+.-]*)://(?:(?P<user>[^:@/?]*)(?::(?P<password>.*))?@)?"
    r"(?P<hostport>[^@/?]*)(?P<path>/[^?]*)(?P<query>\?.*)?$",
    re.DOTALL,
)
_WITHOUT_PATH = re.compile(
    r"^(?P<scheme>[A-Za-z][\w+.-]*)://(?:(?P<user>[^:@/?]*)(?::(?P<password>.*))?@)?"
    r"(?P<hostport>[^@/?]*)(?P<path>)(?P<query>\?.*)?$",
    re.DOTALL,
)
_QUERY_SECRET = re.compile(
    r"(?P<key>(?:^|[?&;])(?:" + "|".join(sorted(SECRET_KEYS)) + r")=)(?P<value>[^&;#]*)",
    re.IGNORECASE,
)


def _split(text: str) -> re.Match[str] | None:
    # Prefer the reading where the host is followed by "/database": a query
    # holding "@" then cannot pass for the host.
    return _WITH_PATH.match(text) or _WITHOUT_PATH.match(text)


def mask(text: str) -> str:
    """Return the address with its password (in the userinfo or the query) as ``***``.

    Never raises, whatever the text.

    >>> mask("postgresql://me:p@ss@db.local:5432/atlas?password=x&schema=s")
    'postgresql://me:***@db.local:5432/atlas?password=***&schema=s'
    """
    text = str(text)
    m = _split(text)
    if m is None:
        # Not an address we can read: hide anything between "://" and the last "@".
        head, sep, tail = text.partition("://")
        if sep and "@" in tail:
            tail = MASK + "@" + tail.rsplit("@", 1)[1]
        return _QUERY_SECRET.sub(lambda q: q.group("key") + MASK, head + sep + tail)
    user = m.group("user")
    auth = ""
    if user is not None:
        auth = user + (":" + MASK if m.group("password") is not None else "") + "@"
    query = _QUERY_SECRET.sub(lambda q: q.group("key") + MASK, m.group("query") or "")
    return f"{m.group('scheme')}://{auth}{m.group('hostport')}{m.group('path') or ''}{query}"


def _secrets(text: str) -> list[str]:
    """The secret values written in an address, in every form they may be echoed."""
    found: list[str] = []
    m = _split(text)
    if m and m.group("password"):
        found.append(m.group("password"))
    for q in _QUERY_SECRET.finditer(text):
        if q.group("value"):
            found.append(q.group("value"))
    out: list[str] = []
    for value in found:
        for form in (value, unquote(value), quote(unquote(value), safe="")):
            if form and form not in out:
                out.append(form)
    return sorted(out, key=len, reverse=True)  # longest first: no half-masked secret


def scrub(message: str, address: str) -> str:
    """Return ``message`` with the secrets of ``address`` replaced by ``***``.

    The address itself, wherever it appears in the message, is shown masked.
    """
    out = str(message).replace(address, mask(address))
    for secret in _secrets(address):
        out = out.replace(secret, MASK)
    return out


def parse(text: str) -> URL:
    """Read a PostgreSQL address, whatever form it is written in.

    Raises
    ------
    geo.errors.StoreError
        If the address cannot be read (a non-numeric port, say); the message
        shows the address masked.
    """
    from sqlalchemy.engine.url import make_url  # SQLAlchemy only for PostGIS stores

    m = _split(text)
    if m is None:
        raise StoreError(f"cannot read the database address {mask(text)}: expected "
                         "postgresql://user:password@host:port/dbname")
    hostport = m.group("hostport")
    port = hostport.rsplit(":", 1)[1] if ":" in hostport and not hostport.endswith("]") else ""
    if port and not port.isdigit():
        raise StoreError(f"the port in the database address {mask(text)} must be a number, "
                         f"not {port!r}")
    if port and not 0 < int(port) < 65536:
        raise StoreError(f"the port in the database address {mask(text)} must be between "
                         f"1 and 65535, not {port}")
    auth = ""
    if m.group("user") is not None:
        # Escape what the user left unescaped ("@", "/", "?", ":" in a password);
        # what was already escaped stays as it was meant.
        auth = quote(unquote(m.group("user")), safe="")
        if m.group("password") is not None:
            auth += ":" + quote(unquote(m.group("password")), safe="")
        auth += "@"
    rebuilt = (f"{m.group('scheme')}://{auth}{hostport}{m.group('path') or ''}"
               f"{m.group('query') or ''}")
    try:
        return make_url(rebuilt)
    except (ValueError, TypeError) as exc:
        raise StoreError(f"cannot read the database address {mask(text)}: "
                         f"{scrub(str(exc), text)}") from None
