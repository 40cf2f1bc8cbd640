"""Fixtures for real-browser tests: the app in Streamlit, driven by Debian's Chromium.

Every test in this directory is marked ``browser``. What they get:

``app_server`` (session)
    Base URL (``http://127.0.0.1:PORT``) of ``streamlit run app.py`` started on a
    free port, with ``KCN_ATLAS_STORE`` pointing at a register freshly built by
    ``kcn-atlas build --out`` in a temporary directory (``atlas_store`` gives its
    path).
``browser_context_factory`` (session)
    A callable; each call launches a NEW Chromium with a fresh profile (a
    persistent context) and returns its ``BrowserContext``. Keyword arguments go
    to ``launch_persistent_context`` (e.g. ``base_url=app_server``). Every
    request to a host other than 127.0.0.1/localhost is aborted and its URL
    appended to ``context.blocked_requests``. All contexts close at session end.
``page`` (function)
    A page in a fresh browser whose ``base_url`` is ``app_server`` (so
    ``page.goto("/?x=1")`` works); ``page.blocked_requests`` is its context's
    list. On failure a full-page screenshot goes to
    ``test-artifacts/<test name>.png`` at the repo root.
``wait_for_map`` (fixture returning the function below)
    ``wait_for_map(page, timeout=30000) -> LiveMap``: waits for the live map
    component to have drawn the register, and returns a handle that reads what
    is drawn (ids, view, where a feature is on the page). Use the fixture rather
    than ``from conftest import ...``: other test directories have their own
    ``conftest`` modules and the import is ambiguous.
``wait_for_preview`` (fixture)
    ``wait_for_preview(page, timeout=30000) -> FrameLocator``: waits for a
    folium map drawn by st_folium (the Data page's preview) and returns its frame.
``save_screenshot`` (fixture returning a function)
    ``save_screenshot(page, name) -> Path | None``: full-page screenshot to
    ``test-artifacts/<name>.png``, for tests that make their own contexts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, FrameLocator, Page, Route

REPO_ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
LOCALE = "vi-VN"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# streamlit-folium 0.27.4 declares its component as "st_folium" from the module
# "streamlit_folium"; Streamlit 1.67 titles the component iframe with that full
# component name (ComponentInstance: title=componentName).
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MAP_FEATURE = "path.leaflet-interactive"
APP_EXCEPTION = '[data-testid="stException"]'
APP_ALERT = '[data-testid="stAlert"]'

SERVER_START_TIMEOUT = 60.0
BUILD_TIMEOUT = 900.0


# --- marking and reporting ---------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


# --- the app under test ------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _kcn_atlas_cli() -> str:
    for candidate in (
        Path(sys.executable).parent / "kcn-atlas",
        REPO_ROOT / ".venv" / "bin" / "kcn-atlas",
    ):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("kcn-atlas")
    if found is None:
        pytest.fail("kcn-atlas CLI not found: run ./dev test (pip install -e '.[test]')")
    return found


def _tail(path: Path, limit: int = 6000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-limit:]


def _stop_process_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    # Whatever is left of the group (the leader may be gone, children not).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def atlas_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register built afresh for this session: ``kcn-atlas build --out <tmp>``."""
    out = tmp_path_factory.mktemp("store") / "atlas.gpkg"
    try:
        result = subprocess.run(
            [_kcn_atlas_cli(), "build", "--out", str(out)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"kcn-atlas build timed out after {BUILD_TIMEOUT:.0f} s\n{exc.stderr or ''}")
    if result.returncode != 0:
        pytest.fail(
            f"kcn-atlas build --out {out} failed (exit {result.returncode}):\n{result.stderr}",
            pytrace=False,
        )
    if not out.exists():
        pytest.fail(f"kcn-atlas build exited 0 but wrote no {out}:\n{result.stderr}")
    return out


@contextlib.contextmanager
def run_app(store: Path, logs: Path) -> Iterator[str]:
    """Run ``streamlit run app.py`` on ``store`` on a free local port; yield its base URL."""
    port = _free_port()
    if _port_in_use(port):
        pytest.fail(f"port {port} is busy: refusing to test whatever answers there")
    base_url = f"http://127.0.0.1:{port}"

    out_path, err_path = logs / "stdout.log", logs / "stderr.log"
    env = dict(os.environ, KCN_ATLAS_STORE=str(store))
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdout=out, stderr=err, start_new_session=True
        )

    def fail(why: str) -> None:
        _stop_process_group(proc)
        pytest.fail(
            f"{why}\n--- streamlit stderr ---\n{_tail(err_path)}"
            f"\n--- streamlit stdout ---\n{_tail(out_path)}",
            pytrace=False,
        )

    # Bypass any http_proxy from the environment: the server is local.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if proc.poll() is not None:
            fail(f"streamlit exited with code {proc.returncode} before it was healthy")
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError, OSError), \
                opener.open(f"{base_url}/_stcore/health", timeout=2) as r:
            if r.status == 200 and r.read().decode().strip() == "ok":
                break
        if time.monotonic() > deadline:
            fail(f"streamlit not healthy at {base_url} after {SERVER_START_TIMEOUT:.0f} s")
        time.sleep(0.2)
    if proc.poll() is not None:  # someone else answered the health check
        fail(f"streamlit exited with code {proc.returncode}; another server holds port {port}")

    try:
        yield base_url
    finally:
        _stop_process_group(proc)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory, atlas_store: Path) -> Iterator[str]:
    """Run ``streamlit run app.py`` on the session's register; yield its base URL."""
    with run_app(atlas_store, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="module")
def private_app_server(tmp_path_factory: pytest.TempPathFactory,
                       atlas_store: Path) -> Iterator[str]:
    """An app on its own copy of the register, for tests that write to it."""
    from geo.store import open_store
    from tests.conftest import add_team

    folder = tmp_path_factory.mktemp("private")
    store = folder / "atlas.gpkg"
    shutil.copyfile(atlas_store, store)
    add_team(open_store(store))  # the test accounts (tests/conftest.py TEAM), to sign in
    with run_app(store, folder) as url:
        yield url


# --- the browser -------------------------------------------------------------


def _block_non_local(context: BrowserContext) -> None:
    blocked: list[str] = []

    def handler(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            blocked.append(url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route("**/*", handler)
    context.blocked_requests = blocked  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def browser_context_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., BrowserContext]]:
    """Callable making a new, isolated Chromium (persistent context) per call."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium (./dev test does)")
    sync_api = pytest.importorskip("playwright.sync_api")

    pw = sync_api.sync_playwright().start()
    contexts: list[BrowserContext] = []

    def new_context(**kwargs: Any) -> BrowserContext:
        options: dict[str, Any] = {
            "executable_path": str(CHROMIUM),
            "headless": True,
            "args": CHROMIUM_ARGS,
            "viewport": VIEWPORT,
            "locale": LOCALE,
        }
        options.update(kwargs)
        profile = tmp_path_factory.mktemp("chromium-profile")
        context = pw.chromium.launch_persistent_context(str(profile), **options)
        contexts.append(context)
        _block_non_local(context)
        return context

    try:
        yield new_context
    finally:
        for context in contexts:
            # Already closed, or the browser died: nothing left to do.
            with contextlib.suppress(Exception):
                context.close()
        pw.stop()


def _artifact_name(nodeid_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid_name).strip("_") or "test"


def save_screenshot(page: Page, name: str) -> Path | None:
    """Save a full-page screenshot to test-artifacts/<name>.png; None if it fails."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / f"{_artifact_name(name)}.png"
    try:
        page.screenshot(path=str(path), full_page=True, timeout=15000)
    except Exception:
        return None
    return path


@pytest.fixture(name="save_screenshot")
def _save_screenshot_fixture() -> Callable[[Page, str], Path | None]:
    """``save_screenshot(page, name)`` for tests that make their own contexts."""
    return save_screenshot


@pytest.fixture
def page(
    browser_context_factory: Callable[..., BrowserContext],
    app_server: str,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """A page in a fresh browser pointed at the app (``base_url``)."""
    context = browser_context_factory(base_url=app_server)
    pg = context.pages[0] if context.pages else context.new_page()
    pg.blocked_requests = context.blocked_requests  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            shot = save_screenshot(pg, request.node.name)
            if shot is not None:
                sys.stderr.write(f"\nscreenshot: {shot}\n")
        context.close()


# --- signing in ----------------------------------------------------------------


def sign_in(page: Page, name: str) -> None:
    """Sign in through the sidebar as the test account ``name`` (password TEAM_PASSWORD)."""
    from playwright.sync_api import expect

    from tests.conftest import TEAM_PASSWORD

    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Biên tập viên: đăng nhập").click()
    sidebar.get_by_role("textbox", name="Tên tài khoản").fill(name)
    sidebar.get_by_role("textbox", name="Mật khẩu").fill(TEAM_PASSWORD)
    sidebar.get_by_role("textbox", name="Mật khẩu").press("Enter")
    sidebar.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(sidebar.get_by_text(f"Đã đăng nhập: {name}")).to_be_visible(timeout=30000)


def sign_out(page: Page) -> None:
    """Sign out through the sidebar."""
    from playwright.sync_api import expect

    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name="Đăng xuất").click()
    expect(sidebar.get_by_text("Biên tập viên: đăng nhập")).to_be_visible(timeout=30000)


# --- the map -----------------------------------------------------------------


LIVE_MAP = ".kcn-map-host"


class LiveMap:
    """What the live map component has drawn, read through its ``kcnInspect`` hook."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.host = page.locator(LIVE_MAP).first

    def _call(self, expr: str, arg: Any = None) -> Any:
        return self.host.evaluate(f"(h, arg) => h.kcnInspect.{expr}", arg)

    def drawn(self) -> list[str]:
        """Ids of the zones drawn now."""
        return list(self._call("drawn()"))

    def drawn_projects(self) -> list[str]:
        """Ids of the infrastructure projects drawn now."""
        return list(self._call("drawnProjects()"))

    def view(self) -> dict[str, float]:
        """The map's centre and zoom: ``{"lat", "lon", "z"}``."""
        return dict(self._call("view()"))

    def point_of(self, feature_id: str) -> dict[str, float] | None:
        """Page coordinates of a drawn feature's centre, or None when it is not drawn."""
        return self._call("pointOf(arg)", feature_id)

    def plots_drawn(self) -> int:
        """Distinct plots in the loaded tiles that the filters let through (0 when zoomed out)."""
        return int(self._call("plotsDrawn()"))

    def highlighted(self) -> list[str]:
        """Ids of the plots outlined as the site finder's results."""
        return list(self._call("highlighted()"))

    def point_of_latlng(self, lat: float, lon: float) -> dict[str, float]:
        """Page coordinates of a place on the map."""
        return dict(self._call("pointOfLatLng(arg[0], arg[1])", [lat, lon]))

    def map_box(self) -> dict[str, float]:
        """The map's rectangle on the page."""
        return dict(self._call("mapBox()"))

    def in_view(self, feature_id: str) -> bool:
        """Tell whether a zone's centre lies inside the map's view."""
        return bool(self._call("inView(arg)", feature_id))

    def locator(self, selector: str, **kwargs: Any) -> Any:
        """Elements inside the map component (legend, list, labels)."""
        return self.host.locator(selector, **kwargs)

    def scroll_into_view(self) -> None:
        """Scroll the page so the whole map is on screen (pointer events need it)."""
        self.host.locator(".kcn-map").scroll_into_view_if_needed()
        self.page.wait_for_timeout(200)

    def wait_until(self, predicate: Callable[[LiveMap], bool], timeout: float = 20000,
                   what: str = "the map to change") -> None:
        """Poll ``predicate(self)`` until it holds; fail after ``timeout`` ms."""
        deadline = time.monotonic() + timeout / 1000
        while True:
            with contextlib.suppress(Exception):
                if predicate(self):
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what} ({timeout:.0f} ms)")
            self.page.wait_for_timeout(100)


def wait_for_map(page: Page, timeout: float = 30000) -> LiveMap:
    """Wait until the live map has drawn the register; return a :class:`LiveMap`.

    On timeout, fails with what the page shows instead (Streamlit exceptions
    and alerts, the component's own error) and the blocked requests.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.locator(f"{LIVE_MAP}[data-ready='1'], {APP_EXCEPTION}").first.wait_for(
            state="attached", timeout=timeout)
        if page.locator(f"{LIVE_MAP}[data-ready='1']").count() == 0:
            raise PlaywrightTimeoutError("the app raised an exception instead")
    except PlaywrightTimeoutError:
        try:
            shown = page.locator(f"{APP_EXCEPTION}, {APP_ALERT}").all_inner_texts()
            error = page.locator(LIVE_MAP).first.get_attribute("data-error", timeout=1000)
        except Exception:
            shown, error = [], None
        blocked = getattr(page, "blocked_requests", None)
        if blocked is None:
            blocked = getattr(page.context, "blocked_requests", [])
        raise AssertionError(
            f"live map not drawn (timeout {timeout:.0f} ms)\ncomponent error: {error}\n"
            f"page messages: {shown}\nblocked requests: {blocked[:20]}"
        ) from None
    return LiveMap(page)


@pytest.fixture(name="wait_for_map")
def _wait_for_map_fixture() -> Callable[..., LiveMap]:
    return wait_for_map


def wait_for_preview(page: Page, timeout: float = 30000) -> FrameLocator:
    """Wait until the st_folium map has drawn a vector feature; return its frame.

    The component iframe stays at height 0 until the map renders, so it is
    awaited as attached, not visible; then at least one Leaflet vector path
    must exist inside it. On timeout, fails with what the page shows instead
    (Streamlit exceptions and alerts) and the blocked requests.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    deadline = time.monotonic() + timeout / 1000
    step = "the st_folium iframe to be attached"
    try:
        # Stop early if the script raised before rendering the map.
        page.locator(f"{MAP_IFRAME}, {APP_EXCEPTION}").first.wait_for(
            state="attached", timeout=timeout
        )
        if page.locator(MAP_IFRAME).count() == 0:
            step = "the st_folium iframe (the app raised an exception instead)"
            raise PlaywrightTimeoutError(step)
        frame = page.frame_locator(MAP_IFRAME).first
        step = f"a {MAP_FEATURE} in the st_folium iframe"
        remaining = max(1000.0, (deadline - time.monotonic()) * 1000)
        frame.locator(MAP_FEATURE).first.wait_for(state="attached", timeout=remaining)
    except PlaywrightTimeoutError:
        try:
            shown = page.locator(f"{APP_EXCEPTION}, {APP_ALERT}").all_inner_texts()
        except Exception:
            shown = []
        blocked = getattr(page, "blocked_requests", None)
        if blocked is None:
            blocked = getattr(page.context, "blocked_requests", [])
        raise AssertionError(
            f"map not drawn: gave up on {step} (timeout {timeout:.0f} ms)\n"
            f"page messages: {shown}\nblocked requests: {blocked[:20]}"
        ) from None
    return frame


@pytest.fixture(name="wait_for_preview")
def _wait_for_preview_fixture() -> Callable[..., FrameLocator]:
    return wait_for_preview
