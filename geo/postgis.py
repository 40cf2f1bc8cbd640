"""The register in a PostGIS database.

Each table of the register is one table in a schema (``kcn_atlas`` by
default): ``zones`` and ``projects`` with a ``geometry(Geometry, 4326)``
column that takes any geometry type, ``figures``, ``sources``, ``zone_values``
and ``audit``. Every column is ``text`` except the numeric ones (``double
precision``); a hidden ``_pos`` column keeps the row order (the audit trail is
not sorted).

Geometries are written as WKB with ``ST_GeomFromEWKB`` and read with
:func:`geopandas.read_postgis`, so GeoAlchemy2 (which
:meth:`geopandas.GeoDataFrame.to_postgis` needs) is not a dependency; that
also keeps the DDL, the column types and the transaction in our hands.

Every write happens in one transaction that first takes a transaction-level
advisory lock (``pg_advisory_xact_lock``, one per schema), so writers, in any
process, are serialised and :meth:`PostgisStore.update` reads and writes with
no other writer in between. A writer that finds the lock taken says whom it
waits for (the holder's session names its process, host and user in
``application_name``) and gives up after ``KCN_ATLAS_LOCK_TIMEOUT`` seconds
(``lock_timeout``) with a message naming the holder. Once it holds the lock,
its statements and its idle time inside the transaction are limited by
``KCN_ATLAS_WRITE_TIMEOUT`` (``statement_timeout`` and
``idle_in_transaction_session_timeout``): a writer that stalls while holding
the lock (a stopped process) has its session ended by the server, which rolls
its transaction back and frees the lock for the next writer. A writer killed
outright loses its connection, with the same effect.

Rows are replaced with ``DELETE`` and ``INSERT`` rather than ``DROP`` or
``TRUNCATE``, so readers are never blocked and, under MVCC, see either the
old register or the new one. A read takes one ``REPEATABLE READ`` snapshot of
all six tables and the version token.

The map's plot tiles come from PostGIS itself (:meth:`PostgisStore.plot_tile`,
``ST_AsMVT`` over a GiST index on each geometry column), read in the same
transaction as the version token, so a tile never mixes two versions.

Location: ``postgresql://user:password@host:port/dbname?schema=kcn_atlas``
(``postgresql+psycopg://`` is accepted too; ``schema`` is optional). It is
parsed by :func:`geo.dburl.parse`, so a password holding ``@`` or given as
``?password=`` works, and every message shows it masked.
"""

from __future__ import annotations

import logging
import re
import uuid
import zlib
from collections.abc import Callable, Collection
from datetime import UTC
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import URL

from geo import dburl, settings
from geo.errors import LockTimeout, StoreError
from geo.lock import Holder, timeout_message, waiting_message
from geo.mapdata import PLOT_STATUS_CODES
from geo.register import AUDIT_COLUMNS, Register, empty_table, normalise_register
from geo.schema import HISTORY_COLUMNS, USER_COLUMNS
from geo.store import Snapshot, _check_version, check_text
from geo.tiles import BUFFER, EXTENT, check_tile

__all__ = ["DEFAULT_SCHEMA", "PostgisStore", "is_postgis_location"]

log = logging.getLogger(__name__)

DEFAULT_SCHEMA = "kcn_atlas"
SRID = 4326

_SPATIAL = ("zones", "projects", "plots")
_PLAIN = ("figures", "sources", "zone_values", "audit", "users", "history")
_TABLES = _SPATIAL + _PLAIN
_APPEND_ONLY = ("audit", "history")  # rows are only ever added (undo adds an entry too)
# Registers written before plots, accounts and history existed have no such tables.
_OPTIONAL = ("plots", "users", "history")
_EMPTY_COLUMNS = {"audit": AUDIT_COLUMNS, "users": USER_COLUMNS, "history": HISTORY_COLUMNS}
_SCHEMES = ("postgresql", "postgresql+psycopg")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_VERSION_TABLE = "_version"

# First key of the advisory lock every writer takes ("KCNA" in ASCII); the second is
# the schema's, so that registers in two schemas of one database never wait on each other.
_LOCK_KEY = 0x4B434E41
_LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of a lock_timeout
_APP_PREFIX = "kcn-atlas"


def is_postgis_location(location: str) -> bool:
    """Tell whether ``location`` is a PostgreSQL URL."""
    return location.split("://", 1)[0] in _SCHEMES if "://" in location else False


def _quote(name: str) -> str:
    if not _IDENT.match(name):
        raise StoreError(f"not a plain SQL name: {name!r}")
    return f'"{name}"'


class PostgisStore:
    """The register in a PostGIS schema.

    Parameters
    ----------
    url
        ``postgresql://user:password@host:port/dbname``, optionally with
        ``?schema=name``; ``postgresql+psycopg://`` works too.
    schema
        Schema holding the tables; overrides ``?schema=``. Default
        ``kcn_atlas``.
    """

    def __init__(self, url: str | URL, schema: str | None = None, *,
                 lock_timeout: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> None:
        raw = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
        parsed = url if isinstance(url, URL) else dburl.parse(raw)
        if parsed.drivername not in _SCHEMES:
            raise StoreError(f"not a PostgreSQL URL: {parsed.drivername}://…")
        from_query = parsed.query.get("schema")
        if isinstance(from_query, tuple):
            from_query = from_query[-1]
        self.schema = schema or from_query or DEFAULT_SCHEMA
        _quote(self.schema)
        self.url = parsed.difference_update_query(["schema"]).set(
            drivername="postgresql+psycopg"
        )
        # Everything secret that was written, to keep it out of every message.
        self._raw = raw
        self._secrets = [v for v in (parsed.password, *(
            parsed.query.get(k) for k in dburl.SECRET_KEYS)) if isinstance(v, str) and v]
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait
        self._lock_keys = {"a": _LOCK_KEY, "b": zlib.crc32(self.schema.encode()) & 0x7FFFFFFF}
        self._engine: Engine | None = None

    @property
    def description(self) -> str:
        shown = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return f"{self._scrub(shown)} (schema {self.schema})"

    def _scrub(self, text: str) -> str:
        """Return ``text`` with every form of the password masked."""
        out = dburl.scrub(text, self._raw)
        for secret in self._secrets:
            out = out.replace(secret, dburl.MASK)
        return dburl.mask(out) if "://" in out else out

    def _error(self, verb: str, exc: BaseException) -> StoreError:
        return StoreError(f"cannot {verb} {self.description}: {self._scrub(str(exc))}")

    @property
    def engine(self) -> Engine:
        """Return the engine, created on first use."""
        if self._engine is None:
            me = Holder.me()
            # Waiting writers read this to say who holds the lock (at most 63 bytes).
            name = f"{_APP_PREFIX}:{me.pid}:{me.host}:{me.user}".encode()[:63]
            self._engine = sa.create_engine(
                self.url, pool_pre_ping=True,
                connect_args={"application_name": name.decode("utf-8", errors="ignore")},
            )
        return self._engine

    def dispose(self) -> None:
        """Close the pooled connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _table(self, name: str) -> str:
        return f"{_quote(self.schema)}.{_quote(name)}"

    # -- reading -----------------------------------------------------------

    def exists(self) -> bool:
        """Tell whether the schema holds every table of a register."""
        try:
            with self.engine.connect() as conn:
                return not self._missing(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise self._error("reach", exc) from None

    def _missing(self, conn: Connection) -> list[str]:
        found = set(
            conn.execute(
                sa.text("SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = :s"),
                {"s": self.schema},
            ).scalars()
        )
        return sorted(set(_TABLES) - found)

    def read(self) -> Register:
        return self.snapshot().register

    def snapshot(self) -> Snapshot:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    # A writer that replaces a table's columns holds it exclusively:
                    # wait for it no longer than a writer would.
                    self._set(conn, lock_timeout=self._lock_timeout())
                    register = self._read(conn)
                    return Snapshot(register, self._version(conn))
        except sa.exc.SQLAlchemyError as exc:
            raise self._error("read", exc) from None

    def _read(self, conn: Connection) -> Register:
        missing = self._missing(conn)
        if len(missing) == len(_TABLES):
            raise StoreError(
                f"no register at {self.description}; write one with "
                "PostgisStore(url).write(read_source_dir())"
            )
        required = [m for m in missing if m not in _OPTIONAL]
        if required:
            raise StoreError(f"{self.description} is not a KCN Atlas register: no {required}")
        tables: dict[str, pd.DataFrame] = {}
        for name in _SPATIAL:
            if name in missing:
                continue
            sql = f"SELECT * FROM {self._table(name)} ORDER BY _pos"  # noqa: S608
            gdf = gpd.read_postgis(sa.text(sql), conn, geom_col="geometry", crs=f"EPSG:{SRID}")
            tables[name] = gdf.drop(columns="_pos")
        for name in _PLAIN:
            if name in missing:
                continue
            sql = f"SELECT * FROM {self._table(name)} ORDER BY _pos"  # noqa: S608
            tables[name] = pd.read_sql(sa.text(sql), conn).drop(columns="_pos")
        return normalise_register(Register(**tables))

    def version(self) -> str:
        """Return the token the last write stored (changes on every write)."""
        try:
            with self.engine.connect() as conn:
                return self._version(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise self._error("read", exc) from None

    def _version(self, conn: Connection) -> str:
        table = self._table(_VERSION_TABLE)
        if conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
            return "0"
        row = conn.execute(sa.text(f"SELECT v FROM {table}")).first()  # noqa: S608
        return str(row[0]) if row else "0"

    # -- vector tiles --------------------------------------------------------

    def plot_tile(self, z: int, x: int, y: int, version: str) -> bytes | None:
        """Return tile ``z/x/y`` of the plots as PostGIS encodes it (``ST_AsMVT``).

        One layer, ``plots``, with the properties of the in-memory tiles
        (:func:`geo.mapdata.data_tile_layers`): ``id``, ``c`` (code), ``s``
        (status letter), ``a`` (declared else measured area, ha, 2 decimals;
        absent when unknown) and ``zi`` (the zone's row in the register, -1 if
        none). Geometries are clipped to the tile plus :data:`geo.tiles.BUFFER`
        and quantised to :data:`geo.tiles.EXTENT` units.

        Returns ``b""`` for a tile with no plot, and None when the store no
        longer holds ``version`` (a write landed since) or has no plots table.

        Raises
        ------
        geo.tiles.TileRequestError
            If ``z/x/y`` is not a tile of the quad tree.
        StoreError
            If the database cannot be read.
        """
        check_tile(z, x, y)
        status = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in PLOT_STATUS_CODES.items())
        plots, zones = self._table("plots"), self._table("zones")
        # The envelope (in the tiles' own CRS, Web Mercator) with the buffer as margin;
        # the index test runs on it brought back to the table's CRS.
        sql = f"""
            WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
                                ST_TileEnvelope(:z, :x, :y, margin => :margin) AS wide),
                 zi AS (SELECT id, (row_number() OVER (ORDER BY _pos) - 1)::int AS zi
                        FROM {zones}),
                 mvt AS (
                   SELECT ST_AsMVTGeom(ST_Transform(p.geometry, ST_SRID(env.tile)), env.tile,
                                       {EXTENT}, {BUFFER}, true) AS geom,
                          p.id, p.code AS c,
                          CASE p.status {status} ELSE '?' END AS s,
                          round(coalesce(p.area_declared_ha::text::float8,
                                         p.area_measured_ha::text::float8)::numeric, 2
                                )::float8 AS a,
                          coalesce(zi.zi, -1) AS zi
                   FROM {plots} p CROSS JOIN env LEFT JOIN zi ON zi.id = p.zone_id
                   WHERE p.geometry && ST_Transform(env.wide, {SRID}))
            SELECT ST_AsMVT(mvt, 'plots', {EXTENT}, 'geom') FROM mvt WHERE geom IS NOT NULL
        """  # noqa: S608 (names are checked by _quote, values are bound)
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    if self._version(conn) != version or "plots" in self._missing(conn):
                        return None
                    body = conn.execute(sa.text(sql), {"z": z, "x": x, "y": y,
                                                       "margin": BUFFER / EXTENT}).scalar()
        except sa.exc.SQLAlchemyError as exc:
            raise self._error("read", exc) from None
        return bytes(body or b"")

    # -- the write lock ----------------------------------------------------

    def _lock_timeout(self) -> float:
        return settings.lock_timeout() if self.lock_timeout is None else self.lock_timeout

    @staticmethod
    def _set(conn: Connection, **seconds: float) -> None:
        """Set timeouts (in seconds) for the rest of the transaction; 0 means none."""
        for name, value in seconds.items():
            conn.execute(sa.text("SELECT set_config(:n, :v, true)"),
                         {"n": name, "v": str(int(value * 1000))})

    def lock_holder(self) -> Holder | None:
        """Return who holds this schema's write lock now (None when it is free)."""
        sql = sa.text(
            "SELECT a.pid, a.usename, a.application_name, host(a.client_addr), a.xact_start, "
            "a.state FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
            "AND l.classid = CAST(:a AS oid) AND l.objid = CAST(:b AS oid)")
        try:
            with self.engine.connect() as conn:
                row = conn.execute(sql, self._lock_keys).first()
        except sa.exc.SQLAlchemyError as exc:
            raise self._error("read", exc) from None
        if row is None:
            return None
        backend, role, app, client, since, state = row
        detail = f"PostgreSQL session {backend}" + (f", {state}" if state else "")
        when = since.astimezone(UTC).replace(microsecond=0).isoformat() if since else None
        parts = (app or "").split(":", 3)
        if len(parts) == 4 and parts[0] == _APP_PREFIX and parts[1].isdigit():
            return Holder(pid=int(parts[1]), host=parts[2], user=parts[3], since=when,
                          detail=detail)
        return Holder(host=client, user=role, since=when,
                      detail=detail + (f", application {app!r}" if app else ""))

    def _take_lock(self, conn: Connection) -> None:
        """Take the write lock in this transaction, waiting up to the lock timeout."""
        got = conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:a, :b)"),
                           self._lock_keys).scalar()
        if not got:
            timeout = self._lock_timeout()
            holder = self.lock_holder()
            if timeout <= 0:
                raise LockTimeout(timeout_message(self.description, timeout, holder), holder)
            (self.on_wait or log.warning)(waiting_message(self.description, timeout, holder))
            self._set(conn, lock_timeout=timeout)
            try:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:a, :b)"), self._lock_keys)
            except sa.exc.OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                    raise
                holder = self.lock_holder() or holder
                raise LockTimeout(timeout_message(self.description, timeout, holder),
                                  holder) from None
        # A writer that stalls from here on is ended by the server after the write timeout.
        limit = settings.write_timeout()
        self._set(conn, lock_timeout=limit, statement_timeout=limit,
                  idle_in_transaction_session_timeout=limit)

    # -- writing -----------------------------------------------------------

    def write(self, register: Register) -> None:
        register = normalise_register(register)
        check_text(register)
        try:
            with self.engine.begin() as conn:
                self._take_lock(conn)
                self._write(conn, register)
        except sa.exc.SQLAlchemyError as exc:
            raise self._error("write", exc) from None

    def update(self, change: Callable[[Register], Register], *,
               expect_version: str | None = None) -> Register:
        try:
            with self.engine.begin() as conn:
                self._take_lock(conn)
                before = self._read(conn)
                _check_version(expect_version, self._version(conn), self.description)
                new = change(before)
                if new is before:
                    return new
                # A change hands back the tables it did not touch as they were read: those
                # are not written again (an edit of one zone does not rewrite 200,000 plots).
                kept = {name for name in _TABLES if getattr(new, name) is getattr(before, name)}
                new = normalise_register(new)
                check_text(new)
                self._write(conn, new, kept=kept, before=before)
                return new
        except sa.exc.SQLAlchemyError as exc:
            raise self._error("update", exc) from None

    def _write(self, conn: Connection, register: Register, *,
               kept: Collection[str] = (), before: Register | None = None) -> None:
        """Write the register's tables but those in ``kept`` (unchanged since ``before``).

        An append-only table (audit, history) that only grew since ``before`` gets
        its new rows appended rather than all rows written again.
        """
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {_quote(self.schema)}"))
        for name in _TABLES:
            if name in kept:
                continue
            df: pd.DataFrame = getattr(register, name)
            if name in _EMPTY_COLUMNS and df.empty:
                df = empty_table(_EMPTY_COLUMNS[name])
            start = 0
            if before is not None and name in _APPEND_ONLY:
                start = _grown_from(getattr(before, name), df)
            _write_table(conn, self._table(name), df, spatial=name in _SPATIAL, start=start)
        # A new token in the same transaction tells readers' caches the register changed.
        table = self._table(_VERSION_TABLE)
        conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {table} (v text)"))
        conn.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (:v)"),  # noqa: S608
                     {"v": uuid.uuid4().hex})


def _column_type(series: pd.Series) -> str:
    return "double precision" if pd.api.types.is_float_dtype(series) else "text"


def _value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and v != v:  # NaN
        return None
    return v


def _grown_from(old: pd.DataFrame, new: pd.DataFrame) -> int:
    """How many rows ``new`` shares with ``old`` at its start, when it only appended to it.

    0 when ``new`` differs otherwise (rows changed or removed, other columns).
    """
    n = len(old)
    if n == 0 or len(new) < n or list(old.columns) != list(new.columns):
        return 0
    head = new.iloc[:n].reset_index(drop=True)
    return n if head.astype(object).equals(old.reset_index(drop=True).astype(object)) else 0


def _write_table(conn: Connection, table: str, df: pd.DataFrame, *, spatial: bool,
                 start: int = 0) -> None:
    """Create ``table`` if needed (or again if its columns changed) and replace its rows.

    With ``start``, the table already holds the frame's first ``start`` rows: only the
    rows after them are inserted (when its columns are still the frame's).
    """
    attrs = [c for c in df.columns if c != "geometry"] if spatial else list(df.columns)
    wanted = [("_pos", "integer")] + [(c, _column_type(df[c])) for c in attrs]
    if spatial:
        wanted.append(("geometry", f"geometry(Geometry,{SRID})"))
    cols_sql = ", ".join(f"{_quote(c)} {t}" for c, t in wanted)
    have = conn.execute(
        sa.text("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = to_regclass(:t) AND attnum > 0 AND NOT attisdropped "
                "ORDER BY attnum"),
        {"t": table},
    ).all()
    if [tuple(r) for r in have] != wanted:
        start = 0
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        conn.execute(sa.text(f"CREATE TABLE {table} ({cols_sql})"))
        if spatial:  # tiles and bounding-box queries find their rows through it
            conn.execute(sa.text(f"CREATE INDEX ON {table} USING GIST (geometry)"))
    elif start == 0:
        conn.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608
    if len(df) <= start:
        return
    params = [f":c{i}" for i in range(len(attrs))]
    names = ["_pos", *attrs]
    values = [":pos", *params]
    if spatial:
        names.append("geometry")
        values.append(f"ST_SetSRID(ST_GeomFromEWKB(:geom), {SRID})")
    insert = sa.text(
        f"INSERT INTO {table} ({', '.join(_quote(c) for c in names)}) "  # noqa: S608
        f"VALUES ({', '.join(values)})"
    )
    columns = [df[c].tolist() for c in attrs]
    wkb: list[bytes | None] = []
    if spatial:
        geoms = df.geometry.values
        raw = shapely.to_wkb(geoms, include_srid=False)
        wkb = [None if g is None or shapely.is_empty(g) else bytes(b)
               for g, b in zip(geoms, raw, strict=True)]
    rows = []
    for pos in range(start, len(df)):
        row: dict[str, Any] = {"pos": pos}
        for i, col in enumerate(columns):
            row[f"c{i}"] = _value(col[pos])
        if spatial:
            row["geom"] = wkb[pos]
        rows.append(row)
    conn.execute(insert, rows)
