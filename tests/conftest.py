"""Fixtures shared by the test modules.

``browser`` opens pages in a real browser (Debian chromium through
Playwright) for the report and app tests: it skips when chromium or the
``playwright`` package is missing, and fails instead when
``CLSSIM_REQUIRE_BROWSER`` is set (``.ci/run`` sets it), so CI can never pass
by skipping them. ``artifacts`` is the folder where browser tests leave
screenshots and measurements for a human to look at.
"""

from __future__ import annotations

import contextlib
import os
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
