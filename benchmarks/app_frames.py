"""The teaching app's frame rate: what a frame costs on the server, and how
many frames a second reach a real browser at a projector's 1280 x 720.

    python benchmarks/app_frames.py            # server side, then the browser
    python benchmarks/app_frames.py --no-browser

Server side (one process, interleaved repeats), per frame of the default
scenario at the default speed (5 slots a frame): simulating the slots, the
map painted with numpy and PNG-encoded (``clssim.app.mapview``), the plots
drawn with matplotlib (redrawn only every 0.5 s while playing), and, for
comparison, the same map drawn the matplotlib way (land use with ``imshow``,
residents with ``scatter``, one ``savefig``), as the app drew it before.

Browser: ``clssim app`` on a free port, Debian chromium through Playwright
(the test suite's own set-up), Play for ``--seconds`` at the default speed,
counting the map image's updates. Writes ``app_frames_results.md`` beside
this file. Nothing asserts: the numbers are written down.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)


def server_side(repeats: int = 30) -> dict[str, float]:
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    from clssim.app.classroom import Classroom
    from clssim.app.mapview import LAYERS, jitter
    from clssim.plots import LAND_COLOURS

    room = Classroom()
    room.advance(400)  # a hundred days in: offences and officers on the map
    model, world = room.model, room.model.world

    def matplotlib_map() -> bytes:
        w, h = world.width, world.height
        fig = Figure(figsize=(7, 7), dpi=80)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow(world.land_use.reshape(w, h).T, cmap=ListedColormap(LAND_COLOURS),
                  interpolation="nearest")  # fmt: skip
        here = model.location < model.population.outside
        x, y = world.xy(model.location[here])
        jx, jy = jitter(model.population.n)
        ax.scatter(x + jx[here], y + jy[here], s=3, c=model.social.insecurity[here], linewidths=0)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
        return buf.getvalue()

    out = {
        "simulate 5 slots": _median_ms(lambda: room.advance(5), repeats),
        "map (numpy + PNG)": _median_ms(room.map.png, repeats),
        "map, all layers (mean)": float(
            np.mean([_layer_ms(room, layer, repeats // 3) for layer in LAYERS])
        ),
        "plots (matplotlib + PNG)": _median_ms(room.plots.png, repeats // 3),
        "map the matplotlib way": _median_ms(matplotlib_map, repeats // 3),
    }
    return out


def _layer_ms(room, layer: str, repeats: int) -> float:
    room.map.layer = layer
    ms = _median_ms(room.map.png, max(3, repeats))
    room.map.layer = "land_use"
    return ms


def browser_side(seconds: float = 5.0) -> dict[str, float] | None:
    if not Path("/usr/bin/chromium").exists():
        print("no /usr/bin/chromium: browser measurement skipped", file=sys.stderr)
        return None
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import _browser_page, running_app

    with running_app() as (url, _), _browser_page(1280, 720) as (page, errors):
        page.set_default_timeout(60_000)
        page.goto(url)
        info = page.locator(".clssim-info")
        info.wait_for()
        page.evaluate(
            """() => { window.__frames = 0;
                  new MutationObserver(() => window.__frames++).observe(
                    document.querySelector('.clssim-map-image'),
                    {attributes: true, attributeFilter: ['src']}); }"""
        )

        def step() -> int:
            text = info.inner_text().split(" of ")[0]
            return int(text.split()[-1].replace(",", ""))

        s0, t0 = step(), time.monotonic()
        page.locator(".clssim-play").click()
        time.sleep(seconds)
        page.locator(".clssim-play").click()
        elapsed = time.monotonic() - t0
        time.sleep(0.5)
        frames, s1 = page.evaluate("window.__frames"), step()
        return {
            "seconds": round(elapsed, 2),
            "frames": frames,
            "frames per second": round(frames / elapsed, 1),
            "simulated days per second": round((s1 - s0) / 4 / elapsed, 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    server = server_side()
    browser = None if args.no_browser else browser_side(args.seconds)
    ratio = server["map the matplotlib way"] / server["map (numpy + PNG)"]
    lines = [
        "# The app's frame rate (benchmarks/app_frames.py)",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}), default scenario, "
        "default speed (5 slots a frame), a hundred simulated days in.",
        "",
        "| per frame, on the server | ms (median) |",
        "|---|---:|",
        *[f"| {k} | {v:.1f} |" for k, v in server.items()],
        "",
        f"The numpy map is **{ratio:.1f}×** faster than the same map drawn with matplotlib. "
        "While playing, the plots are redrawn every 0.5 s, not every frame.",
        "",
    ]
    if browser:
        lines += [
            "| in Chromium at 1280 × 720 (Play, default speed) | |",
            "|---|---:|",
            *[f"| {k} | {v} |" for k, v in browser.items()],
            "",
            "Frames are capped at 20 a second (`clssim.app.classroom.MIN_FRAME_S`).",
            "",
        ]
    text = "\n".join(lines)
    (HERE / "app_frames_results.md").write_text(text, encoding="utf-8")
    print(text)
    print(json.dumps({"server_ms": server, "browser": browser}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
