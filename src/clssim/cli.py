"""Command-line interface: ``clssim run``, ``clssim validate``, ``clssim fields``,
``clssim app``.

Errors in the user's input (scenario, map, options) print one line and exit
with status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from clssim.scenario import Scenario, ScenarioError, default_scenario_path, load_scenario

EXIT_USAGE = 2


def _scenario(path: str | None, overrides: dict[str, Any]) -> Scenario:
    scenario = load_scenario(path)
    if overrides:
        try:
            scenario = scenario.with_overrides(overrides)
        except ScenarioError as exc:
            opts = ", ".join(f"--{k.split('.')[-1]}" for k in overrides)
            raise ScenarioError(str(exc).replace("<overrides>", f"option {opts}")) from None
    return scenario


def cmd_run(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.years is not None:
        overrides["time.years"] = args.years
    scenario = _scenario(args.scenario, overrides)
    out = Path(args.out) if args.out else Path("out") / f"{scenario.name}-seed{scenario.seed}"

    from clssim import plots
    from clssim.model import CLSModel
    from clssim.results import output_dir

    output_dir(out)  # refuse an unwritable --out before simulating
    if (warning := scenario.horizon_warning()) is not None:
        print(f"clssim: warning: {warning}", file=sys.stderr)

    model = CLSModel(scenario)
    bar = _progress(model.n_steps, args.quiet)
    results = model.run(progress=bar.update if bar else None)
    if bar:
        bar.close()
    results.write(out)
    plots.crime_map(results, out / "crime_map.png")
    plots.trend(results, out / "trend.png")
    if not args.quiet:
        print(summary_table(results.summary))
        print(f"\nwrote {out}/")
    return 0


def _progress(total: int, quiet: bool):
    if quiet or not sys.stderr.isatty() or total < 500:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="slot", desc="simulating", leave=False)


def _share(x: float | None) -> str:
    """A share as a percentage; ``n/a`` when undefined (no offences)."""
    return "n/a" if x is None or x != x else f"{x:.1%}"


def summary_table(summary: dict[str, Any]) -> str:
    """A short human table of a run's headline indicators."""
    rows = [
        ("scenario", summary["scenario"]),
        ("seed", summary["seed"]),
        ("residents", f"{summary['residents']:,}"),
        ("simulated", f"{summary['years']:g} years ({summary['steps']:,} slots)"),
        ("offences (true)", f"{summary['offences_true']:,}"),
        ("offences (recorded)", f"{summary['offences_recorded']:,}"),
        ("recording rate", f"{summary['recording_rate']:.0%}"),
        ("true offences /1000/yr", f"{summary['offences_per_1000_per_year']:.1f}"),
        ("arrests", f"{summary['arrests']:,}"),
        ("cells with 50% of crime", _share(summary["cells_with_50pct_offences"])),
        ("cells with 25% of crime", _share(summary["cells_with_25pct_offences"])),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def cmd_validate(args: argparse.Namespace) -> int:
    """Run a scenario over several seeds and check the stylised facts."""
    import json
    import math

    from clssim.validation import validate

    overrides = {"time.years": args.years} if args.years is not None else {}
    scenario = _scenario(args.scenario, overrides)
    if args.seeds < 1:
        raise ScenarioError(f"option --seeds = {args.seeds}: must be at least 1")
    rows, _ = validate(scenario, seeds=args.seeds, first_seed=scenario.seed)
    ok = all(r["pass"] for r in rows)
    if args.json:
        clean = [
            {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in r.items()}
            for r in rows
        ]
        print(
            json.dumps(
                {
                    "scenario": scenario.name,
                    "seeds": args.seeds,
                    "pass": ok,
                    "facts": clean,
                },
                indent=2,
            )
        )
    else:
        print(validation_table(rows, scenario.name, args.seeds))
    return 0 if ok else 1


def validation_table(rows: list[dict[str, Any]], name: str, seeds: int) -> str:
    """The stylised-facts table printed by ``clssim validate``."""

    def rng(r: dict[str, Any]) -> str:
        hi = "∞" if r["high"] == float("inf") else f"{r['high']:g}"
        return f"[{r['low']:g}, {hi}]"

    width = max(len(r["fact"]) for r in rows)
    lines = [f"Stylised facts: {name}, {seeds} seed(s)", ""]
    lines.append(f"{'fact':<{width}}  {'value':>8}  {'target':<14}  result  source")
    for r in rows:
        verdict = "pass" if r["pass"] else "FAIL"
        lines.append(
            f"{r['fact']:<{width}}  {r['value']:>8.4g}  {rng(r):<14}  {verdict:<6}  {r['source']}"
        )
    passed = sum(r["pass"] for r in rows)
    lines += ["", f"{passed} of {len(rows)} facts reproduced"]
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> int:
    """Write one self-contained HTML report (figures also as PNG and PDF)."""
    from clssim.report import build_report

    out = build_report(args.directory, args.out)
    figures = out.with_name(out.stem + "_figures")  # a sweep's report embeds its saved figures
    print(f"wrote {out}" + (f" (figures in {figures}/)" if figures.is_dir() else ""))
    return 0


def cmd_fields(args: argparse.Namespace) -> int:
    """Print every scenario field with its default, unit, range and meaning."""
    from clssim.scenario import field_table

    for row in field_table():
        print("  ".join(row))
    return 0


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _app_assets() -> None:
    """Put the page's front-end files into Solara's cache with npm, once, so the
    app also works where the CDN cannot be reached (see clssim.app.assets)."""
    import shutil

    from clssim.app import assets

    missing = assets.missing_packages()
    if not missing:
        return
    if shutil.which("npm") is None:
        print(
            "clssim: note: npm not found; the page will load its front-end files "
            "from the jsDelivr CDN (needs internet access)",
            file=sys.stderr,
        )
        return
    specs = ", ".join(f"{k}@{v}" for k, v in missing.items())
    print(
        f"clssim app: fetching the page's front-end files once with npm: {specs}", file=sys.stderr
    )
    try:
        assets.ensure_assets()
    except RuntimeError as exc:
        print(f"clssim: warning: {exc}; the page will try the jsDelivr CDN", file=sys.stderr)


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port another program listens on, before announcing the address."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ScenarioError(f"option --host = {host}: cannot be resolved ({exc})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ScenarioError(
                f"option --port = {port}: cannot serve on {host}:{port} ({exc.strerror}); "
                "choose another port"
            ) from None


def cmd_app(args: argparse.Namespace) -> int:
    """Serve the interactive teaching app (a Solara page) until Ctrl-C."""
    import os
    import signal
    import subprocess

    if args.scenario is not None:
        from clssim.app.teaching import scenario_path

        name = Path(args.scenario).stem if args.scenario.endswith(".toml") else args.scenario
        scenario_path(name)  # ScenarioError (exit 2) if it is not a shipped scenario
    else:
        name = None
    if not 0 < args.port < 65536:
        raise ScenarioError(f"option --port = {args.port}: must be between 1 and 65535")
    _check_port_free(args.host, args.port)
    if not _is_loopback(args.host):
        print(
            f"clssim: warning: serving on {args.host}, not a loopback address: anyone who can "
            "reach this machine on that network can open the app and run simulations on it",
            file=sys.stderr,
        )
    _app_assets()
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no usage reports
    # Solara warns on every page load that samesite cookies need https; on a
    # loopback address that is expected, and the warning buries useful output
    quiet = "ignore:Cookies with samesite=none:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(filter(None, (env.get("PYTHONWARNINGS"), quiet)))
    if name is not None:
        env["CLSSIM_APP_SCENARIO"] = name
    env["CLSSIM_APP_LANG"] = args.lang
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "clssim.app.page",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]
    print(f"clssim app: http://{args.host}:{args.port}/ (Ctrl-C stops it)", file=sys.stderr)
    proc = subprocess.Popen(cmd, env=env)
    # a SIGTERM to clssim (a service manager, a test) stops the server too
    previous = signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # the child got the same SIGINT from the terminal; give it time to close
        try:
            return proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.kill()
            proc.wait()
            return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line like every other clssim error."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"clssim: error: {message} (see clssim --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clssim",
        description="Simulate proximity policing and Local Safety Contracts.",
    )
    from clssim import __version__

    parser.add_argument("--version", action="version", version=f"clssim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write its outputs")
    run.add_argument(
        "scenario",
        nargs="?",
        help=f"scenario TOML (default: {default_scenario_path().name})",
    )
    run.add_argument("--seed", type=int, help="override the scenario seed")
    run.add_argument("--years", type=float, help="override the simulated years")
    run.add_argument("--out", help="output directory (default: out/NAME-seedN)")
    run.add_argument("--quiet", action="store_true", help="print nothing on success")
    run.set_defaults(func=cmd_run)

    val = sub.add_parser("validate", help="check a scenario against real crime patterns")
    val.add_argument("scenario", nargs="?", help="scenario TOML (default: the default)")
    val.add_argument("--seeds", type=int, default=5, help="number of seeds (default 5)")
    val.add_argument("--years", type=float, help="override the simulated years")
    val.add_argument("--json", action="store_true", help="print JSON for machines")
    val.set_defaults(func=cmd_validate)

    rep = sub.add_parser("report", help="write the HTML report of a run, compare or sweep")
    rep.add_argument("directory", help="output directory of clssim run, compare or sweep")
    rep.add_argument("--out", help="HTML file to write (default: DIRECTORY/report.html)")
    rep.set_defaults(func=cmd_report)

    fields = sub.add_parser("fields", help="list every scenario field with its default")
    fields.set_defaults(func=cmd_fields)

    app = sub.add_parser("app", help="serve the interactive teaching app in the browser")
    app.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1, this machine only; "
        "another address is reachable by others and prints a warning)",
    )
    app.add_argument(
        "--scenario",
        help="shipped scenario selected when the page opens (name or file name, "
        "e.g. historic_centre)",
    )
    app.add_argument(
        "--lang",
        choices=("en", "pt"),
        default="en",
        help="language the page opens in: en (English) or pt (European Portuguese); "
        "the page's EN/PT switch changes it",
    )
    app.set_defaults(func=cmd_app)

    from clssim.calibration.commands import register as register_calibrate
    from clssim.experiments.commands import register
    from clssim.geo.commands import register as register_geo
    from clssim.trials.commands import register as register_trial

    register(sub)
    register_trial(sub)
    register_geo(sub)
    register_calibrate(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"clssim: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
