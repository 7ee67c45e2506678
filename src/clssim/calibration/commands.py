"""``clssim calibrate [KIND …]``: fit measure effects to their evidence cards.

Writes ``DIR/calibration.json`` (and one journal per kind, which ``--resume``
continues after a kill); ``--install`` also copies the file into the package,
where the catalogue loads it by default. Errors in the input raise
:class:`~clssim.scenario.ScenarioError` (one line, exit status 2).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from clssim.scenario import ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="fit measures' effect parameters so their virtual trials reproduce the evidence",
        description="Calibrate measure kinds (default: all with fitted parameters) by "
        "emulator + synthetic likelihood on their virtual trials; resumable.",
    )
    p.add_argument("kinds", nargs="*", help="measure kinds (default: all)")
    p.add_argument("--scenario", help="scenario TOML to run the trials in (default: the default)")
    p.add_argument("--points", type=int, help="design points per kind (default 6 + 4 × params)")
    p.add_argument(
        "--replicates", type=int, help="replicates per point (default 4; with --baseline 2)"
    )
    p.add_argument("--seed", type=int, help="seed root (default: the scenario's)")
    p.add_argument("--residents", type=int, help="override the scenario's population")
    p.add_argument("--before-days", type=int, default=365, help="trial run-in (default 365)")
    p.add_argument("--after-days", type=int, default=365, help="trial follow-up (default 365)")
    p.add_argument("--out", default="out/calibration", help="output directory")
    p.add_argument("--workers", type=int, help="local worker processes (0 = in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster")
    p.add_argument("--resume", action="store_true", help="continue the journals in --out")
    p.add_argument(
        "--install",
        action="store_true",
        help="also make it the catalogue's default (src/clssim/evidence/calibration.json)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument(
        "--baseline",
        action="store_true",
        help="fit the baseline's free parameters (crime scale, reporting scale, insecurity "
        "intercept) to recorded crime, reporting and fear instead of measures "
        "(--points default 18, --replicates 2, two-year runs)",
    )
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from clssim.calibration.fit import (
        UncalibratedError,
        calibrate_kind,
        calibration_file,
        fitted_params,
    )
    from clssim.evidence.calibration import CALIBRATION_FILE
    from clssim.experiments.executors import make_executor
    from clssim.measures import MEASURES
    from clssim.results import output_dir
    from clssim.trials import TrialSettings, base_scenario

    if args.baseline:
        return _cmd_baseline(args)
    kinds = args.kinds or [k for k in MEASURES if fitted_params(k)]
    for k in kinds:
        if k not in MEASURES:
            raise ScenarioError(
                f"calibrate: unknown measure kind {k!r}; allowed: {', '.join(MEASURES)}"
            )
        if not fitted_params(k):
            raise ScenarioError(f"calibrate: {k} has no parameter to fit")
    replicates = 4 if args.replicates is None else args.replicates
    if replicates < 2:
        raise ScenarioError(f"option --replicates = {replicates}: at least 2 are needed")
    if args.points is not None and args.points < 4:
        raise ScenarioError(f"option --points = {args.points}: at least 4 are needed")
    out = output_dir(args.out)
    scenario = base_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    settings = TrialSettings(args.before_days, args.after_days, args.residents)
    executor = make_executor(args.workers, args.scheduler)
    say = (lambda s: None) if args.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    path = out / CALIBRATION_FILE
    entries: dict = {}
    failed: list[str] = []
    if args.resume and path.exists():
        entries = json.loads(path.read_text(encoding="utf-8")).get("kinds", {})
    try:
        for kind in kinds:
            try:
                entry = calibrate_kind(
                    kind,
                    scenario,
                    out,
                    settings=settings,
                    points=args.points,
                    replicates=replicates,
                    seed=seed,
                    executor=executor,
                    resume=args.resume,
                    progress=None
                    if args.quiet
                    else (lambda s: print(s, end="\r", file=sys.stderr)),
                )
            except UncalibratedError as exc:  # its trials measure nothing: say so, go on
                print(f"clssim: warning: {kind} not calibrated: {exc}", file=sys.stderr)
                failed.append(kind)
                continue
            entries[kind] = entry
            doc = calibration_file(entries, settings, scenario, seed)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
            tmp.replace(path)
            say(summary_line(kind, entries[kind]))
    finally:
        executor.close()
    if args.install:
        target = Path(__file__).resolve().parent.parent / "evidence" / CALIBRATION_FILE
        shutil.copyfile(path, target)
        say(f"installed {target}")
    say(f"wrote {path}")
    return 1 if failed else 0


def summary_line(kind: str, entry: dict) -> str:
    parts = [
        f"{n} {p['median']:.3g} [{p['ci'][0]:.3g}, {p['ci'][1]:.3g}]"
        + (" AT BOUND" if p["at_bound"] else "")
        for n, p in entry["params"].items()
    ]
    return f"{kind}: {'; '.join(parts)} (ESS {entry['fit']['ess']})"


def _cmd_baseline(args: argparse.Namespace) -> int:
    """``clssim calibrate --baseline``: the baseline's free parameters."""
    from clssim.calibration.baseline import BASELINE_FILE, calibrate_baseline
    from clssim.experiments.executors import make_executor
    from clssim.results import output_dir
    from clssim.scenario import load_scenario

    if args.kinds:
        raise ScenarioError("calibrate --baseline takes no measure kinds")
    if args.install:
        raise ScenarioError(
            "calibrate --baseline: --install is for measures; a fitted baseline becomes "
            "the scenario defaults by a reviewed change (docs/calibration/README.md)"
        )
    points = 18 if args.points is None else args.points
    replicates = 2 if args.replicates is None else args.replicates
    if points < 10:
        raise ScenarioError(f"option --points = {points}: at least 10 are needed")
    if replicates < 1:
        raise ScenarioError(f"option --replicates = {replicates}: at least 1 is needed")
    out = output_dir(args.out)
    scenario = load_scenario(args.scenario).with_overrides({"contract": None, "shocks": []})
    if args.residents is not None:
        scenario = scenario.with_overrides({"population.residents": args.residents})
    executor = make_executor(args.workers, args.scheduler)
    try:
        doc = calibrate_baseline(
            scenario,
            out,
            points=points,
            replicates=replicates,
            seed=args.seed,
            executor=executor,
            resume=args.resume,
            progress=None if args.quiet else (lambda s: print(s, end="\r", file=sys.stderr)),
        )
    finally:
        executor.close()
    path = out / BASELINE_FILE
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    if not args.quiet:
        for name, p in doc["params"].items():
            lo, hi = p["ci"]
            edge = "  (at its range's edge)" if p["at_bound"] else ""
            print(f"{name}: {p['median']:.4g} [{lo:.4g}, {hi:.4g}]{edge}", file=sys.stderr)
        print(f"wrote {path}", file=sys.stderr)
    return 0
