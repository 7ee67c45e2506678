"""Robust plans (issue 15): futures, regret, satisficing, and PRIM scenario discovery."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clssim.cli import main
from clssim.experiments.robust import futures, prim_box, robustness
from clssim.experiments.store import load
from tiny import tiny_scenario


def test_futures_are_a_latin_hypercube_over_the_ranges():
    table = futures({"a": (0.0, 1.0), "b": (10.0, 20.0)}, 40, seed=3)
    assert table.shape == (40, 2)
    for col, (lo, hi) in (("a", (0, 1)), ("b", (10, 20))):
        strata = np.floor((table[col] - lo) / (hi - lo) * 40).astype(int)
        assert sorted(strata) == list(range(40))  # one point per stratum
    assert futures({"a": (0.0, 1.0), "b": (10.0, 20.0)}, 40, seed=3).equals(table)


def test_regret_and_satisficing_follow_their_definitions():
    rows = []
    outcomes = {"ref": [100, 100, 100], "a": [90, 99, 110], "b": [95, 80, 96]}
    for plan, values in outcomes.items():
        for f, v in enumerate(values):
            rows.append({"plan": plan, "future": f, "y": float(v), "status": "ok"})
    summary, per = robustness(pd.DataFrame(rows), ["ref", "a", "b"], "y", -0.05)
    s = summary.set_index("plan")
    # regret: outcome minus the best plan's in that future (90, 80, 96)
    assert per[per.plan == "a"]["regret"].tolist() == [0, 19, 14]
    assert s.loc["b", "regret_max"] == 5 and s.loc["ref", "regret_mean"] == pytest.approx(
        (10 + 20 + 4) / 3
    )
    # meets the goal: at most -5 % against ref in the same future
    assert s.loc["a", "satisficing_share"] == pytest.approx(1 / 3)
    assert s.loc["b", "satisficing_share"] == pytest.approx(2 / 3)
    assert np.isnan(s.loc["ref", "satisficing_share"])


def test_prim_finds_the_box_where_failures_concentrate():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x0": rng.random(500), "x1": rng.random(500)})
    fail = (X["x0"] > 0.7).to_numpy() & (rng.random(500) < 0.9)
    box = prim_box(X, fail)
    assert box["restricts"]["x0"][0] > 0.6 and box["density"] > 0.8
    assert box["coverage"] >= 0.5
    assert prim_box(X, np.zeros(500, bool)) is None


def test_robust_command_runs_every_plan_in_every_future_with_common_seeds(tmp_path, capsys):
    base = tmp_path / "base.toml"
    more = tmp_path / "more.toml"
    base.write_text(tiny_scenario("base"))
    more.write_text(tiny_scenario("more", officers=30))
    unc = tmp_path / "u.toml"
    unc.write_text(
        '[uncertainties]\n"crime.motivation" = [0.02, 0.06]\ntrust.baseline = [0.5, 0.7]\n'
    )
    out = tmp_path / "r"
    args = ["robust", str(base), str(more), "--scenarios", "12", "--uncertainties", str(unc)]
    assert main([*args, "--goal-output", "offences_true", "--workers", "0", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "meets goal" in text and "over 12 futures" in text
    runs = load(out)
    assert len(runs) == 24
    seeds = runs.pivot_table(index="future", columns="plan", values="seed")
    assert (seeds["base"] == seeds["more"]).all()  # both plans in the same world
    assert seeds["base"].tolist() == [1 + f for f in range(12)]  # one seed per future
    futures_csv = pd.read_csv(out / "futures.csv")
    assert futures_csv["crime.motivation"].between(0.02, 0.06).all()
    summary = pd.read_csv(out / "robustness.csv")
    assert summary["plan"].tolist() == ["base", "more"]
    per = pd.read_csv(out / "per_future.csv")
    assert (per["regret"] >= 0).all() and (per.groupby("future")["regret"].min() == 0).all()
    doc = json.loads((out / "discovery.json").read_text())
    assert doc["goal"]["reference"] == "base" and set(doc["boxes"]) == {"more"}


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--scenarios", "3"], "--scenarios = 3"),
        (["--goal-change", "x"], "--goal-change = x"),
        (["--goal-output", "nope"], "nope"),
    ],
)
def test_robust_refuses_bad_options_in_one_line(tmp_path, capsys, extra, fragment):
    base = tmp_path / "base.toml"
    base.write_text(tiny_scenario("base"))
    assert main(["robust", str(base), str(base), "--out", str(tmp_path / "x"), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]


def test_robust_refuses_a_bad_uncertainty(tmp_path, capsys):
    base = tmp_path / "base.toml"
    base.write_text(tiny_scenario("base"))
    unc = tmp_path / "u.toml"
    unc.write_text('[uncertainties]\n"crime.motivation" = [0.05, 0.01]\n')
    assert main(["robust", str(base), str(base), "--uncertainties", str(unc)]) == 2
    assert "uncertainties.crime.motivation = [0.05, 0.01]: low must be < high" in (
        capsys.readouterr().err
    )
    unc.write_text('[uncertainties]\n"crime.nope" = [0.0, 1.0]\n')
    assert main(["robust", str(base), str(base), "--uncertainties", str(unc)]) == 2
    assert "uncertainties.crime.nope" in capsys.readouterr().err
