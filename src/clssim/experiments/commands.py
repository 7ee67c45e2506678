"""CLI subcommands of the experiment layer (``sweep``, ``compare``, ``sensitivity``).

Every input is checked before any run starts (experiment file, scenario
files, outputs, output directory, scheduler); errors raise
:class:`~clssim.scenario.ScenarioError`, which ``clssim`` prints as one line
with exit status 2. An interrupted command (Ctrl-C, ``kill``) keeps every
finished run: rerun it with ``--resume``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from clssim.experiments.methods import METHODS, analysis_names, one_of
from clssim.scenario import ScenarioError

EXIT_INTERRUPTED = 130


def _executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="output directory (default: out/NAME)")
    p.add_argument(
        "--workers",
        type=int,
        help="local worker processes (default: the number of cores; 0 = in this process)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster, e.g. tcp://HOST:8786 (see docs/experiments.md)",
    )
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="give up reaching --scheduler after this long (default 10)",
    )
    p.add_argument("--resume", action="store_true", help="skip the runs already stored in --out")
    p.add_argument(
        "--batch",
        type=int,
        default=200,
        metavar="ROWS",
        help="finished runs per Parquet part (default 200; each run is journaled at once)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar or tables")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the experiment subcommands to the ``clssim`` parser."""
    sw = sub.add_parser(
        "sweep",
        help="run every parameter set × replicate of an experiment file",
        description="Run an experiment (experiments/*.toml): one row per run in "
        "DIR/runs.parquet; interrupted sweeps continue with --resume.",
    )
    sw.add_argument("experiment", help="experiment TOML file")
    _fixed_effects_option(sw)
    _executor_options(sw)
    sw.set_defaults(func=cmd_sweep)

    cp = sub.add_parser(
        "compare",
        help="compare scenarios with common random numbers (paired differences)",
        description="Run BASELINE and each VARIANT with the same seeds and report, for "
        "every output, each arm's mean and the paired difference with a 95% CI.",
    )
    cp.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="baseline, then variants")
    cp.add_argument(
        "--replicates", type=int, default=10, help="runs per arm (seeds root..root+N-1; default 10)"
    )
    cp.add_argument(
        "--outputs",
        help="comma-separated outputs (summary keys or ts:COLUMN:AGG[:WINDOW]; "
        "default: the headline indicators, and costs when the scenarios have them)",
    )
    cp.add_argument("--seed", type=int, help="first seed (default: the baseline's seed)")
    cp.add_argument(
        "--precision",
        metavar="PCT",
        help="add --replicates replicates at a time until the 95%% CI of the primary "
        "output's relative change is at most ±PCT (e.g. 5%% = ±5 points), or "
        "--max-replicates is reached",
    )
    cp.add_argument(
        "--max-replicates",
        type=int,
        default=100,
        help="cap on the replicates --precision may add up to (default 100)",
    )
    cp.add_argument(
        "--primary",
        metavar="OUTPUT",
        help="the output --precision applies to (default: offences_true_last_year, "
        "else the first compared output)",
    )
    cp.add_argument(
        "--multiplicity",
        choices=("holm", "bh", "none"),
        default="holm",
        help="correction of the p-values across the comparison's outputs and arms: Holm "
        "(family-wise error, the default), bh (Benjamini-Hochberg false discovery rate) "
        "or none; the stars of the table use it",
    )
    _fixed_effects_option(cp)
    cp.add_argument(
        "--no-run-files",
        action="store_true",
        help="do not write each run's files to DIR/runs/ARM/seed-N/ (only the tables)",
    )
    _executor_options(cp)
    cp.set_defaults(func=cmd_compare)

    se = sub.add_parser(
        "sensitivity",
        help="Morris screening or Sobol indices of an experiment (SALib)",
        description="Run the experiment's Morris or Sobol design and compute the indices "
        "with bootstrap CIs, a convergence check, the replicate-noise share and plots.",
    )
    se.add_argument("experiment", help="experiment TOML file with design.method morris or sobol")
    se.add_argument(
        "--method", choices=analysis_names(), help="must match design.method (default: it)"
    )
    se.add_argument(
        "--samples", type=int, help="override design.samples (trajectories, or Sobol base N)"
    )
    _executor_options(se)
    se.set_defaults(func=cmd_sensitivity)

    mx = sub.add_parser(
        "mixes",
        help="search budget mixes across the four axes and proximity policing (Pareto front)",
    )
    mx.add_argument("baseline", help="baseline scenario TOML (without a [contract])")
    mx.add_argument("--budget", type=float, required=True, help="budget in euros")
    mx.add_argument(
        "--mixes",
        type=int,
        help="evaluate the 6 fixed and this many random mixes instead of searching",
    )
    mx.add_argument(
        "--search",
        type=int,
        metavar="GENERATIONS",
        help="generations of the NSGA-II search (default 3; the default design)",
    )
    mx.add_argument(
        "--population", type=int, default=12, help="mixes per generation of --search (12)"
    )
    mx.add_argument("--replicates", type=int, default=5, help="replicates per mix (default 5)")
    mx.add_argument("--years", type=float, help="override the baseline's simulated years")
    mx.add_argument("--seed", type=int, help="root seed (default: the baseline's)")
    _fixed_effects_option(mx)
    _executor_options(mx)
    mx.set_defaults(func=cmd_mixes)

    rb = sub.add_parser(
        "robust",
        help="judge plans across sampled futures: regret, satisficing, futures of failure",
        description="Run every PLAN in each of N futures sampled from the uncertainties "
        "(common random numbers across plans) and report, per plan, the outcome's "
        "distribution, its regret against the best plan in each future, the share of "
        "futures in which it meets the goal, and where it fails (PRIM).",
    )
    rb.add_argument("plans", nargs="+", metavar="PLAN", help="reference plan, then the others")
    rb.add_argument("--scenarios", type=int, default=50, help="futures to sample (default 50)")
    rb.add_argument(
        "--uncertainties",
        metavar="FILE",
        help="TOML file with an [uncertainties] table of path = [low, high] (default: "
        "the built-in ranges, docs/experiments.md)",
    )
    rb.add_argument(
        "--goal-output",
        default=None,
        help="outcome judged, lower is better (default offences_true_last_year)",
    )
    rb.add_argument(
        "--goal-change",
        default="-5%",
        help="a plan meets the goal in a future when its outcome changes by at most this "
        "against the reference plan there (default -5%%)",
    )
    rb.add_argument("--seed", type=int, help="root seed and futures' seed (default: the plan's)")
    _executor_options(rb)
    rb.set_defaults(func=cmd_robust)


def _fixed_effects_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fixed-effects",
        action="store_true",
        help="measures at their calibrated median effects (default: each replicate "
        "draws them from the evidence's uncertainty)",
    )


def _check_seed(seed: int | None) -> None:
    if seed is not None and not 0 <= seed < 2**62:
        raise ScenarioError(f"option --seed = {seed}: must be in [0, 2**62)")


def _out(args: argparse.Namespace, name: str) -> Path:
    """``--out``, or ``out/NAME`` (NAME made safe as a directory name); refused in one
    line, before any run, when it cannot be written."""
    from clssim.results import output_dir

    out = Path(args.out) if args.out else Path("out") / (re.sub(r"[^\w.-]+", "_", name) or "x")
    return output_dir(out)


def _run(
    plan,
    out: Path,
    args: argparse.Namespace,
    experiment_text: str | None = None,
    executor: Any = None,
):
    """Run ``plan`` into ``out`` (on ``executor`` if given, else the one the options
    ask for); returns the report, or None when interrupted."""
    from clssim.experiments.sweep import run_plan

    if args.workers is not None and args.workers < 0:
        raise ScenarioError(f"option --workers = {args.workers}: must be 0 or more")
    if args.scheduler and args.workers is not None:
        raise ScenarioError("options --workers and --scheduler: give one or the other")
    if args.batch < 1:
        raise ScenarioError(f"option --batch = {args.batch}: must be at least 1")
    if args.connect_timeout <= 0:
        raise ScenarioError(f"option --connect-timeout = {args.connect_timeout:g}: must be > 0")
    try:
        report = run_plan(
            plan,
            out,
            executor=executor,
            workers=args.workers,
            scheduler=args.scheduler,
            connect_timeout=args.connect_timeout,
            resume=args.resume,
            quiet=args.quiet,
            batch_rows=args.batch,
            experiment_text=experiment_text,
        )
    except KeyboardInterrupt:
        from clssim.experiments.store import load

        try:
            stored = len(load(out)) if (out / "manifest.json").is_file() else 0
        except Exception:  # reporting only: never mask the interrupt
            stored = 0
        print(
            f"clssim: interrupted; {stored} of {plan.n_runs} runs stored in {out}; "
            "run the same command with --resume to continue",
            file=sys.stderr,
        )
        return None
    if not args.quiet:
        print(report.line())
    if report.failed:
        print(
            f"clssim: warning: {report.failed} run(s) failed; their errors are in "
            f"{out}/runs.parquet (column error)",
            file=sys.stderr,
        )
    return report


def cmd_sweep(args: argparse.Namespace) -> int:
    from clssim.experiments import plots
    from clssim.experiments.plan import plan_from_experiment
    from clssim.experiments.spec import load_experiment
    from clssim.experiments.sweep import summarise_store

    exp = load_experiment(args.experiment)
    if args.fixed_effects and exp.base.contract is not None:
        exp.base = exp.base.with_overrides({"contract.effects": "central"})
    plan = plan_from_experiment(exp)
    out = _out(args, exp.name)
    report = _run(plan, out, args, exp.text)
    if report is None:
        return EXIT_INTERRUPTED
    if not report.complete:
        return 1
    sets = summarise_store(out, plan.output_names)
    sets.to_csv(out / "sets.csv", index=False)
    written = ["runs.parquet", "sets.csv"]
    if not METHODS[exp.spec.design.method].sampled:  # a grid: means against the parameters
        png = plots.sweep_plot(
            sets, list(exp.spec.parameters), plan.output_names, out / "sweep.png"
        )
        if png is not None:
            written.append(png.name)
    if not args.quiet:
        print(f"wrote {', '.join(written)} in {out}/")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from clssim.experiments import plots
    from clssim.experiments.compare import (
        compare_plan,
        fixed,
        format_bc,
        format_ce,
        format_table,
        write_comparison,
    )
    from clssim.experiments.store import load
    from clssim.scenario import load_scenario

    if len(args.scenarios) < 2:
        raise ScenarioError("compare needs a baseline and at least one variant scenario")
    outputs = None
    if args.outputs is not None:
        outputs = [o.strip() for o in args.outputs.split(",") if o.strip()]
        if not outputs:
            raise ScenarioError("option --outputs: give at least one output")
    _check_seed(args.seed)
    out = _out(args, "compare")
    target = _precision(args)

    def make_plan(replicates: int):
        return compare_plan(
            args.scenarios,
            replicates=replicates,
            outputs=outputs,
            root_seed=args.seed,
            run_files=None if args.no_run_files else out,
            fixed_effects=args.fixed_effects,
        )

    plan = make_plan(args.replicates)
    if args.primary is not None and args.primary not in plan.meta["compared"]:
        raise ScenarioError(
            f"option --primary = {args.primary}: not a compared output; allowed: "
            + ", ".join(plan.meta["compared"])
        )
    scenarios = {
        arm: fixed(load_scenario(path)) if args.fixed_effects else load_scenario(path)
        for arm, path in zip(plan.meta["arms"], args.scenarios, strict=True)
    }
    warnings = (s.horizon_warning("time.years") for s in scenarios.values())
    for warning in dict.fromkeys(w for w in warnings if w is not None):  # after every check
        print(f"clssim: warning: {warning}", file=sys.stderr)
    precise = executor = None
    if target is not None:
        from clssim.experiments.executors import make_executor
        from clssim.experiments.precision import CachedExecutor, reach_precision

        if out.is_dir() and any(out.iterdir()):
            raise ScenarioError(f"--out {out}: is not empty; --precision needs a new directory")
        inner = make_executor(args.workers, args.scheduler, args.connect_timeout)
        try:
            precise, cache = reach_precision(
                make_plan,
                inner,
                batch=args.replicates,
                target=target,
                cap=args.max_replicates,
                output=args.primary,
                progress=None if args.quiet else (lambda s: print(s, file=sys.stderr)),
            )
        except BaseException:
            inner.close()
            raise
        plan = make_plan(precise.replicates)
        executor = CachedExecutor(inner, cache)  # the final store reruns nothing
    try:
        report = _run(plan, out, args, executor=executor)
    finally:
        if executor is not None:
            executor.close()
    if report is None:
        return EXIT_INTERRUPTED
    if not report.complete:
        return 1
    table, ce = write_comparison(out, plan, load(out), scenarios, multiplicity=args.multiplicity)
    if precise is not None:
        path = out / "comparison.json"
        payload = json.loads(path.read_text(encoding="utf-8"))
        payload["precision"] = {
            "output": precise.output,
            "target": precise.target,
            "met": precise.met,
            "replicates": precise.replicates,
            "halfwidth": precise.halfwidth,
            "history": precise.history,
            "max_replicates": args.max_replicates,
        }
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    plots.compare_plot(table, out / "comparison.png")
    if not args.quiet:
        seeds = f"seeds {plan.root_seed}–{plan.root_seed + plan.replicates - 1}"
        print(
            f"\n{len(scenarios)} arms × {plan.replicates} replicates, common random numbers "
            f"({seeds}); baseline: {plan.meta['arms'][0]}\n"
        )
        print(format_table(table))
        if not ce.empty:
            print()
            print(format_ce(ce))
        if (out / "benefit_cost.csv").is_file():
            print()
            print(format_bc(pd.read_csv(out / "benefit_cost.csv")))
        files = "runs.parquet, comparison.csv, comparison.json, comparison.png, arms/"
        if not ce.empty:
            files += ", cost_effectiveness.csv, benefit_cost.csv"
        if (out / "uncertainty.csv").is_file():
            files += ", uncertainty.csv"
        if plan.run_files is not None:
            files += ", runs/"
        print(f"\nwrote {files} in {out}/")
        if precise is not None:
            print(precise.line())
    return 0


def cmd_robust(args: argparse.Namespace) -> int:
    """Judge plans across sampled futures (clssim.experiments.robust)."""
    import tomllib

    from clssim.experiments.robust import (
        DEFAULT_UNCERTAINTIES,
        GOAL_CHANGE,
        GOAL_OUTPUT,
        check_uncertainties,
        format_robust,
        futures,
        prim_box,
        robust_plan,
        robustness,
    )
    from clssim.experiments.spec import check_outputs
    from clssim.experiments.store import load
    from clssim.scenario import load_scenario

    if len(args.plans) < 2:
        raise ScenarioError("robust needs a reference plan and at least one other plan")
    if args.scenarios < 10:
        raise ScenarioError(f"option --scenarios = {args.scenarios}: at least 10 are needed")
    _check_seed(args.seed)
    base = load_scenario(args.plans[0])
    uncertainties: dict = dict(DEFAULT_UNCERTAINTIES)
    if args.uncertainties is not None:
        try:
            doc = tomllib.loads(Path(args.uncertainties).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ScenarioError(f"--uncertainties {args.uncertainties}: {exc}") from None
        if not isinstance(doc.get("uncertainties"), dict) or not doc["uncertainties"]:
            raise ScenarioError(
                f"--uncertainties {args.uncertainties}: needs an [uncertainties] table "
                'of path = [low, high], e.g. "crime.motivation" = [0.03, 0.05]'
            )
        uncertainties = _flatten(doc["uncertainties"])
    uncertainties = check_uncertainties(uncertainties, base)
    output = args.goal_output or GOAL_OUTPUT
    from clssim.experiments.outputs import parse_output

    try:
        parsed = parse_output(output)
    except ValueError as exc:
        raise ScenarioError(f"option --goal-output: {exc}") from None
    check_outputs([parsed], base, "option --goal-output")
    goal = _share(args.goal_change)
    if not -1 <= goal <= 1:
        raise ScenarioError(
            f"option --goal-change = {args.goal_change}: a relative change between -100% and "
            f"100%, e.g. {GOAL_CHANGE:.0%}"
        )
    seed = base.seed if args.seed is None else args.seed
    table = futures(uncertainties, args.scenarios, seed)
    plan = robust_plan(args.plans, table, outputs=[output], root_seed=seed)
    out = _out(args, "robust")
    report = _run(plan, out, args)
    if report is None:
        return EXIT_INTERRUPTED
    if not report.complete:
        return 1
    runs = load(out)
    plans = plan.meta["plans"]
    summary, per_future = robustness(runs, plans, output, goal)
    table.rename_axis("future").to_csv(out / "futures.csv")
    summary.to_csv(out / "robustness.csv", index=False)
    per_future.to_csv(out / "per_future.csv", index=False)
    boxes = {}
    for p in plans[1:]:
        sub = per_future[per_future["plan"] == p].set_index("future")
        boxes[p] = prim_box(table.loc[sub.index], ~sub["met"].to_numpy(bool))
    (out / "discovery.json").write_text(
        json.dumps(
            {
                "goal": {"output": output, "change": goal, "reference": plans[0]},
                "uncertainties": {k: list(v) for k, v in uncertainties.items()},
                "boxes": boxes,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    if not args.quiet:
        print()
        print(format_robust(summary, output, goal, boxes))
        print(
            f"\nwrote runs.parquet, futures.csv, robustness.csv, per_future.csv, "
            f"discovery.json in {out}/"
        )
    return 0


def _flatten(table: dict, prefix: str = "") -> dict:
    """``{"crime": {"motivation": [a, b]}}`` or ``{"crime.motivation": [a, b]}`` → flat paths."""
    out = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out |= _flatten(v, key + ".")
        else:
            out[key] = v
    return out


def _share(text: str) -> float:
    """``5%`` or ``0.05`` as 0.05; NaN when it is neither."""
    text = text.strip()
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return math.nan


def _precision(args: argparse.Namespace) -> float | None:
    """``--precision`` as a share (``5%`` or ``0.05``), checked with ``--max-replicates``."""
    if args.precision is None:
        return None
    value = _share(args.precision)
    if not 0 < value < 1:
        raise ScenarioError(
            f"option --precision = {args.precision}: give a half-width between 0 and 100 %, e.g. 5%"
        )
    if args.max_replicates < args.replicates:
        raise ScenarioError(
            f"option --max-replicates = {args.max_replicates}: below --replicates = "
            f"{args.replicates}"
        )
    return value


def cmd_mixes(args: argparse.Namespace) -> int:
    """Search budget mixes across the four axes and proximity policing."""
    from clssim.experiments.mixes import evaluate_mixes, format_front, mixes_plan, pareto_plot
    from clssim.experiments.store import load
    from clssim.scenario import load_scenario

    baseline = load_scenario(args.baseline)
    if args.years is not None:
        try:
            baseline = baseline.with_overrides({"time.years": args.years})
        except ScenarioError as exc:
            raise ScenarioError(str(exc).replace("<overrides>", "option --years")) from None
    if args.mixes is not None and args.search is not None:
        raise ScenarioError("options --mixes and --search: give one or the other")
    if args.mixes is not None and args.mixes < 0:
        raise ScenarioError(f"option --mixes = {args.mixes}: must be 0 or more")
    if args.mixes is None and args.search is None:
        args.search = 3  # the default: search
    _check_seed(args.seed)
    common = dict(
        budget=args.budget,
        replicates=args.replicates,
        root_seed=args.seed,
        fixed_effects=args.fixed_effects,
    )
    plan = mixes_plan(baseline, n_random=args.mixes or 0, **common)  # checks the options first
    out = _out(args, "mixes")
    executor = searched = None
    if args.search is not None:
        searched, plan, executor = _search_mixes(args, baseline, common, out, plan.meta["staff"])
    try:
        report = _run(plan, out, args, executor=executor)
    finally:
        if executor is not None:
            executor.close()
    if report is None:
        return EXIT_INTERRUPTED
    if not report.complete:
        return 1
    table = evaluate_mixes(load(out))
    table.to_csv(out / "mixes.csv", index=False)
    pareto_plot(table, out / "pareto.png")
    if not args.quiet:
        print(
            f"\n{len(table)} mixes under €{args.budget:,.0f}, {plan.replicates} replicates each "
            f"with common random numbers; changes vs {baseline.name} in the last year.\n"
            "Pareto-efficient mixes, dominance only where 95% intervals separate (the share "
            "of the budget offered to each line; a line spends only what its target can "
            "absorb, so the cost column can be lower):\n"
        )
        print(format_front(table))
        if searched is not None:
            print(
                f"\nNSGA-II: {args.search} generations of {args.population}; "
                f"{len(table)} distinct mixes evaluated ({searched.shares.shape[0]} asked for)"
            )
        print(f"\nwrote runs.parquet, mixes.csv, pareto.png in {out}/")
    return 0


def _search_mixes(args: argparse.Namespace, baseline, common: dict, out: Path, staff: int):
    """``mixes --search``: run NSGA-II; returns its record, the plan of every mix it
    evaluated and an executor that serves their runs to the final store."""
    from clssim.experiments.executors import make_executor
    from clssim.experiments.mixes import mixes_plan, search_mixes, target_sizes
    from clssim.experiments.precision import CachedExecutor
    from clssim.experiments.store import SEARCH_JOURNAL

    if args.search < 1:
        raise ScenarioError(f"option --search = {args.search}: must be at least 1 generation")
    if args.population < 2:
        raise ScenarioError(f"option --population = {args.population}: must be at least 2")
    journal = out / SEARCH_JOURNAL
    if not args.resume and out.is_dir() and any(out.iterdir()):
        raise ScenarioError(
            f"--out {out}: is not empty; --search needs a new directory, or --resume to "
            "continue the search it holds"
        )
    out.mkdir(parents=True, exist_ok=True)
    # the lines' target sizes, once (each generation's plan would build the population)
    limits = target_sizes(baseline, staff)
    inner = make_executor(args.workers, args.scheduler, args.connect_timeout)
    try:
        plan, cache, searched = search_mixes(
            lambda shares: mixes_plan(baseline, shares=shares, limits=limits, **common),
            inner,
            population=args.population,
            generations=args.search,
            journal=journal,
            progress=None if args.quiet else (lambda s: print(s, file=sys.stderr)),
        )
    except BaseException:
        inner.close()
        raise
    return searched, plan, CachedExecutor(inner, cache)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from clssim.experiments.plan import plan_from_experiment
    from clssim.experiments.sensitivity import analyze, outputs_from_table
    from clssim.experiments.spec import load_experiment
    from clssim.experiments.store import load

    exp = load_experiment(args.experiment)
    d = exp.spec.design
    method = METHODS[d.method]
    src = args.experiment
    if not method.analyses:
        raise ScenarioError(
            f"{src}: design.method = {d.method!r}: sensitivity needs "
            f"{one_of(analysis_names(), quote=True)}"
        )
    if args.method is not None and args.method != d.method:
        raise ScenarioError(
            f"option --method = {args.method}: {src} has design.method = {d.method!r}; "
            "use a file with the method you want"
        )
    samples = args.samples
    problem = None if samples is None else method.check_samples(samples)
    if problem is not None:
        raise ScenarioError(f"option --samples = {samples}: {problem}")
    plan = plan_from_experiment(exp, samples=samples)
    out = _out(args, exp.name)
    report = _run(plan, out, args, exp.text)
    if report is None:
        return EXIT_INTERRUPTED
    if not report.complete:
        return 1
    names = list(exp.spec.parameters)
    ys = outputs_from_table(load(out), len(plan.sets), plan.replicates, plan.output_names)
    try:
        result = analyze(
            d.method,
            plan.unit,
            ys,
            names,
            levels=d.levels,
            second_order=d.second_order,
            seed=d.seed + 1,
        )
    except ValueError as exc:
        print(f"clssim: error: {exc}", file=sys.stderr)
        return 1
    files = result.write(out)
    if not args.quiet:
        print()
        print(result.text())
        print(f"\nwrote {', '.join(f.name for f in files)} in {out}/")
    return 0
