"""The calibration machinery recovers known parameters, and calibrates a measure
end to end, resumably (issue 14)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from clssim.calibration.emulator import Target, design, fit_emulator, posterior


def toy(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two noisy effects of two parameters: a monotone, mildly curved response."""
    a, b = theta[..., 0], theta[..., 1]
    e1 = -0.3 * a - 0.1 * a**2 + 0.05 * b + rng.normal(0, 0.05, a.shape)
    e2 = 0.1 * a - 0.4 * b + rng.normal(0, 0.05, a.shape)
    return np.stack([e1, e2], axis=-1)


@pytest.mark.parametrize("truth", [(0.3, 0.7), (0.8, 0.2)])
def test_recovers_known_parameters_of_a_toy_model(truth) -> None:
    bounds = [(0.0, 1.0), (0.0, 1.0)]
    rng = np.random.default_rng(1)
    X = np.repeat(design(bounds, 16, seed=2), 4, axis=0)
    Y = toy(X, rng)
    ems = [fit_emulator(X, Y[:, k], bounds) for k in range(2)]
    assert min(em.r2 for em in ems) > 0.8
    true = toy(np.array(truth), np.random.default_rng(0)) * 0 + toy(
        np.array(truth), np.random.default_rng(99)
    )
    exact = np.array(
        [-0.3 * truth[0] - 0.1 * truth[0] ** 2 + 0.05 * truth[1], 0.1 * truth[0] - 0.4 * truth[1]]
    )
    del true
    targets = [Target(f"e{k}", float(exact[k]), 0.02) for k in range(2)]
    post = posterior(ems, targets, bounds, seed=3)
    lo, hi = np.quantile(post.draws, [0.025, 0.975], axis=0)
    assert np.all(lo <= truth) and np.all(truth <= hi)  # the truth is in the 95 % interval
    assert np.all(np.abs(np.median(post.draws, axis=0) - truth) < 0.1)
    assert np.all(hi - lo < 0.4)  # and the evidence narrowed it from the whole box
    assert post.ess > 50 and not any(post.at_bound)


def test_looser_evidence_gives_wider_posteriors() -> None:
    bounds = [(0.0, 1.0), (0.0, 1.0)]
    X = np.repeat(design(bounds, 16, seed=2), 4, axis=0)
    Y = toy(X, np.random.default_rng(1))
    ems = [fit_emulator(X, Y[:, k], bounds) for k in range(2)]
    obs = [-0.15, -0.2]
    width = []
    for se in (0.01, 0.05):
        post = posterior(ems, [Target("a", obs[0], se), Target("b", obs[1], se)], bounds)
        width.append(np.ptp(np.quantile(post.draws, [0.025, 0.975], axis=0), axis=0))
    assert np.all(width[1] > width[0])


def test_an_unreachable_target_is_flagged() -> None:
    bounds = [(0.0, 1.0)]
    X = np.repeat(design(bounds, 8, seed=2), 3, axis=0)
    y = -0.3 * X[:, 0] + np.random.default_rng(0).normal(0, 0.02, len(X))
    post = posterior([fit_emulator(X, y, bounds)], [Target("e", -0.9, 0.02)], bounds)
    assert post.at_bound == [True]


def test_a_measure_calibrates_end_to_end_and_resumes(tmp_path) -> None:
    from clssim.calibration.fit import calibrate_kind
    from clssim.trials import TrialSettings, base_scenario

    small = TrialSettings(before_days=60, after_days=120, residents=1500)
    base = base_scenario(None)
    entry = calibrate_kind(
        "participatory_events", base, tmp_path, settings=small, points=4, replicates=2, seed=5
    )
    p = entry["params"]["participation"]
    assert 0.0 <= p["ci"][0] <= p["median"] <= p["ci"][1] <= 0.4
    assert len(p["draws"]) == 200 and entry["targets"][0]["basis"] == "prior"
    journal = tmp_path / "journal-participatory_events.jsonl"
    lines = journal.read_text().splitlines()
    assert len(lines) == 8
    # a kill after 5 runs: the resumed calibration redoes only the 3 missing ones
    journal.write_text("\n".join(lines[:5]) + "\n" + lines[5][:10])
    again = calibrate_kind(
        "participatory_events",
        base,
        tmp_path,
        settings=small,
        points=4,
        replicates=2,
        seed=5,
        resume=True,
    )
    assert len([json.loads(x) for x in journal.read_text().splitlines()[:5]]) == 5
    assert again["params"] == entry["params"]


def test_the_baseline_fit_scales_every_reporting_probability_and_keeps_their_order() -> None:
    from clssim.calibration.baseline import PARAMS, overrides
    from clssim.scenario import load_scenario

    scen = load_scenario(None)
    assert [p.path for p in PARAMS][1] == "crime.report_scale"
    theta = [0.05, 1.2, -2.0]
    over = overrides(theta, scen)
    assert over["crime.motivation"] == 0.05 and over["insecurity.intercept"] == -2.0
    kinds = ("burglary", "theft", "violence", "vandalism")
    for k in kinds:
        base = getattr(scen.crime, k).report_probability
        assert over[f"crime.{k}.report_probability"] == pytest.approx(min(1.0, 1.2 * base))
    ranked = sorted(kinds, key=lambda k: over[f"crime.{k}.report_probability"])
    assert ranked == sorted(kinds, key=lambda k: getattr(scen.crime, k).report_probability)


def test_the_baseline_fit_runs_resumes_and_moves_the_level_with_motivation(tmp_path) -> None:
    """A tiny end-to-end fit: every design point is journaled, a resumed fit runs
    nothing again, and recorded crime rises with the motivation scale."""
    from clssim.calibration.baseline import calibrate_baseline
    from clssim.scenario import load_scenario

    scen = load_scenario(None).with_overrides({"population.residents": 1500})
    doc = calibrate_baseline(scen, tmp_path, points=10, replicates=1, years=0.3, seed=1)
    rows = [json.loads(x) for x in (tmp_path / "journal-baseline.jsonl").read_text().splitlines()]
    assert len(rows) == 10 and set(doc["params"]) == {
        "crime.motivation",
        "crime.report_scale",
        "insecurity.intercept",
    }
    theta = np.array([r["theta"][0] for r in rows])
    level = np.array([r["values"]["recorded_per_1000_per_year"] for r in rows])
    assert np.corrcoef(theta, level)[0, 1] > 0.5
    again = calibrate_baseline(
        scen, tmp_path, points=10, replicates=1, years=0.3, seed=1, resume=True
    )
    assert again["params"] == doc["params"] and again["fit"]["runs"] == 10


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["calibrate", "--baseline", "street_lighting"], "takes no measure kinds"),
        (["calibrate", "--baseline", "--install"], "--install is for measures"),
        (["calibrate", "--baseline", "--points", "5"], "--points = 5"),
    ],
)
def test_calibrate_baseline_refuses_bad_options_in_one_line(args, fragment, tmp_path, capsys):
    from clssim.cli import main

    assert main([*args, "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]
    assert not (tmp_path / "c").exists()
