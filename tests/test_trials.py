"""Virtual trials: designs, determinism, the command, and that they see the
mechanisms they test (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from clssim.experiments.executors import LocalExecutor
from clssim.trials import TrialSettings, base_scenario, run_replicate, run_trial, trial_tasks
from clssim.trials.outcomes import compare_groups, did_counts, smd, state_change

#: small and short: a trial replicate in about a second
SMALL = TrialSettings(before_days=120, after_days=240, residents=2000)


@pytest.fixture(scope="module")
def base():
    return base_scenario(None)


def test_did_and_smd_follow_the_cards_sign_conventions() -> None:
    # treated halves, control unchanged: −50 %; Welsh–Farrington OR 2 (favours treatment)
    assert did_counts("relative_change", 100, 50, 80, 80) == pytest.approx(-0.5)
    assert did_counts("odds_ratio_wf", 100, 50, 80, 80) == pytest.approx(2.0)
    t, c = np.array([0, 0, 1, 1.0]), np.array([1, 1, 2, 2.0])
    assert smd(t, c, up=False) > 0  # fewer offences in treated favours it
    assert smd(t, c, up=True) < 0
    assert compare_groups("relative_change", t, c, up=False) == pytest.approx(0.5 / 1.5 - 1)
    assert compare_groups("risk_ratio", t, c, up=False) == pytest.approx(0.5)
    before = np.array([0.5, 0.6, 0.4, 0.5])
    d = state_change("smd", before, before - 0.1, before, before, up=False)
    assert d == pytest.approx(0.1 / before.std(ddof=1))  # less fear favours treatment


def test_a_replicate_is_a_pure_function_of_its_task(base) -> None:
    task = trial_tasks("street_lighting", base, SMALL, 1, seed=5)[0]
    a, b = run_replicate(task), run_replicate(dict(task))
    assert a == b
    assert any(np.isfinite(v) for v in a["estimates"].values())


def test_executors_and_order_give_the_same_trial(base) -> None:
    serial = run_trial("dv_awareness", base, SMALL, replicates=2, seed=3).summary()
    ex = LocalExecutor(2)
    try:
        pooled = run_trial("dv_awareness", base, SMALL, replicates=2, seed=3, executor=ex)
    finally:
        ex.close()
    assert json.dumps(serial) == json.dumps(pooled.summary())


def _effect(base, kind, outcome, seeds, **effects) -> float:
    """Mean simulated effect on ``outcome`` over ``seeds`` (paired across calls)."""
    res = run_trial(kind, base, SMALL, replicates=len(seeds), seed=seeds[0], effects=effects)
    row = next(r for r in res.summary() if r["outcome"] == outcome and r["area"] == "treated")
    return row["simulated"]["mean"]


def test_the_greening_trial_sees_reassurance_move_fear(base) -> None:
    """Branas et al. 2018: fear around greened lots fell far more than crime. The
    reassurance parameter must move the trial's insecurity outcome."""
    none = _effect(base, "vacant_lot_greening", "insecurity", [11, 12], reassurance=0.0)
    strong = _effect(base, "vacant_lot_greening", "insecurity", [11, 12], reassurance=3.0)
    assert strong < none - 0.05


def test_the_youth_trial_sees_the_propensity_parameter(base) -> None:
    low = _effect(base, "youth_programme", "delinquency", [21, 22], propensity=-0.6)
    high = _effect(base, "youth_programme", "delinquency", [21, 22], propensity=0.6)
    assert high > low + 0.1  # d > 0 favours the programme


def test_expected_offences_resolve_a_place_effect_counts_cannot(base) -> None:
    """The trial's estimate (expected offences) varies far less across replicates
    than the same contrast of counted offences, on a few dozen hot spots."""
    res = run_trial("street_lighting", base, SMALL, replicates=4, seed=6)
    key = next(k for k in res.estimates if k.startswith("crime|relative_change|treated"))
    expected, counted = np.log1p(res.estimates[key]), np.log1p(res.counted[key])
    assert np.std(expected, ddof=1) < 0.5 * np.std(counted, ddof=1)


def test_the_proximity_trial_is_foot_patrol_on_randomly_treated_hot_spots(base) -> None:
    """Ratcliffe et al.'s design (ODD §7.24): foot beats on 4 treated hot spots cut
    violence there against control hot spots, more so the more an officer deters."""
    weak, strong = (
        run_trial("proximity_beat", base, SMALL, replicates=2, seed=3, effects={"presence": p})
        for p in (0.05, 1.0)
    )
    assert weak.summary()[0]["design"] == "place"
    key = "violence|relative_change|treated|all"
    assert np.mean(strong.estimates[key]) < np.mean(weak.estimates[key]) - 0.1
    assert np.mean(strong.estimates[key]) < -0.2


def test_a_force_trial_compares_paired_runs(base) -> None:
    res = run_trial("pj_training", base, SMALL, replicates=2, seed=4).summary()
    assert res[0]["design"] == "force"
    assert all(r["simulated"]["n"] == 2 for r in res if r["outcome"] in ("crime", "legitimacy"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "clssim.cli", *args], capture_output=True, text=True, timeout=600
    )


def test_trial_command_prints_json_beside_the_evidence(tmp_path) -> None:
    out = tmp_path / "t"
    r = _cli(
        "trial",
        "vacant_lot_greening",
        "--replicates",
        "2",
        "--residents",
        "2000",
        "--before-days",
        "120",
        "--after-days",
        "240",
        "--workers",
        "0",
        "--json",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows == json.loads((out / "trial.json").read_text())
    need = {"kind", "outcome", "metric", "simulated", "evidence", "agree", "primary"}
    assert all(need <= set(row) for row in rows)
    primary = [row for row in rows if row["primary"]]
    assert len(primary) == 1 and primary[0]["outcome"] == "crime"
    ev = primary[0]["evidence"]
    assert ev["mean"] == pytest.approx(-0.133) and "Branas" in ev["source"]
    assert ev["ci"] is not None and ev["ci_derived"]  # from P < 0.01
    assert set(primary[0]["simulated"]) == {"mean", "ci", "n", "counted"}
    assert set(primary[0]["simulated"]["counted"]) == {"mean", "ci", "n"}
    assert any(row["area"] == "ring" and row["evidence"] is None for row in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trial", "cctv"], "unknown measure kind 'cctv'; allowed: all, youth_programme"),
        (["trial", "street_lighting", "--replicates", "1"], "--replicates = 1"),
        (["trial", "street_lighting", "--effect", "x=1"], "no effect parameter 'x'"),
    ],
)
def test_trial_command_refuses_bad_input_in_one_line(args, message) -> None:
    r = _cli(*args)
    assert r.returncode == 2
    assert message in r.stderr and r.stderr.count("\n") == 1
