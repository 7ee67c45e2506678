"""Regenerate the app's screenshots in docs/img/ (1280 x 720, a projector's size).

    python docs/img/app_screenshots.py

Starts ``clssim app`` on a free port, drives it in headless Debian chromium
through Playwright (as the browser tests do) and writes ``app_screenshot.png``
(the map at day 120), ``app_layer.png`` (the recent-crime layer),
``app_runlog.png`` (two runs in the log, the first drawn on the plots) and
``app_pt.png`` (the same page in Portuguese).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def main() -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import _browser_page, running_app

    with running_app() as (url, _), _browser_page(1280, 720) as (page, errors):
        page.set_default_timeout(60_000)
        page.goto(url)
        info = page.locator(".clssim-info")
        info.wait_for()

        def run_to(day: int) -> None:
            page.locator(".clssim-day input").fill(str(day))
            page.get_by_role("button", name="Run to day").click()
            page.wait_for_function(
                "(s) => document.querySelector('.clssim-info').innerText.includes(`Step ${s} of`)",
                arg=f"{day * 4:,}",
            )
            page.locator(".clssim-play", has_text="▶").wait_for()
            time.sleep(1.0)

        run_to(120)
        page.screenshot(path=str(HERE / "app_screenshot.png"))
        page.locator(".clssim-layer").click()
        page.get_by_role("option", name="recent crime, true (last 4 weeks)").click()
        time.sleep(1.0)
        page.screenshot(path=str(HERE / "app_layer.png"))
        page.locator(".clssim-layer").click()
        page.get_by_role("option", name="land use").click()
        thumb = page.locator(".clssim-lever-officers").get_by_role("slider")
        thumb.focus()
        for _ in range(16):  # 8 -> 24 officers
            page.keyboard.press("ArrowRight")
        time.sleep(0.5)
        page.get_by_role("button", name="Reset").click()
        time.sleep(1.0)
        run_to(120)
        page.get_by_role("button", name="Run log").click()
        time.sleep(1.0)
        page.screenshot(path=str(HERE / "app_runlog.png"))
        page.get_by_role("button", name="Plots").click()
        page.get_by_role("button", name="PT", exact=True).click()
        time.sleep(1.5)
        page.screenshot(path=str(HERE / "app_pt.png"))
        if errors:
            print("page errors:", errors, file=sys.stderr)
            return 1
    print("wrote", ", ".join(p.name for p in sorted(HERE.glob("app_*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
