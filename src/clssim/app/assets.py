"""The web page's front-end files, for machines that cannot reach a CDN.

Solara's page loads a few JavaScript and CSS packages (its Vuetify app,
RequireJS, Font Awesome) from the jsDelivr CDN, through a
proxy in the Solara server that keeps a copy in a cache directory
(``solara.server.settings.assets.proxy_cache_dir``). On a machine without
access to that CDN — a classroom behind a firewall, CI — the page stays
blank.

jsDelivr serves files of npm packages, so the same files can be had from the
npm registry with the ordinary ``npm pack``. :func:`ensure_assets` puts the
exact versions the installed Solara's page template asks for into its
cache, once (about 45 MB, source maps left out); after that the app works
offline. (The app does not use Solara's draggable grid, whose layout package
is loaded separately.) ``clssim app`` calls it when ``npm`` is on the
PATH, and otherwise leaves the work to Solara's proxy.

Run by hand: ``python -m clssim.app.assets`` (prints what it did).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "ensure_assets", "missing_packages", "required_packages"]

_PINNED = re.compile(
    r"(?:\{\{cdn\}\}|getCdn\(\)\})/((?:@[\w-]+/)?[\w.-]+?)@(\d+\.\d+\.\d+[\w.-]*)/"
)
_DONE = ".clssim-complete"


def required_packages() -> dict[str, str]:
    """npm packages (name → exact version) the installed Solara loads from its CDN."""
    import ipyvue
    import solara

    root = Path(solara.__file__).parent
    vue3 = ipyvue.__version__.startswith("3")
    template = root / "server" / "templates" / "solara.html.j2"
    found: dict[str, str] = {}
    for name, version in _PINNED.findall(template.read_text(encoding="utf-8")):
        if name.endswith("solara-vuetify3-app") and not vue3:
            continue
        if name.endswith("solara-vuetify-app") and vue3:
            continue
        found[name] = version
    from solara.server import settings

    fa = re.match(r"/?([\w.-]+)@([\w.-]+)/", settings.assets.fontawesome_path)
    if settings.assets.fontawesome_enabled and fa:
        found[fa.group(1)] = fa.group(2)
    return found


def cache_dir() -> Path:
    """Solara's CDN cache directory (where its proxy looks first)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing_packages(cache: Path | None = None) -> dict[str, str]:
    """Required packages not (completely) in the cache."""
    cache = cache_dir() if cache is None else cache
    return {
        name: version
        for name, version in required_packages().items()
        if not (cache / f"{name}@{version}" / _DONE).is_file()
    }


def ensure_assets(
    cache: Path | None = None, npm: str | None = None, timeout: float = 120.0
) -> list[str]:
    """Fetch missing packages with ``npm pack`` into the cache; return those fetched.

    Raises ``RuntimeError`` (with npm's message) if npm is missing or fails.
    """
    cache = cache_dir() if cache is None else cache
    missing = missing_packages(cache)
    if not missing:
        return []
    npm = npm or shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on the PATH")
    fetched = []
    with tempfile.TemporaryDirectory(prefix="clssim-assets-") as tmp:
        for name, version in missing.items():
            spec = f"{name}@{version}"
            try:
                proc = subprocess.run(
                    [npm, "pack", spec, "--pack-destination", tmp, "--silent"],
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    cwd=tmp,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"npm pack {spec}: no answer in {timeout:g} s") from None
            if proc.returncode != 0:
                msg = (proc.stderr or proc.stdout).strip().splitlines()
                raise RuntimeError(f"npm pack {spec} failed: {msg[-1] if msg else proc.returncode}")
            tarball = Path(tmp) / proc.stdout.strip().splitlines()[-1]
            target = cache / spec
            staging = Path(tmp) / "x"
            shutil.rmtree(staging, ignore_errors=True)
            with tarfile.open(tarball) as tar:
                tar.extractall(staging, filter="data")
            # npm tarballs hold one top folder, usually "package/"
            (top,) = [p for p in staging.iterdir() if p.is_dir()]
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(top, target, ignore=shutil.ignore_patterns("*.map"))
            (target / _DONE).write_text(f"{spec} from npm pack\n", encoding="utf-8")
            fetched.append(spec)
    return fetched


def main() -> int:
    """Fetch what is missing and say what happened."""
    try:
        fetched = ensure_assets()
    except RuntimeError as exc:
        print(f"clssim: error: front-end assets: {exc}", file=sys.stderr)
        return 1
    where = cache_dir()
    if fetched:
        print(f"fetched {', '.join(fetched)} into {where}")
    else:
        print(f"all front-end assets are in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
