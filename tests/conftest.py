"""Fixtures shared by the test modules.

``browser`` opens pages in a real browser (Debian chromium through
Playwright) for the report and app tests: it skips when chromium or the
``playwright`` package is missing, and fails instead when
``CLSSIM_REQUIRE_BROWSER`` is set (``.ci/run`` sets it), so CI can never pass
by skipping them. ``artifacts`` is the folder where browser tests leave
screenshots and measurements for a human to look at. :func:`running_app`
serves ``clssim app`` on a free port for the app's browser test and for the
scripts that measure or photograph the app (``benchmarks/app_frames.py``,
``docs/img/app_screenshots.py``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: screenshots and measurements that browser tests leave for a human to look at
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _require_browser() -> None:
    """Skip the calling test without a browser (fail, if CI requires one)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        available = False
    else:
        available = CHROMIUM.exists()
    if not available:
        if os.environ.get("CLSSIM_REQUIRE_BROWSER"):
            pytest.fail("Debian chromium and playwright are required here (CI)")
        pytest.skip("needs /usr/bin/chromium and the playwright package")


@contextlib.contextmanager
def _browser_page(width: int, height: int) -> Iterator[tuple[object, list[str]]]:
    """A headless chromium page of ``width`` x ``height``, and the list that
    collects its console errors and uncaught exceptions; closed afterwards."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page, errors
        finally:
            browser.close()


@pytest.fixture
def artifacts() -> Path:
    """The folder for screenshots and measurements (``test-artifacts/``)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser() -> Callable[[int, int], contextlib.AbstractContextManager]:
    """``with browser(width, height) as (page, errors):`` a headless chromium page
    and the list of its console errors; skips (or fails in CI) without chromium."""
    _require_browser()
    return _browser_page


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop a server's whole process group: SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@contextlib.contextmanager
def running_app(
    env: dict[str, str] | None = None,
    log: Path | None = None,
    cwd: Path | None = None,
    timeout: float = 60.0,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """``clssim app`` on a free loopback port (its output to ``log``, or
    discarded), once it answers; always stopped afterwards. Yields the URL and
    the process. RuntimeError if it exits early or does not answer in time."""
    port = free_port()
    out = log.open("w") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "clssim.cli", "app", "--port", str(port)],
        env={**os.environ, **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                said = log.read_text() if log is not None else ""
                raise RuntimeError(f"clssim app exited early:\n{said}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"clssim app did not answer within {timeout:g} s")
            time.sleep(0.3)
        yield url, proc
    finally:
        _stop(proc)
        if log is not None:
            out.close()
