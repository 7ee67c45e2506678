"""Assemble the planner's monitoring and evaluation report: one HTML file.

The report never misleads: every effect is given with its confidence
interval and its number of replicates, and an effect whose interval spans
zero is called *uncertain* in words. Wherever recorded crime moves
differently from true crime, a plain-language warning says so.
"""

from __future__ import annotations

import base64
import html
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from clssim.experiments.compare import benefit_cost, cost_effectiveness, paired_difference
from clssim.experiments.methods import METHODS
from clssim.measures import AXIS_TITLES, MEASURES
from clssim.report import figures
from clssim.report.data import Study, load_study
from clssim.results import REPORT_GROUPS, output_dir
from clssim.scenario import ScenarioError
from clssim.style import export
from clssim.version import __version__

#: Headline outcomes: summary key → (plain name, unit, lower is better?)
OUTCOMES = {
    "offences_true_last_year": ("true offences in the last year", "offences", True),
    "offences_recorded_last_year": ("recorded offences in the last year", "offences", True),
    "reporting_rate_last_year": ("share of offences reported", "share", False),
    "mean_insecurity_last_year": ("mean perceived insecurity", "0–1", True),
    "mean_trust_last_year": ("mean trust in police", "0–1", False),
    "youth_offences_last_year": ("offences by youths (12–24)", "offences", True),
    "youth_repeat_offences_last_year": ("repeat offences by youths", "offences", True),
}

#: Captions of the figures that ``clssim sweep``, ``sensitivity`` and ``mixes`` save
IMAGE_CAPTIONS = {
    "pareto": "Offences prevented against insecurity reduced, per budget mix (mean of paired "
    "replicates against the baseline, with their 95% intervals); shade: cost; ringed: the "
    "mixes no other mix dominates with intervals apart.",
    "sweep": "Each output against the swept parameters: mean and 95% interval over replicates.",
    # the sensitivity figures: each method's captions (clssim.experiments.methods)
    **{stem: text for m in METHODS.values() for stem, text in m.captions.items()},
}

CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#111;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:2px solid #111;padding-bottom:.2rem;
margin-top:2.2rem}h3{margin-bottom:.3rem}.meta{color:#444;font-size:.9rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.88rem;width:100%}
th,td{border-bottom:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.85rem;color:#333}
.warn{border-left:5px solid #000;background:#f3f3f3;padding:.6rem .9rem;margin:.8rem 0}
.key{border:2px solid #111;padding:.6rem 1rem;margin:1rem 0}
.uncertain{font-style:italic}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}figure{page-break-inside:avoid}}
"""


class Report:
    """Sections of HTML and the figures they embed."""

    def __init__(self, figures_dir: Path | None):
        self.parts: list[str] = []
        self.figures_dir = figures_dir
        self.n_fig = 0

    def h(self, level: int, text: str) -> None:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def p(self, text: str, cls: str | None = None) -> None:
        c = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{c}>{text}</p>")

    def raw(self, markup: str) -> None:
        self.parts.append(markup)

    def figure(self, fig, name: str, caption: str) -> None:
        self.n_fig += 1
        png = export(fig, f"{self.n_fig:02d}_{name}", self.figures_dir)
        data = base64.b64encode(png).decode("ascii")
        self.parts.append(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>Figure {self.n_fig}. {html.escape(caption)}</figcaption></figure>"
        )

    def table(self, frame: pd.DataFrame, numeric: set[str] | None = None) -> None:
        numeric = numeric or set()
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
        rows = []
        for rec in frame.itertuples(index=False):
            cells = []
            for col, v in zip(frame.columns, rec, strict=True):
                cls = ' class="num"' if col in numeric else ""
                cells.append(f"<td{cls}>{html.escape(str(v))}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        self.parts.append(f"<table><tr>{head}</tr>{''.join(rows)}</table>")

    def html(self, title: str) -> str:
        body = "\n".join(self.parts)
        return (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body>\n{body}\n</body></html>\n"
        )


# ----------------------------------------------------------------- numbers in words


def fmt(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "n/a"
    if unit == "share":  # a change of a share: percentage points, not a relative change
        return f"{100 * x:+.1f} pp"
    if unit == "0–1":  # four decimals: a mix's insecurity change is often below 0.001
        return f"{round(x, 4) + 0.0:+.4f}"  # + 0.0: no "-0.0000"
    return f"{x:+,.1f}"


def describe(name: str, unit: str, d: dict[str, float], lower_better: bool) -> str:
    """One sentence: the change, its interval, n, and whether it is certain."""
    n = d["n"]
    ci = f"95% CI {fmt(d['ci_low'], unit)} to {fmt(d['ci_high'], unit)}, {n} paired runs"
    if n < 2 or not math.isfinite(d["ci_low"]):
        return (
            f"{name.capitalize()}: {fmt(d['diff'], unit)} ({n} run; no interval — "
            "run more replicates before drawing conclusions)."
        )
    rel = f" ({d['rel_change']:+.1%} relative)" if unit == "share" else f" ({d['rel_change']:+.1%})"
    rel = rel if math.isfinite(d["rel_change"]) else ""
    if d["ci_low"] <= 0 <= d["ci_high"]:
        return (
            f'<span class="uncertain">{name.capitalize()}: {fmt(d["diff"], unit)}{rel} — '
            f"uncertain: the interval includes no change ({ci}).{_more(d)}</span>"
        )
    better = (d["diff"] < 0) == lower_better
    verdict = "an improvement" if better else "a deterioration"
    return f"{name.capitalize()}: {fmt(d['diff'], unit)}{rel}, {verdict} ({ci})."


def _more(d: dict[str, float], level: float = 0.95) -> str:
    """How many paired replicates would resolve a difference of the size seen."""
    from scipy import stats

    from clssim.experiments.precision import replicates_needed

    n, half = d["n"], (d["ci_high"] - d["ci_low"]) / 2
    if n < 2 or not math.isfinite(half) or d["diff"] == 0:
        return ""
    sd = half * math.sqrt(n) / stats.t.ppf(0.5 + level / 2, n - 1)
    need = replicates_needed(d["diff"], sd, level)
    if need <= n:
        return ""
    return (
        f" About {need:,} paired replicates would resolve a difference of this size, "
        "if it is real (clssim compare --precision adds them in batches)."
    )


def summaries(study: Study) -> pd.DataFrame:
    """One row per run: arm, replicate seed and every summary number (from the
    study's stored table when it has one, else from the run directories)."""
    if study.table is not None:
        return study.table
    rows = []
    for arm, runs in study.arms.items():
        for r in runs:
            flat = {k: v for k, v in r.summary.items() if isinstance(v, int | float)}
            rows.append({"arm": arm, "replicate": r.seed, "status": "ok", **flat})
    return pd.DataFrame(rows)


def paired(table: pd.DataFrame, base: str, arm: str, key: str) -> dict[str, float]:
    if key not in table:
        return paired_difference(np.array([]), np.array([]))
    p = table.pivot_table(index="replicate", columns="arm", values=key, aggfunc="first")
    return paired_difference(p[base].to_numpy(), p[arm].to_numpy())


def divergence_warnings(table: pd.DataFrame, base: str, arm: str) -> list[str]:
    """Plain-language warnings where recorded crime moves unlike true crime."""
    true = paired(table, base, arm, "offences_true_last_year")
    rec = paired(table, base, arm, "offences_recorded_last_year")
    rate = paired(table, base, arm, "reporting_rate_last_year")
    if not (math.isfinite(true["diff"]) and math.isfinite(rec["diff"])):
        return []
    t_rel, r_rel = true["rel_change"], rec["rel_change"]
    if np.sign(true["diff"]) == np.sign(rec["diff"]) and abs(t_rel - r_rel) <= 0.05:
        return []
    if np.sign(true["diff"]) != np.sign(rec["diff"]):
        how = "rose while true crime fell" if rec["diff"] > 0 else "fell while true crime rose"
    elif abs(r_rel) < abs(t_rel):
        how = "moved less than true crime"
    else:
        how = "moved more than true crime"
    why = (
        "More victims report when they trust the police, so police statistics can rise "
        "while crime falls."
        if rate["diff"] > 0
        else "Fewer victims report, so police statistics understate crime."
    )
    return [
        f"<b>Recorded crime is not true crime.</b> Under <i>{html.escape(arm)}</i>, recorded "
        f"offences changed by {r_rel:+.0%} and true offences by {t_rel:+.0%}: recorded crime "
        f"{how}. The share of offences reported changed by {fmt(rate['diff'], 'share')}. "
        f"{why} Do not judge the plan by police statistics alone."
    ]


# ----------------------------------------------------------------- sections


def _header(rep: Report, study: Study) -> str:
    if study.kind == "run":
        run = next(iter(study.arms.values()))[0]
        title = f"clssim report — {run.summary['scenario']}"
        sub = f"One run, seed {run.seed}, {run.summary['years']:g} simulated years."
    elif study.kind == "compare":
        title = "clssim report — " + " vs ".join(study.arms)
        sub = (
            f"Comparison of {len(study.arms)} scenarios, {study.replicates} replicates each, "
            "run with the same seeds (common random numbers)."
        )
    elif (study.path / "mixes.csv").is_file():
        title = f"clssim report — budget mixes {study.path.name}"
        sub = "Budget mixes across the four axes and proximity policing, against the baseline."
    else:
        title = f"clssim report — sweep {study.path.name}"
        sub = "Sensitivity analysis and parameter sweep."
    rep.raw(f"<h1>{html.escape(title)}</h1>")
    rep.p(
        f"{html.escape(sub)} Made with clssim {__version__} on {date.today():%d %B %Y} "
        f"from <code>{html.escape(str(study.path))}</code>.",
        "meta",
    )
    rep.p(
        "This is a simulation, not a forecast: numbers show what the model implies under "
        "its assumptions (see the ODD in the clssim documentation). <i>True</i> crime "
        "counts every offence in the model; <i>recorded</i> crime only those reported to "
        "the police — the only crime the police and the diagnosis can see. A change in a "
        "share (such as the share of offences reported) is given in percentage points (pp).",
        "meta",
    )
    return title


def _key_results(rep: Report, study: Study, table: pd.DataFrame) -> None:
    rep.h(2, "Key results")
    if study.kind == "run" or not study.variants:
        run = study.arms[study.baseline][0]
        s = run.summary
        rep.raw(
            '<div class="key"><ul>'
            f"<li>{s['offences_true']:,} offences happened; {s['offences_recorded']:,} "
            f"({s['recording_rate']:.0%}) were recorded by the police.</li>"
            f"<li>Mean trust in police {s.get('mean_trust', float('nan')):.2f} and mean "
            f"perceived insecurity {s.get('mean_insecurity', float('nan')):.2f} (0–1 scales).</li>"
            f"<li>Half of all offences happened in {s['cells_with_50pct_offences']:.1%} of "
            "the street segments.</li>"
            "<li>One run has no confidence interval: compare scenarios with "
            "<code>clssim compare … --replicates 10</code> before deciding.</li></ul></div>"
        )
        return
    base = study.baseline
    for arm in study.variants:
        items = []
        for key, (name, unit, lower) in OUTCOMES.items():
            if key in table:
                items.append(
                    f"<li>{describe(name, unit, paired(table, base, arm, key), lower)}</li>"
                )
        rep.raw(
            f'<div class="key"><h3>{html.escape(arm)} compared with {html.escape(base)}</h3>'
            f"<ul>{''.join(items)}</ul></div>"
        )
        for w in divergence_warnings(table, base, arm):
            rep.raw(f'<div class="warn">{w}</div>')


def _plan_kinds(study: Study, targets: dict[str, set[str]] | None = None) -> dict[str, list[str]]:
    """Each measure kind of the compared arms → the arms that fund it (and, into
    ``targets`` when given, kind → the targets it is funded on)."""
    from clssim.scenario import load_scenario

    kinds: dict[str, list[str]] = {}
    for arm in study.arms:
        path = study.path / "arms" / f"{arm}.toml"
        if not path.is_file():
            continue
        try:
            scenario = load_scenario(path)
        except ScenarioError:
            continue
        for m in scenario.contract.measures if scenario.contract else []:
            if targets is not None:
                targets.setdefault(m.kind, set()).add(m.resolved_target)
            kinds.setdefault(m.kind, [])
            if arm not in kinds[m.kind]:
                kinds[m.kind].append(arm)
    return kinds


def _transfer_warning(rep: Report, targets: dict[str, set[str]]) -> None:
    """Warn where a plan funds a measure on a kind of target other than the one
    its effect was calibrated on (its evaluations' design, ``trial_target``)."""
    from clssim.measures import MEASURES, parse_target

    moved = []
    for kind, used in sorted(targets.items()):
        cls = MEASURES.get(kind)
        if cls is None or not cls.trial_target:
            continue
        form = parse_target(cls.trial_target)[0]
        other = sorted(t for t in used if parse_target(t)[0] != form)
        if other:
            moved.append(f"{kind} (here on {', '.join(other)}; calibrated on {cls.trial_target})")
    if moved:
        rep.raw(
            '<div class="warn">Calibrated on another kind of place than this plan uses: '
            + html.escape("; ".join(moved))
            + ". The effect fitted where the evaluations measured it is carried over "
            "to places no evaluation measured (ODD §7.24).</div>"
        )


def _evidence(rep: Report, study: Study) -> None:
    """What the plan's effects rest on, and the two sources of uncertainty."""
    from clssim.evidence import load_cards
    from clssim.evidence.calibration import load_calibration

    if study.kind != "compare" or study.comparison is None:
        return
    targets: dict[str, set[str]] = {}
    kinds = _plan_kinds(study, targets)
    if not kinds:
        return
    cards, calibrated = load_cards(), load_calibration().get("kinds", {})
    rep.h(2, "What the measures' effects rest on")
    rows = []
    for kind, arms in sorted(kinds.items()):
        c = cards.get(kind)
        strength = c.strength if c is not None else "none"
        primary = c.primary if c is not None else None
        found = "—"
        if primary is not None:
            ci = primary.interval
            found = f"{primary.outcome}: {primary.metric} {primary.mean:+.3g}" + (
                f" [{ci[0]:+.3g}, {ci[1]:+.3g}]" if ci else " (no CI)"
            )
            found += f"; {c.cite(primary.source)}"
        rows.append(
            {
                "measure": kind,
                "in arms": ", ".join(arms),
                "evidence": "none: prior only" if strength == "none" else strength,
                "what evaluations found (primary outcome)": found,
                "effect parameters": (
                    "calibrated" if kind in calibrated else "uncalibrated defaults"
                ),
            }
        )
    rep.table(pd.DataFrame(rows))
    bare = [r["measure"] for r in rows if r["evidence"].startswith("none")]
    if bare:
        rep.raw(
            '<div class="warn">'
            + html.escape(", ".join(bare))
            + (" has" if len(bare) == 1 else " have")
            + " no evaluation behind "
            + ("its" if len(bare) == 1 else "their")
            + " effect: the model runs "
            + ("it" if len(bare) == 1 else "them")
            + " on a deliberately wide prior. Whatever part of a plan's effect comes "
            "from these measures is an assumption, not a finding.</div>"
        )
    _transfer_warning(rep, targets)
    if not calibrated:
        rep.p(
            "No calibration ships with this version: every measure ran with its "
            "uncalibrated default effect, and the intervals below hold only the "
            "simulation's noise."
        )
        return
    effects = study.comparison.get("effects", "evidence")
    split = pd.DataFrame(study.comparison.get("uncertainty") or [])
    if effects == "central":
        rep.p(
            "This comparison ran with <b>fixed effects</b> (<code>--fixed-effects</code>): each "
            "measure at its calibrated median. Its intervals hold only the simulation's "
            "noise and are narrower than what is known about the measures justifies."
        )
        return
    rep.p(
        "Each replicate drew every measure's effect from its calibrated uncertainty "
        "(the evidence), and the same seeds ran again with every measure at its "
        "calibrated median (fixed effects), so each interval splits into two sources: "
        "the <i>evidence</i> (what evaluations leave unknown about each measure) and "
        "the <i>simulation</i> (run-to-run noise, which more replicates reduce)."
    )
    if split.empty:
        return
    keep = split[split["output"].isin(OUTCOMES)].copy()
    if keep.empty:
        keep = split.copy()
    keep["output"] = [OUTCOMES.get(o, (o,))[0] for o in keep["output"]]
    keep = keep.rename(
        columns={
            "diff": "difference (evidence draws)",
            "diff_fixed": "difference (fixed effects)",
            "half_width_total": "± 95% CI, both sources",
            "half_width_simulation": "± 95% CI, simulation only",
            "evidence_share": "share of variance from the evidence",
        }
    )
    numeric = [c for c in keep.columns if c not in ("output", "arm")]
    keep[numeric] = keep[numeric].map(lambda v: f"{v:.3g}" if np.isfinite(v) else "n/a")
    rep.table(keep)
    rep.p(
        "With few replicates each variance is itself uncertain (with 10, to about ±45 %), so "
        "the split is rough; a share of 0 means the fixed-effect runs happened to vary as "
        "much as the evidence runs."
    )


def _diagnosis(rep: Report, study: Study) -> None:
    arm = study.contract_arm()
    if arm is None:
        return
    run = study.arms[arm][0]
    if not run.diagnosis:
        return
    d = run.diagnosis
    rep.h(2, "The Local Safety Diagnosis")
    rep.p(
        f"Computed on day {d['day']} from recorded crime and what partners shared "
        f"(information sharing {d['information_sharing']:.0%}). In this run "
        f"{d['hotspot_precision']:.0%} of the diagnosed hot spots were among the true top "
        f"{len(d['hotspots'])}, and {d['at_risk_precision']:.0%} of the "
        f"{d['at_risk_youths']} youths it listed as at risk truly were. Low trust, low "
        "reporting and poor information sharing make the diagnosis — and the plan built "
        "on it — miss the places and people that matter."
    )
    rep.figure(
        figures.diagnosis_maps(run),
        "diagnosis_maps",
        "Hot spots the diagnosis found in recorded crime (left, squares) beside the true "
        f"distribution of crime before day {d['day']} (right, squares: the true top cells). "
        f"Run with seed {run.seed}.",
    )
    groups = pd.DataFrame(d["vulnerable_groups"])
    if not groups.empty:
        groups = groups.rename(
            columns={
                "relative_to_all": "vs everyone",
                "victimised_share": "victimised (share)",
            }
        )
        rep.p("Vulnerable groups, from a survey of 10% of residents (most afraid first):")
        rep.table(
            groups, numeric={"respondents", "insecurity", "vs everyone", "victimised (share)"}
        )


def _plan(rep: Report, study: Study) -> None:
    arm = study.contract_arm()
    if arm is None:
        return
    run = study.arms[arm][0]
    s = run.summary
    rep.h(2, "The intervention plan and its cost")
    months = run.measures
    if months is not None and not months.empty:
        plan = (
            months.groupby("measure", sort=False)
            .agg(
                kind=("kind", "first"),
                line=("axis", "first"),
                lead=("lead", "first"),
                participants=("participants", "max"),
                cells=("cells", "max"),
                spent=("spent_eur", "max"),
            )
            .reset_index()
        )
        plan = plan.rename(columns={"line": "axis"})
        plan["axis"] = plan["axis"].map(AXIS_TITLES)
        plan["what it does"] = plan["kind"].map(lambda k: MEASURES[k].description)
        # what each measure spent by the end of the run (the monthly rows are samples)
        final = s.get("measure_spent_eur", {})
        plan["spent"] = plan["measure"].map(final).fillna(plan["spent"])
        plan["spent"] = plan["spent"].map(lambda v: f"€{v:,.0f}")
        rep.table(plan, numeric={"participants", "cells", "spent"})
    began = {t["stage"]: t["day"] for t in run.stages or []}
    last_day = int(run.timeseries["day"].max())
    stages = ", ".join(
        f"{name} {began[name]}"
        if name in began
        else f"{name} not reached (planned for day {s[f'stage_{name}_day']})"
        for name in ("diagnosis", "plan", "implementation", "monitoring")
    )
    rep.p(
        f"Contract type <b>{html.escape(str(s['contract_type']))}</b>; budget "
        f"€{s['budget_eur']:,.0f}; planned cost €{s['planned_cost_eur']:,.0f}; spent "
        f"€{s['cost_eur']:,.0f}. Stages began on days: {stages} (the run ended on day "
        f"{last_day})."
    )
    if "implementation" not in began:
        rep.raw(
            '<div class="warn"><b>The plan never acted.</b> The run ended before the '
            "implementation stage began, so no measure was delivered and the results show "
            "the neighbourhood without the contract. Run more simulated years.</div>"
        )
    rep.figure(figures.spending(run), "spending", "Spending by axis and over time.")


def _trends_and_maps(rep: Report, study: Study) -> None:
    if not study.has_run_files:
        kept = study.comparison is None or study.comparison.get("run_files", True)
        why = (
            "some arm has no run directory (did its runs fail? see runs.parquet)"
            if kept
            else "this comparison did not keep them (<code>--no-run-files</code>); run "
            "<code>clssim compare</code> without that flag to see them, and the diagnosis "
            "and plan of a contract"
        )
        rep.p(f"Trends over time and maps need each run's files: {why}.", "meta")
        return
    rep.h(2, "Trends")
    n = study.replicates
    band = (
        f"Lines are means over {n} replicates; shaded bands are 95% confidence intervals."
        if n > 1
        else "A single run: no confidence band."
    )
    rep.figure(
        figures.trends(study),
        "trends",
        f"True and recorded offences per month, trust and insecurity. {band} Dashed "
        "vertical lines mark the contract's stages.",
    )
    rep.h(2, "Where: crime and insecurity on the map")
    contract = study.contract_arm()
    versus = (
        ", and its difference from the baseline"
        if contract is not None and contract != study.baseline
        else ""
    )
    rep.figure(
        figures.crime_maps(study),
        "maps",
        f"Offences per street segment before the contract and in the last year (mean of "
        f"runs), and insecurity of residents at the end{versus}.",
    )


def _groups(rep: Report, study: Study, table: pd.DataFrame) -> None:
    if not study.variants:
        return
    rows = []
    for arm in study.variants:
        for var in ("insecurity", "trust"):
            for g in REPORT_GROUPS:
                d = paired(table, study.baseline, arm, f"{var}_{g}_last_year")
                if math.isfinite(d["diff"]):
                    rows.append({"arm": arm, "variable": var, "group": g, **d})
    if not rows:
        return
    frame = pd.DataFrame(rows)
    rep.h(2, "Effects by group")
    rep.figure(
        figures.group_effects(frame),
        "groups",
        f"Change in last-year insecurity and trust by group against {study.baseline}, with "
        f"95% intervals over {study.replicates} paired replicates.",
    )
    lines = []
    for r in frame.itertuples():
        label = figures.GROUP_LABELS.get(r.group, r.group)
        d = {k: getattr(r, k) for k in ("n", "diff", "ci_low", "ci_high", "rel_change")}
        sentence = describe(
            f"{r.variable} of {label} ({r.arm})", "0–1", d, r.variable == "insecurity"
        )
        lines.append(f"<li>{sentence}</li>")
    rep.raw("<ul>" + "".join(lines) + "</ul>")


def _costs(rep: Report, study: Study, table: pd.DataFrame) -> None:
    if study.kind != "compare" or "cost_eur" not in table:
        return
    table = table.copy()
    table["cost_eur"] = table["cost_eur"].fillna(0.0)
    ce = cost_effectiveness(table, list(study.arms))
    ce = ce[np.isfinite(ce["per_10000_eur"])] if not ce.empty else ce
    if ce.empty:
        return
    rep.h(2, "Cost-effectiveness")
    rep.figure(
        figures.cost_effectiveness(ce),
        "cost_effectiveness",
        "Offences prevented and insecurity reduced per €10,000 of contract cost, with "
        f"paired BCa bootstrap 95% intervals over {study.replicates} replicates.",
    )
    for r in ce.itertuples():
        spans = r.ci_low <= 0 <= r.ci_high
        word = " — uncertain: the interval includes zero" if spans else ""
        rep.p(
            f"{html.escape(r.arm)}: {r.per_10000_eur:+.3g} {html.escape(r.effect)} per €10,000 "
            f"(95% interval {r.ci_low:+.3g} to {r.ci_high:+.3g}, {r.pairs} paired runs){word}.",
            "uncertain" if spans else None,
        )
    bc = benefit_cost(table, list(study.arms))
    if bc.empty:
        return
    rep.h(3, "Benefit–cost: the social cost of crime averted")
    rep.p(
        "Harm is every true offence valued at the social cost of one offence of its type "
        "(victims' losses and suffering, health, lost output, police and justice), Portugal, "
        "2024 euros, transferred from the Home Office's unit costs of crime (ODD §7.25). A "
        "ratio above 1 says the crime averted is worth more than the contract's cash cost; "
        "partners' in-kind staff time is not in the cost."
    )
    if "inkind_eur" in table:
        inkind = table.groupby("arm")["inkind_eur"].mean()
        parts = [f"{html.escape(a)} €{v:,.0f}" for a, v in inkind.items() if v > 0]
        if parts:
            rep.p(
                "Partners' in-kind staff time (officers, municipal staff, association "
                "workers, at employer cost; not paid from the budget), mean per run: "
                + "; ".join(parts)
                + "."
            )
    for r in bc.itertuples():
        spans = not (r.bcr_ci_low > 1 or r.bcr_ci_high < 1)
        word = " — uncertain: the interval includes 1" if spans else ""
        rep.p(
            f"{html.escape(r.arm)}: harm averted €{r.harm_averted_eur:,.0f} (95% interval "
            f"€{r.harm_ci_low:,.0f} to €{r.harm_ci_high:,.0f}) for €{r.extra_cost_eur:,.0f}: "
            f"benefit–cost ratio {r.benefit_cost_ratio:.2f} (95% interval {r.bcr_ci_low:.2f} "
            f"to {r.bcr_ci_high:.2f}; {r.bcr_at_low_unit_costs:.2f} to "
            f"{r.bcr_at_high_unit_costs:.2f} at the low and high unit costs of crime){word}.",
            "uncertain" if spans else None,
        )


def _sweep(rep: Report, study: Study) -> None:
    path = study.path
    runs = study.sweep_runs
    if runs is not None:
        failed = int((runs["status"] != "ok").sum()) if "status" in runs else 0
        rep.p(
            f"{len(runs):,} runs stored ({failed} failed) in <code>{html.escape(str(path))}</code>."
        )
    mixes = path / "mixes.csv"
    if mixes.is_file():
        _mixes(rep, pd.read_csv(mixes))
    for method in (m.name for m in METHODS.values() if m.analyses):
        table = path / f"{method}_indices.csv"
        if table.is_file():
            rep.h(2, f"Sensitivity ({method.capitalize()})")
            rep.p(METHODS[method].report_text)
            frame = pd.read_csv(table).round(4)
            rep.table(frame, numeric=set(frame.columns[2:]))
            noise = path / f"{method}_noise.csv"
            if noise.is_file():
                rep.p("Replicate noise: the share of output variance due to seeds alone.")
                rep.table(pd.read_csv(noise).round(4))
    sets = path / "sets.csv"
    if sets.is_file():
        rep.h(2, "Parameter sets")
        frame = pd.read_csv(sets).round(4)
        rep.table(frame.head(60), numeric=set(frame.select_dtypes("number").columns))
    if study.images:
        rep.h(2, "Figures")
    for name, image in study.images.items():
        data = base64.b64encode(Path(image).read_bytes()).decode("ascii")
        rep.n_fig += 1
        caption = IMAGE_CAPTIONS.get(name, name.replace("_", " ") + ".")
        rep.raw(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>Figure {rep.n_fig}. {html.escape(caption)}</figcaption></figure>"
        )


def _mixes(rep: Report, table: pd.DataFrame) -> None:
    """The Pareto-efficient budget mixes, with intervals in words."""
    rep.h(2, "Intervention mixes under the budget")
    front = table[table["pareto"]].sort_values("cost_eur")
    rep.p(
        f"{len(table)} mixes were compared with the baseline, {int(table['replicates'].min())} "
        f"paired replicates each; {len(front)} are Pareto-efficient: no other mix prevents "
        "more offences, lowers insecurity more and costs less at the same time with its 95% "
        "intervals apart from theirs"
        + (
            f" (on point estimates alone {int(table['pareto_point'].sum())} would be; the "
            "others' intervals overlap them, so more replicates are needed to rank them)."
            if "pareto_point" in table
            else "."
        )
    )
    items = []
    for r in front.itertuples():
        shares = ", ".join(
            f"{AXIS_TITLES[a]} {getattr(r, a):.0%}" for a in AXIS_TITLES if getattr(r, a) > 0.005
        )
        parts = []
        for key, name, unit in (
            ("offences_true", "true offences in the last year", "offences"),
            ("mean_insecurity", "mean insecurity", "0–1"),
        ):
            d = {
                "n": r.replicates,
                "diff": getattr(r, f"{key}_change"),
                "ci_low": getattr(r, f"{key}_ci_low"),
                "ci_high": getattr(r, f"{key}_ci_high"),
                "rel_change": math.nan,
            }
            parts.append(describe(name, unit, d, True))
        items.append(
            f"<li><b>€{r.cost_eur:,.0f}</b> — {html.escape(shares)}<ul><li>"
            + "</li><li>".join(parts)
            + "</li></ul></li>"
        )
    rep.raw("<ul>" + "".join(items) + "</ul>")


def build_report(path: str | Path, out: str | Path | None = None) -> Path:
    """Write the HTML report of a run, compare or sweep directory; return its path.

    Figures are also written as PNG and PDF next to it (``<out stem>_figures/``).
    """
    study = load_study(path)
    out = Path(out) if out else Path(path) / "report.html"
    if out.is_dir():
        raise ScenarioError(
            f"option --out = {out}: is a directory; give a file name such as {out / 'report.html'}"
        )
    output_dir(out.parent, shown=out)  # refuse an unwritable --out before drawing anything
    figures_dir = out.with_name(f"{out.stem}_figures")
    rep = Report(figures_dir)
    title = _header(rep, study)
    if study.kind == "sweep":
        _sweep(rep, study)
    else:
        table = summaries(study)
        _key_results(rep, study, table)
        _evidence(rep, study)
        _diagnosis(rep, study)
        _plan(rep, study)
        _trends_and_maps(rep, study)
        _groups(rep, study, table)
        _costs(rep, study, table)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(rep.html(title), encoding="utf-8")
    tmp.replace(out)
    return out
