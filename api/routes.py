"""The app's data endpoints, beside the Streamlit pages (Starlette routes of ``st.App``).

| route | what |
|---|---|
| ``/api/v1/map/{key}/features.json`` | one register version's zones and projects, for the map |
| ``/api/v1/map/{key}/{z}/{x}/{y}.mvt`` | vector tiles of one version's plots and plot summaries |
| ``/api/v1/ref/{key}/{z}/{x}/{y}.mvt`` | vector tiles of the bundled reference geography |
| ``POST /api/v1/view/{token}`` | where a browser's map is looking (see :mod:`api.views`) |
| ``/ogc/…`` | OGC API – Features of zones, projects and plots (see :mod:`geo.ogc`) |

``key`` names a version (see :mod:`geo.live`); responses under a key never
change, so browsers may cache them for good. A key no longer in memory answers
404: the page asks for the current key on its next run. Bad tile addresses
answer 400. Only what the public map shows is served.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from api import exports, views
from geo import live, ogc
from geo.mapdata import PLOT_MIN_ZOOM, data_tile_layers, features_payload
from geo.reference import province_label_points, reference_key, reference_tile
from geo.store import StoreError
from geo.tiles import TileRequestError, encode_tile

log = logging.getLogger(__name__)

__all__ = ["routes", "warm_up"]

_IMMUTABLE = "public, max-age=31536000, immutable"
_MVT = "application/vnd.mapbox-vector-tile"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status,
                        headers={"Cache-Control": "no-store"})


def _gzipped(request: Request, body_gz: bytes, media_type: str) -> Response:
    """Send gzipped bytes as they are, or unpacked to a client that does not take gzip."""
    headers = {"Cache-Control": _IMMUTABLE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(body_gz, media_type=media_type, headers=headers)
    return Response(gzip.decompress(body_gz), media_type=media_type, headers=headers)


def _snapshot(key: str) -> live.Snapshot | None:
    snap = live.snapshot_by_key(key)
    if snap is None:
        try:
            snap = live.current()
        except StoreError:
            return None
        if snap.key != key:
            return None
    return snap


async def features(request: Request) -> Response:
    """Zones and projects of the register version ``key`` (see geo.mapdata.features_payload)."""
    key = request.path_params["key"]
    snap = _snapshot(key)
    if snap is None:
        return _error(404, "this version of the register is no longer served; reload the page")
    body = snap.json_gz("features", _map_features)
    return _gzipped(request, body, "application/json")


def _map_features(reg: Any) -> dict[str, Any]:
    return {**features_payload(reg), "province_labels": province_label_points()}


def _tile_address(request: Request) -> tuple[int, int, int]:
    params: dict[str, Any] = request.path_params
    return int(params["z"]), int(params["x"]), int(params["y"])


@lru_cache(maxsize=4096)
def _data_tile(key: str, z: int, x: int, y: int) -> bytes | None:
    """The gzipped tile of a version (b"" when empty), None for a version not in memory."""
    snap = live.snapshot_by_key(key)
    if snap is None:
        return None
    # Plots (from PLOT_MIN_ZOOM) come from PostGIS itself where the register lives there.
    body = live.store_plot_tile(snap, z, x, y) if z >= PLOT_MIN_ZOOM else None
    if body is None:
        body = encode_tile(snap.derived("data_tile_layers", data_tile_layers), z, x, y)
    return gzip.compress(body, mtime=0) if body else b""


async def data_tiles(request: Request) -> Response:
    """One vector tile of the register's plots (and their summary per zone)."""
    key = request.path_params["key"]
    if _snapshot(key) is None:
        return _error(404, "this version of the register is no longer served; reload the page")
    try:
        # In a worker thread: a tile from the database must not hold up the event loop
        # every session's page runs on.
        body = await run_in_threadpool(_data_tile, key, *_tile_address(request))
    except TileRequestError as exc:
        return _error(400, str(exc))
    except StoreError:
        log.exception("plot tile %s", request.url.path)
        return _error(503, "the register's database cannot be read just now; try again")
    if body is None:
        return _error(404, "this version of the register is no longer served; reload the page")
    if not body:
        return Response(status_code=204, headers={"Cache-Control": _IMMUTABLE})
    return _gzipped(request, body, _MVT)


async def reference_tiles(request: Request) -> Response:
    """One vector tile of the reference geography (land, provinces)."""
    if request.path_params["key"] != reference_key():
        return _error(404, "unknown reference version")
    try:
        body = reference_tile(*_tile_address(request))
    except TileRequestError as exc:
        return _error(400, str(exc))
    if not body:
        return Response(status_code=204, headers={"Cache-Control": _IMMUTABLE})
    return _gzipped(request, gzip.compress(body, mtime=0), _MVT)


async def view(request: Request) -> Response:
    """Remember where a session's map is looking: ``{"lat", "lon", "z"}``."""
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "the body is not JSON")
    parsed = views.parse_view(body)
    if parsed is None or not views.remember(request.path_params["token"], parsed):
        return _error(400, "not a view: lat, lon and an integer zoom 0–20 are expected")
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


def _ogc_json(body: dict[str, Any], media: str = "application/json") -> Response:
    return JSONResponse(body, media_type=media, headers={"Cache-Control": "no-cache"})


def _ogc_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _ogc_collection(request: Request) -> ogc.Collection:
    coll = ogc.COLLECTIONS.get(request.path_params["cid"])
    if coll is None:
        raise ogc.OgcError(404, f"no collection {request.path_params['cid']!r}; collections: "
                           + ", ".join(ogc.COLLECTIONS))
    return coll


async def ogc_api(request: Request, what: str) -> Response:
    """OGC API – Features: landing page, conformance, collections and items."""
    base = _ogc_base(request)
    try:
        if what == "landing":
            return _ogc_json(ogc.landing(base))
        if what == "conformance":
            return _ogc_json(ogc.conformance())
        reg = live.current().register
        if what == "collections":
            return _ogc_json(ogc.collections(reg, base))
        coll = _ogc_collection(request)
        if what == "collection":
            return _ogc_json(ogc.collection(reg, coll, base))
        if what == "items":
            query = ogc.parse_items_query(coll, dict(request.query_params))
            return _ogc_json(ogc.items(reg, coll, query, base), ogc.GEOJSON)
        return _ogc_json(ogc.item(reg, coll, request.path_params["fid"], base), ogc.GEOJSON)
    except ogc.OgcError as exc:
        return _error(exc.status, str(exc))
    except StoreError:
        return _error(503, "the register cannot be read just now")


def _ogc_route(path: str, what: str) -> Route:
    async def endpoint(request: Request) -> Response:
        return await ogc_api(request, what)
    return Route(path, endpoint, name=f"ogc-{what}")


def routes() -> list[BaseRoute]:
    """Return the data endpoints to mount beside the pages."""
    return [
        Route("/api/v1/map/{key:str}/features.json", features),
        Route("/api/v1/map/{key:str}/{z:int}/{x:int}/{y:int}.mvt", data_tiles),
        Route("/api/v1/ref/{key:str}/{z:int}/{x:int}/{y:int}.mvt", reference_tiles),
        Route("/api/v1/view/{token:str}", view, methods=["POST"]),
        Route("/api/v1/export/{what:str}", exports.export),
        _ogc_route("/ogc", "landing"),
        _ogc_route("/ogc/conformance", "conformance"),
        _ogc_route("/ogc/collections", "collections"),
        _ogc_route("/ogc/collections/{cid:str}", "collection"),
        _ogc_route("/ogc/collections/{cid:str}/items", "items"),
        _ogc_route("/ogc/collections/{cid:str}/items/{fid:str}", "item"),
    ]


@contextlib.asynccontextmanager
async def warm_up(app: Any) -> AsyncIterator[None]:
    """Read the register and build what the first page needs before serving it.

    A store that cannot be read is left for the pages to report; the server
    starts anyway.
    """
    try:
        snap = live.current()
        snap.json_gz("features", _map_features)
        reference_tile(5, 25, 14)  # builds the reference layers' spatial index
    except (StoreError, OSError) as exc:
        log.warning("register not read at start-up: %s", exc)
    yield
