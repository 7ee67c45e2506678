"""Budget-mix search: plans that fit the budget, and the Pareto front."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clssim import CLSModel, ScenarioError, load_scenario
from clssim.cli import main
from clssim.experiments.mixes import (
    measures_for,
    mix_shares,
    mixes_plan,
    pareto_mask,
    target_sizes,
)
from clssim.measures import AXES

SMALL = {
    "time.years": 3.2,
    "population.residents": 600,
    "world.width": 14,
    "world.height": 14,
}


def test_pareto_mask_keeps_only_undominated_rows():
    v = np.array([[1, 1, 1], [2, 2, 2], [0, 3, 1], [1, 1, 1], [1, 0, 5]])
    assert pareto_mask(v).tolist() == [True, False, True, True, True]


def test_mixes_are_reproducible_and_sum_to_one():
    a, b = mix_shares(10, seed=3), mix_shares(10, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert all(abs(m.sum() - 1) < 0.01 for m in a)
    assert len(a) == len(AXES) + 1 + 10


@pytest.mark.parametrize("budget", [50_000, 200_000, 1_000_000])
def test_every_mix_plan_fits_the_budget(budget):
    base = load_scenario().with_overrides(SMALL)
    for shares in mix_shares(20):
        plan = measures_for(shares, budget, staff=4)
        if plan:
            s = base.with_overrides(
                {"contract": {"budget_eur": budget, "staff": 4, "measures": plan}}
            )
            assert s.contract.planned_cost() <= budget


def test_no_line_buys_more_than_its_target_can_absorb():
    """A whole budget on one line buys at most the units its target holds: the
    diagnosis' at-risk youths (a tenth of the youths), the 60 hot spots, the
    isolated elderly; the money left over is not spent."""
    base = load_scenario().with_overrides(SMALL)
    model_pop = CLSModel(base).population
    limits = target_sizes(base, staff=4)
    assert limits["youth"] == round(0.1 * model_pop.youth.sum())
    assert limits["cpted"] == 60
    assert limits["social"] == model_pop.isolated_elderly.sum()
    budget = 1_000_000
    for axis, eye in zip(AXES, np.eye(len(AXES)), strict=True):
        (measure,) = measures_for(eye, budget, 4, limits)
        assert measure["capacity"] <= limits[axis]
        (uncapped,) = measures_for(eye, budget, 4)
        assert uncapped["capacity"] >= measure["capacity"]
    (youth,) = measures_for(np.eye(len(AXES))[0], budget, 4, limits)
    s = base.with_overrides({"contract": {"budget_eur": budget, "staff": 4, "measures": [youth]}})
    assert s.contract.planned_cost() < 0.5 * budget  # the rest of the share is not spent


def test_a_baseline_too_short_for_implementation_is_refused():
    with pytest.raises(ScenarioError, match="ends before"):
        mixes_plan(load_scenario(), budget=100_000, n_random=2, replicates=2)


def _small_base(tmp_path):
    base = tmp_path / "base.toml"
    body = "\n".join(
        f"[{t}]\n"
        + "\n".join(f"{k.split('.')[1]} = {v}" for k, v in SMALL.items() if k.startswith(t))
        for t in ("time", "population", "world")
    )
    base.write_text(
        f'extends = "{load_scenario().base_dir}/neighbourhood.toml"\nname = "b"\n{body}\n'
    )
    return base


def test_mix_search_end_to_end(tmp_path, capsys):
    base = _small_base(tmp_path)
    out = tmp_path / "mixes"
    code = main(
        [
            "mixes",
            str(base),
            "--budget",
            "150000",
            "--mixes",
            "2",
            "--replicates",
            "2",
            "--workers",
            "0",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "mixes.csv")
    assert len(table) >= 6 and table["pareto"].any()
    assert (table["cost_eur"] <= 150_000).all()
    assert (out / "pareto.png").stat().st_size > 0
    assert "Pareto-efficient mixes" in capsys.readouterr().out
    # the planner's report of a mix search shows the front in words
    assert main(["report", str(out)]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    assert ">Intervention mixes under the budget<" in text
    assert "<h1>clssim report — budget mixes" in text  # titled for what it is, not "sweep"
    assert "Pareto-efficient" in text and "paired runs" in text


def test_nsga2_mix_search_runs_each_new_mix_once_and_resumes(tmp_path, capsys, monkeypatch):
    """``mixes --search``: generations of new mixes, each run once (a journal keeps
    them), and a resumed search rebuilds the same front without running anything."""
    from clssim.experiments import executors

    base = _small_base(tmp_path)
    out = tmp_path / "search"
    args = ["mixes", str(base), "--budget", "150000", "--search", "2", "--population", "4"]
    args += ["--replicates", "2", "--workers", "0", "--out", str(out)]
    assert main(args) == 0
    table = pd.read_csv(out / "mixes.csv")
    assert len(table) >= 6 and table["pareto"].any() and "NSGA-II" in capsys.readouterr().out
    journal = (out / "search.jsonl").read_text().splitlines()
    assert len(journal) == 2 * (len(table) + 1)  # every mix and the baseline, 2 seeds, once
    ran = []
    real = executors.SerialExecutor.map_unordered

    def counting(self, tasks, fn=None):
        tasks = list(tasks)
        ran.extend(tasks)
        return real(self, tasks) if fn is None else real(self, tasks, fn)

    monkeypatch.setattr(executors.SerialExecutor, "map_unordered", counting)
    assert main([*args, "--resume"]) == 0
    assert ran == []  # nothing run again
    again = pd.read_csv(out / "mixes.csv")
    pd.testing.assert_frame_equal(again, table)


def test_officers_cost_no_cash_so_a_tiny_budget_still_moves_them() -> None:
    """Proximity officers are moved from response duty (in-kind), so any share of
    a budget buys the contract's staff; the cash lines need their fixed cost."""
    from clssim.experiments.mixes import AXES, measures_for

    shares = np.full(len(AXES), 1.0 / len(AXES))
    plan = measures_for(shares, 100.0, 4, {})
    assert [m["kind"] for m in plan] == ["proximity_beat"] and plan[0]["capacity"] == 4


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--budget", "nan"], "option --budget = nan: must be a positive number of euros"),
        (["--budget", "inf"], "option --budget = inf: must be a positive number of euros"),
        (["--budget", "200000", "--seed", "-1"], "option --seed = -1: must be in [0, 2**62)"),
        (["--budget", "200000", "--search", "0"], "option --search = 0: must be at least 1"),
        (
            ["--budget", "200000", "--search", "2", "--mixes", "3"],
            "options --mixes and --search: give one or the other",
        ),
        (
            ["--budget", "200000", "--search", "2", "--population", "1"],
            "option --population = 1: must be at least 2",
        ),
    ],
)
def test_bad_mix_options_are_refused_before_any_run(tmp_path, capsys, options, fragment):
    base = load_scenario().base_dir + "/lisbon_baseline.toml"
    out = tmp_path / "m"
    assert main(["mixes", base, *options, "--replicates", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
    assert not out.exists()


def test_dominance_needs_intervals_apart():
    """A mix better on point estimates but within the other's noise does not
    dominate it; one whose intervals lie wholly better does."""
    point = np.array([[-10.0, -0.010, 100.0], [-8.0, -0.008, 100.0], [-2.0, -0.001, 100.0]])
    half = np.array([[3.0, 0.003, 0.0]] * 3)
    assert pareto_mask(point).tolist() == [True, False, False]
    robust = pareto_mask(point, point - half, point + half)
    assert robust.tolist() == [True, True, False]  # row 1 overlaps row 0; row 2 is apart
