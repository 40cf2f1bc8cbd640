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
advisory lock (``pg_advisory_xact_lock``), so writers, in any process, are
serialised and :meth:`PostgisStore.update` reads and writes with no other
writer in between. Rows are replaced with ``DELETE`` and ``INSERT`` rather
than ``DROP`` or ``TRUNCATE``, so readers are never blocked and, under
MVCC, see either the old register or the new one. A read takes one
``REPEATABLE READ`` snapshot of all six tables.

Location: ``postgresql://user:password@host:port/dbname?schema=kcn_atlas``
(``postgresql+psycopg://`` is accepted too; ``schema`` is optional).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import URL, make_url

from geo.register import AUDIT_COLUMNS, Register, normalise_register
from geo.store import StoreError

__all__ = ["DEFAULT_SCHEMA", "PostgisStore", "is_postgis_location"]

DEFAULT_SCHEMA = "kcn_atlas"
SRID = 4326

_SPATIAL = ("zones", "projects", "plots")
_PLAIN = ("figures", "sources", "zone_values", "audit")
_TABLES = _SPATIAL + _PLAIN
_OPTIONAL = ("plots",)  # registers written before plots existed have no such table
_SCHEMES = ("postgresql", "postgresql+psycopg")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_VERSION_TABLE = "_version"

# Key of the advisory lock every writer takes ("KCNA" in ASCII).
_LOCK_KEY = 0x4B434E41


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

    def __init__(self, url: str | URL, schema: str | None = None) -> None:
        parsed = make_url(url)
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
        self._engine: Engine | None = None

    @property
    def description(self) -> str:
        shown = self.url.set(drivername="postgresql").render_as_string(hide_password=True)
        return f"{shown} (schema {self.schema})"

    @property
    def engine(self) -> Engine:
        """Return the engine, created on first use."""
        if self._engine is None:
            self._engine = sa.create_engine(self.url, pool_pre_ping=True)
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
            raise StoreError(f"cannot reach {self.description}: {exc}") from exc

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
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    return self._read(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self.description}: {exc}") from exc

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
            sql = f"SELECT * FROM {self._table(name)} ORDER BY _pos"  # noqa: S608
            tables[name] = pd.read_sql(sa.text(sql), conn).drop(columns="_pos")
        return normalise_register(Register(**tables))

    def version(self) -> str:
        """Return the token the last write stored (changes on every write)."""
        try:
            with self.engine.connect() as conn:
                row = conn.execute(sa.text(
                    f"SELECT v FROM {self._table(_VERSION_TABLE)}")).first()  # noqa: S608
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self.description}: {exc}") from exc
        return str(row[0]) if row else "0"

    # -- writing -----------------------------------------------------------

    def write(self, register: Register) -> None:
        register = normalise_register(register)
        try:
            with self.engine.begin() as conn:
                self._lock(conn)
                self._write(conn, register)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot write {self.description}: {exc}") from exc

    def update(self, change: Callable[[Register], Register]) -> Register:
        try:
            with self.engine.begin() as conn:
                self._lock(conn)
                new = normalise_register(change(self._read(conn)))
                self._write(conn, new)
                return new
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot update {self.description}: {exc}") from exc

    def _lock(self, conn: Connection) -> None:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})

    def _write(self, conn: Connection, register: Register) -> None:
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {_quote(self.schema)}"))
        for name in _TABLES:
            df: pd.DataFrame = getattr(register, name)
            if name == "audit" and df.empty:
                df = pd.DataFrame({c: pd.Series(dtype=object) for c in AUDIT_COLUMNS})
            _write_table(conn, self._table(name), df, spatial=name in _SPATIAL)
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


def _write_table(conn: Connection, table: str, df: pd.DataFrame, *, spatial: bool) -> None:
    """Create ``table`` if needed (or again if its columns changed) and replace its rows."""
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
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        conn.execute(sa.text(f"CREATE TABLE {table} ({cols_sql})"))
    else:
        conn.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608
    if df.empty:
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
    for pos in range(len(df)):
        row: dict[str, Any] = {"pos": pos}
        for i, col in enumerate(columns):
            row[f"c{i}"] = _value(col[pos])
        if spatial:
            row["geom"] = wkb[pos]
        rows.append(row)
    conn.execute(insert, rows)
