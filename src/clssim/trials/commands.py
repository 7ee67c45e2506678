"""``clssim trial KIND``: a measure's virtual trial, beside its evidence.

Errors in the input (kind, scenario, options) raise
:class:`~clssim.scenario.ScenarioError`, which ``clssim`` prints as one line
with exit status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from clssim.scenario import ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``trial`` to the ``clssim`` parser."""
    p = sub.add_parser(
        "trial",
        help="run a measure's evaluation design in the model, beside its evidence",
        description="Run the virtual trial of one measure kind (or 'all'): the design "
        "its evaluations used, inside the model. Prints, per outcome, the simulated "
        "effect with its 95 % CI across replicates beside the evidence's.",
    )
    p.add_argument("kind", help="measure kind (see docs/contract.md), or 'all'")
    p.add_argument("--scenario", help="scenario TOML to run in (default: the default)")
    p.add_argument("--replicates", type=int, default=20, help="replicates (default 20)")
    p.add_argument("--seed", type=int, help="seed of replicate 0 (default: the scenario's)")
    p.add_argument("--before-days", type=int, default=365, help="run-in (default 365)")
    p.add_argument("--after-days", type=int, default=365, help="follow-up (default 365)")
    p.add_argument("--residents", type=int, help="override the scenario's population")
    p.add_argument(
        "--effect",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set an effect parameter of the measure (repeatable)",
    )
    p.add_argument(
        "--workers",
        type=int,
        help="local worker processes (default: the number of cores; 0 = in this process)",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster")
    p.add_argument("--out", help="also write DIR/trial.json (and nothing else)")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    p.set_defaults(func=cmd_trial)


def _effects(kind: str, pairs: list[str]) -> dict[str, float] | None:
    from clssim.measures import MEASURES

    out: dict[str, float] = {}
    params = MEASURES[kind].params
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ScenarioError(f"option --effect = {pair}: expected NAME=VALUE")
        if name not in params:
            allowed = ", ".join(params) or "none"
            raise ScenarioError(
                f"option --effect = {pair}: {kind} has no effect parameter {name!r}; "
                f"allowed: {allowed}"
            )
        try:
            v = float(value)
        except ValueError:
            raise ScenarioError(f"option --effect = {pair}: {value!r} is not a number") from None
        par = params[name]
        if not par.low <= v <= par.high:
            raise ScenarioError(f"option --effect = {pair}: outside [{par.low:g}, {par.high:g}]")
        out[name] = v
    return out or None


def cmd_trial(args: argparse.Namespace) -> int:
    from clssim.experiments.executors import make_executor
    from clssim.measures import MEASURES
    from clssim.results import output_dir
    from clssim.trials import TrialSettings, base_scenario, run_trial

    kinds = list(MEASURES) if args.kind == "all" else [args.kind]
    if args.kind != "all" and args.kind not in MEASURES:
        raise ScenarioError(
            f"trial: unknown measure kind {args.kind!r}; allowed: all, {', '.join(MEASURES)}"
        )
    if args.replicates < 2:
        raise ScenarioError(f"option --replicates = {args.replicates}: at least 2 are needed")
    if args.before_days < 3 or args.after_days < 1:
        raise ScenarioError("options --before-days >= 3 and --after-days >= 1 are needed")
    if args.residents is not None and args.residents < 100:
        raise ScenarioError(f"option --residents = {args.residents}: at least 100")
    if args.effect and args.kind == "all":
        raise ScenarioError("option --effect needs one measure kind, not 'all'")
    effects = _effects(kinds[0], args.effect) if args.effect else None
    out = output_dir(args.out) if args.out else None
    scenario = base_scenario(args.scenario)
    settings = TrialSettings(args.before_days, args.after_days, args.residents)
    executor = make_executor(args.workers, args.scheduler)
    rows: list[dict[str, Any]] = []
    try:
        for kind in kinds:
            result = run_trial(
                kind, scenario, settings, args.replicates, args.seed, effects, executor
            )
            rows.extend(result.summary())
            if not args.json:
                print(table(result.summary()), flush=True)
    finally:
        executor.close()
    text = json.dumps(rows, indent=2, default=_finite)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "trial.json").write_text(text + "\n", encoding="utf-8")
    if args.json:
        sys.stdout.write(text + "\n")
    return 0


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:+.3f}" if abs(x) < 10 else f"{x:.3g}"


def _ci(ci: list[float] | None) -> str:
    return "" if not ci else f"[{_fmt(ci[0])}, {_fmt(ci[1])}]"


def table(rows: list[dict[str, Any]]) -> str:
    """The human-readable table of one trial."""
    if not rows:
        return ""
    head = f"{rows[0]['kind']} ({rows[0]['design']} trial)"
    lines = [head, "-" * len(head)]
    for r in rows:
        sim = r["simulated"]
        what = f"{r['outcome']}{' (ring)' if r['area'] == 'ring' else ''}"
        if r["ages"]:
            what += f" ages {r['ages'][0]}–{r['ages'][1]}"
        sim_s = f"{_fmt(sim['mean'])} {_ci(sim['ci'])} n={sim['n']}"
        if r["evidence"] is not None:
            ev = r["evidence"]
            ci = _ci(ev["ci"]) + (" (from P)" if ev.get("ci_derived") else "")
            evs = f"{_fmt(ev['mean'])} {ci or '(no CI)'} {ev['source']}"
            verdict = {True: "agree", False: "DIFFER", None: "?"}[r["agree"]]
        elif r["prior"] is not None:
            evs = f"prior {_fmt(r['prior']['mean'])} {_ci(r['prior']['ci'])}"
            verdict = {True: "in prior", False: "OUTSIDE prior", None: "?"}[r["within_prior"]]
        else:
            evs, verdict = "no evidence", ""
        star = "*" if r["primary"] else " "
        lines.append(f"{star} {what:<22} {r['metric']:<16} {sim_s:<36} {evs}  {verdict}")
    lines.append("(* primary outcome; simulated = mean and 95% CI across replicates)")
    return "\n".join(lines) + "\n"
