"""Comparisons and sensitivity analysis.

The analysis functions are model-agnostic, so they are checked on functions
whose answer is known: the paired confidence interval covers a known effect
at its nominal rate; Sobol indices of the Ishigami function and Morris
effects of a linear function are recovered; the replicate-noise share of a
noisy function matches its variance decomposition. The commands are then run
end to end on tiny scenarios.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from clssim.cli import main
from clssim.experiments import sensitivity
from clssim.experiments.compare import (
    adjust_p,
    compare_callable,
    compare_table,
    cost_effectiveness,
    format_table,
    paired_difference,
    ratio_ci,
)
from clssim.experiments.store import load
from tiny import tiny_scenario


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("clssim: error: "), lines[0]
    return lines[0]


# ------------------------------------------------------------------ compare


def synthetic(params, seed):
    """A known effect plus noise shared across arms (common random numbers) and a
    little noise of each arm's own."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0.0, 5.0)
    own = np.random.default_rng([seed, params["arm_id"]]).normal(0.0, 1.0)
    offences = 100.0 - params["effect"] + shared + own
    return {"offences_true": offences, "cost_eur": 50_000.0 + params["spend"] + own}


ARMS = {
    "base": {"arm_id": 0, "effect": 0.0, "spend": 0.0},
    "variant": {"arm_id": 1, "effect": 3.0, "spend": 20_000.0},
}


def test_paired_ci_covers_a_known_effect_at_the_nominal_rate():
    covered = 0
    trials = 400
    for k in range(trials):
        _, table = compare_callable(synthetic, ARMS, replicates=8, root_seed=1000 * k)
        row = table[(table["output"] == "offences_true") & (table["arm"] == "variant")].iloc[0]
        covered += row["ci_low"] <= -3.0 <= row["ci_high"]
    assert 0.92 <= covered / trials <= 0.98
    # common random numbers: the shared noise (sd 5) cancels, the interval is narrow
    _, table = compare_callable(synthetic, ARMS, replicates=30, root_seed=7)
    row = table[(table["output"] == "offences_true") & (table["arm"] == "variant")].iloc[0]
    assert row["ci_high"] - row["ci_low"] < 2.0
    base_mean = table[(table["output"] == "offences_true") & table["baseline"]]["arm_mean"].iloc[0]
    assert row["rel_change"] == pytest.approx(row["diff"] / base_mean)


def test_paired_difference_details():
    base = np.array([10.0, 12.0, 11.0, np.nan])
    var = np.array([8.0, 11.0, 9.0, 7.0])
    d = paired_difference(base, var)
    assert d["n"] == 3 and d["diff"] == pytest.approx(-5 / 3)
    assert d["rel_change"] == pytest.approx((-5 / 3) / 11.0)
    assert d["ci_low"] < d["diff"] < d["ci_high"] and 0 < d["p_value"] < 1
    same = paired_difference(base, base)
    assert same["diff"] == 0 and same["ci_low"] == same["ci_high"] == 0 and same["p_value"] == 1


def test_cost_effectiveness_recovers_a_known_ratio():
    runs, _ = compare_callable(synthetic, ARMS, replicates=40, root_seed=3)
    ce = cost_effectiveness(runs, ["base", "variant"], effects={"offences_true": "prevented"})
    row = ce.iloc[0]
    # 3 offences prevented for 20,000 EUR: 1.5 per 10,000 EUR
    assert row["extra_cost_eur"] == pytest.approx(20_000, abs=1)
    assert row["ci_low"] <= 1.5 <= row["ci_high"]
    assert row["per_10000_eur"] == pytest.approx(1.5, abs=0.3)
    assert cost_effectiveness(runs.drop(columns="cost_eur"), ["base", "variant"]).empty


def test_holm_and_bh_adjust_as_their_definitions_say():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    # Holm: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1, then a running maximum
    assert adjust_p(p, "holm")[:4] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert np.isnan(adjust_p(p, "holm")[4])
    # Benjamini-Hochberg: p_(k) m / k, then a running minimum from the top
    assert adjust_p(p, "bh")[:4] == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert adjust_p(p, "none")[:4] == pytest.approx(p[:4])
    with pytest.raises(ValueError, match="allowed: holm, bh, none"):
        adjust_p(p, "bonferroni")


def noise_outputs(params, seed):
    """Twenty outputs with no effect at all and one with a large one."""
    rng = np.random.default_rng([seed, params["arm_id"]])
    out = {f"null_{k}": rng.normal() for k in range(20)}
    out["real"] = rng.normal() - 5.0 * params["arm_id"]
    return out


def test_stars_are_corrected_for_the_many_outputs_of_a_comparison():
    """Unadjusted, some of twenty null outputs come out 'significant' across seeds;
    Holm keeps the family-wise error near 5 % and still finds the real effect."""
    arms = {"base": {"arm_id": 0}, "variant": {"arm_id": 1}}
    false_raw = false_holm = found = 0
    for k in range(40):
        _, table = compare_callable(noise_outputs, arms, replicates=8, root_seed=100 * k)
        rows = table[~table["baseline"]]
        null = rows[rows["output"] != "real"]
        false_raw += bool((null["p_value"] < 0.05).any())
        false_holm += bool((null["p_adjusted"] < 0.05).any())
        found += bool(rows[rows["output"] == "real"]["p_adjusted"].iloc[0] < 0.05)
    assert false_raw >= 16  # 1 − 0.95^20 ≈ 64 % of comparisons, in expectation
    assert false_holm <= 6 and found == 40
    text = format_table(table)
    assert "Holm-adjusted p < 0.05 across the comparison's 21 tests" in text


def test_ratio_intervals_are_bca_and_cover_a_known_ratio():
    """The cost-effectiveness and benefit-cost ratios get a BCa interval (scipy's),
    which covers the true ratio of means near its nominal rate at 30 pairs."""
    from scipy import stats

    rng = np.random.default_rng(0)
    cost = rng.lognormal(np.log(1000), 0.6, 12)
    effect = 2.0 * cost * rng.lognormal(0, 0.5, 12)
    ratio, lo, hi = ratio_ci(effect, cost, 1.0, 0.95, 2000, np.random.default_rng(5))
    assert lo < ratio < hi
    seed = int(np.random.default_rng(5).integers(2**32))
    ref = stats.bootstrap(
        (effect, cost),
        lambda e, c, axis=-1: e.mean(axis) / c.mean(axis),
        paired=True,
        vectorized=True,
        n_resamples=2000,
        method="BCa",
        rng=np.random.default_rng(seed),
    ).confidence_interval
    assert (lo, hi) == pytest.approx((ref.low, ref.high))
    assert ratio_ci(np.full(5, 3.0), np.full(5, 2.0), 1.0, 0.95, 500, rng) == (1.5, 1.5, 1.5)
    covered, trials = 0, 200
    for _ in range(trials):
        c = rng.lognormal(np.log(1000), 0.6, 30)
        e = 2.0 * c * rng.lognormal(0, 0.5, 30) / np.exp(0.125)  # E[e] / E[c] = 2
        _, lo, hi = ratio_ci(e, c, 1.0, 0.95, 1000, rng)
        covered += lo <= 2.0 <= hi
    assert 0.88 <= covered / trials <= 0.99


def test_compare_table_pairs_by_replicate_and_skips_failed_runs():
    runs = pd.DataFrame(
        {
            "arm": ["a"] * 3 + ["b"] * 3,
            "replicate": [0, 1, 2] * 2,
            "status": ["ok", "ok", "ok", "ok", "failed", "ok"],
            "y": [1.0, 2.0, 3.0, 2.0, np.nan, 5.0],
        }
    )
    table = compare_table(runs, ["a", "b"], ["y"])
    b = table[table["arm"] == "b"].iloc[0]
    assert b["pairs"] == 2 and b["diff"] == pytest.approx(1.5)
    assert table[table["arm"] == "a"].iloc[0]["baseline"]


def test_compare_command_end_to_end(tmp_path, capsys):
    base = write(tmp_path / "base.toml", tiny_scenario("base", officers=2))
    more = write(tmp_path / "more.toml", tiny_scenario("more", officers=12))
    copy = write(tmp_path / "copy.toml", tiny_scenario("copy", officers=2))
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(base),
            str(more),
            str(copy),
            "--replicates",
            "3",
            "--out",
            str(out),
            "--workers",
            "0",
            "--seed",
            "4",
            "--outputs",
            "offences_true,mean_trust,ts:insecurity_mean:mean:last7d",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "baseline: base" in printed and "seeds 4–6" in printed
    runs = load(out)
    assert len(runs) == 9 and set(runs["arm"]) == {"base", "more", "copy"}
    # common random numbers: every arm's replicate r ran with seed 4 + r
    assert runs.groupby("arm")["seed"].apply(list).map(tuple).nunique() == 1
    table = pd.read_csv(out / "comparison.csv")
    same = table[table["arm"] == "copy"]
    assert (same["diff"] == 0).all() and (same["ci_low"] == 0).all()  # identical arm
    data = json.loads((out / "comparison.json").read_text())
    assert data["baseline"] == "base" and data["seeds"] == [4, 5, 6]
    assert {r["output"] for r in data["comparison"]} == {
        "offences_true",
        "mean_trust",
        "ts:insecurity_mean:mean:last7d",
    }
    assert (out / "comparison.png").stat().st_size > 0
    for arm in ("base", "more", "copy"):
        assert (out / "arms" / f"{arm}.toml").is_file()
    more_rows = table[(table["arm"] == "more") & (table["output"] == "mean_trust")]
    assert math.isfinite(more_rows["diff"].iloc[0])
    # runs.parquet holds every run's whole summary; each run's files are kept too
    assert {"victims", "arrests", "recording_rate"} <= set(runs.columns)
    assert set(table["output"]) == set(data["outputs"])
    for arm in ("base", "more", "copy"):
        for seed in (4, 5, 6):
            run_dir = out / "runs" / arm / f"seed-{seed}"
            summary = json.loads((run_dir / "summary.json").read_text())
            assert summary["seed"] == seed and summary["scenario"] == arm
            assert (run_dir / "timeseries.parquet").is_file()
    row = runs[(runs["arm"] == "more") & (runs["seed"] == 5)].iloc[0]
    summary = json.loads((out / "runs" / "more" / "seed-5" / "summary.json").read_text())
    assert row["offences_true"] == summary["offences_true"]


def test_compare_refuses_bad_input(tmp_path, capsys):
    base = write(tmp_path / "base.toml", tiny_scenario("base", officers=2))
    out = tmp_path / "cmp"
    cases = [
        ([str(base)], "at least one variant"),
        ([str(base), str(base), "--replicates", "1"], "--replicates = 1"),
        ([str(base), str(tmp_path / "nope.toml")], "nope.toml"),
        ([str(base), str(base), "--outputs", "offences_tru"], "did you mean 'offences_true'"),
        ([str(base), str(base), "--outputs", "ts:trust_mean:mean:last400d"], "needs 400 days"),
    ]
    for args, fragment in cases:
        assert main(["compare", *args, "--out", str(out)]) == 2
        assert fragment in one_error_line(capsys.readouterr().err)
    assert not out.exists()


# ------------------------------------------------------------------ sensitivity


def ishigami(p):
    x1, x2, x3 = p["x1"], p["x2"], p["x3"]
    return {"y": math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)}


PI = (-math.pi, math.pi)


def test_sobol_recovers_the_ishigami_indices():
    res = sensitivity.sobol(ishigami, {"x1": PI, "x2": PI, "x3": PI}, samples=2048, seed=1)
    idx = res.indices.set_index("parameter")
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert idx.loc[name, "S1"] == pytest.approx(s1, abs=0.04), name
        assert idx.loc[name, "ST"] == pytest.approx(st, abs=0.04), name
        assert 0 < idx.loc[name, "ST_conf"] < 0.1
    s2 = res.second_order.set_index(["parameter_1", "parameter_2"])["S2"]
    assert s2[("x1", "x3")] == pytest.approx(0.2437, abs=0.08)  # the only interaction
    assert abs(s2[("x1", "x2")]) < 0.08 and abs(s2[("x2", "x3")]) < 0.08
    conv = res.convergence
    assert sorted(conv["size"].unique()) == [256, 512, 1024, 2048]
    assert res.checks.iloc[0]["max_change"] < 0.1


def test_morris_recovers_linear_effects_and_flags_interactions():
    def f(p):
        return {"linear": 2 * p["a"] - 3 * p["b"], "product": p["a"] * p["b"]}

    res = sensitivity.morris(
        f, {"a": (0, 1), "b": (0, 2), "c": (5, 6)}, trajectories=12, levels=4, seed=2
    )
    idx = res.indices.set_index(["output", "parameter"])
    # effects over the whole range: 2 × 1 and −3 × 2; c does nothing
    assert idx.loc[("linear", "a"), "mu_star"] == pytest.approx(2.0)
    assert idx.loc[("linear", "b"), "mu"] == pytest.approx(-6.0)
    assert idx.loc[("linear", "c"), "mu_star"] == 0.0
    assert idx.loc[("linear", "a"), "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert idx.loc[("product", "a"), "sigma"] > 0.1  # interaction with b
    assert idx.loc[("product", "c"), "mu_star"] == 0.0
    checks = res.checks.set_index("output")
    assert checks.loc["linear", "converged"]


def test_replicate_noise_share_is_reported():
    def noisy(p, seed):
        noise = np.random.default_rng([seed, int(p["a"] * 1e9), int(p["b"] * 1e9)]).normal(0, 0.5)
        return {"y": p["a"] + noise}

    res = sensitivity.sobol(noisy, {"a": (0, 1), "b": (0, 1)}, samples=256, replicates=4)
    nz = res.noise.iloc[0]
    # var(a) = 1/12, noise variance 0.25: 75 % of single runs, 43 % of 4-run means
    assert nz["noise_share_runs"] == pytest.approx(0.25 / (0.25 + 1 / 12), abs=0.05)
    assert nz["noise_share_means"] == pytest.approx(0.0625 / (0.0625 + 1 / 12), abs=0.07)
    idx = res.indices.set_index("parameter")
    assert idx.loc["a", "ST"] > 0.4 and abs(idx.loc["b", "S1"]) < 0.1
    one = sensitivity.sobol(noisy, {"a": (0, 1), "b": (0, 1)}, samples=16, replicates=1)
    assert math.isnan(one.noise.iloc[0]["noise_share_means"])


SENS = """\
name = "sens"
base = "tiny.toml"
replicates = {replicates}
outputs = ["offences_true", "mean_trust"]
[parameters]
"crime.motivation" = {{ range = [0.01, 0.05] }}
"police.officers" = {{ range = [1, 12] }}
"police.strategy" = {{ values = ["random", "hotspot"] }}
[design]
method = "{method}"
samples = {samples}
seed = 3
"""


@pytest.mark.parametrize(
    "method, samples, replicates, sets", [("morris", 3, 2, 12), ("sobol", 4, 1, 32)]
)
def test_sensitivity_command_end_to_end(tmp_path, capsys, method, samples, replicates, sets):
    # enough residents that every set has offences whose count the parameters move
    write(tmp_path / "tiny.toml", tiny_scenario("tiny", officers=4, residents=1500))
    path = write(
        tmp_path / "s.toml", SENS.format(method=method, samples=samples, replicates=replicates)
    )
    out = tmp_path / "out"
    assert (
        main(["sensitivity", str(path), "--method", method, "--out", str(out), "--workers", "0"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "offences_true:" in printed and "convergence" in printed
    runs = load(out)
    assert len(runs) == sets * replicates
    indices = pd.read_csv(out / f"{method}_indices.csv")
    assert len(indices) == 2 * 3
    key = "mu_star" if method == "morris" else "ST"
    assert indices[key].notna().all()
    for name in (f"{method}.png", f"{method}_convergence.png", f"{method}_convergence.csv"):
        assert (out / name).stat().st_size > 0
    report = json.loads((out / "sensitivity.json").read_text())
    assert report["method"] == method and len(report["indices"]) == 6
    design = pd.read_parquet(out / "design.parquet")
    assert len(design) == sets and "u:crime.motivation" in design
    other = "sobol" if method == "morris" else "morris"
    assert main(["sensitivity", str(path), "--method", other, "--out", str(tmp_path / "x")]) == 2
    assert f"design.method = '{method}'" in one_error_line(capsys.readouterr().err)


def test_sensitivity_refuses_a_factorial_design_and_bad_samples(tmp_path, capsys):
    write(tmp_path / "tiny.toml", tiny_scenario("tiny", officers=4))
    path = write(tmp_path / "s.toml", SENS.format(method="sobol", samples=4, replicates=1))
    assert main(["sensitivity", str(path), "--samples", "6", "--out", str(tmp_path / "o")]) == 2
    assert "--samples = 6" in one_error_line(capsys.readouterr().err)
    fact = write(
        tmp_path / "f.toml",
        'name = "f"\nbase = "tiny.toml"\noutputs = ["arrests"]\n'
        '[parameters]\n"police.officers" = { values = [1, 2] }\n',
    )
    assert main(["sensitivity", str(fact), "--out", str(tmp_path / "o")]) == 2
    assert "needs 'morris' or 'sobol'" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------ precision


def test_replicates_needed_is_the_smallest_n_whose_interval_excludes_zero():
    from scipy import stats

    from clssim.experiments.precision import replicates_needed

    n = replicates_needed(1.0, 2.0)
    half = lambda k: stats.t.ppf(0.975, k - 1) * 2.0 / np.sqrt(k)  # noqa: E731
    assert half(n) < 1.0 <= half(n - 1)
    assert replicates_needed(-1.0, 2.0) == n  # the sign does not matter
    assert replicates_needed(0.0, 2.0) == 0 and replicates_needed(1.0, 0.0) == 2


def test_compare_precision_adds_batches_until_met_and_equals_one_run(tmp_path, capsys):
    """--precision adds --replicates at a time until the primary output's relative
    change is known to the target, says so, and gives the very runs a single
    comparison of that many replicates gives (same seeds, nothing run twice)."""
    base = write(tmp_path / "base.toml", tiny_scenario("base"))
    more = write(tmp_path / "more.toml", tiny_scenario("more", officers=30))
    args = [str(base), str(more), "--replicates", "3", "--outputs", "mean_insecurity"]
    args += ["--workers", "0", "--no-run-files", "--quiet"]
    assert main(["compare", *args, "--precision", "0.12%", "--out", str(tmp_path / "p")]) == 0
    info = json.loads((tmp_path / "p" / "comparison.json").read_text())["precision"]
    assert info["output"] == "mean_insecurity" and info["met"]
    assert info["replicates"] % 3 == 0 and info["replicates"] > 3
    assert [n for n, _ in info["history"]] == list(range(3, info["replicates"] + 1, 3))
    assert info["history"][-1][1] <= 0.0012 < info["history"][-2][1]
    n = str(info["replicates"])
    assert main(["compare", *args, "--replicates", n, "--out", str(tmp_path / "one")]) == 0
    a, b = (
        load(tmp_path / d).sort_values(["arm", "seed"]).reset_index(drop=True) for d in ("p", "one")
    )
    cols = [c for c in a.columns if c not in ("runtime_s", "worker")]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    # a cap below the need: stops there and says the target was not met
    assert (
        main(
            [
                "compare",
                *args[:-1],
                "--precision",
                "0.1%",
                "--max-replicates",
                "6",
                "--out",
                str(tmp_path / "cap"),
            ]
        )
        == 0
    )
    assert "precision target NOT met" in capsys.readouterr().out
    info = json.loads((tmp_path / "cap" / "comparison.json").read_text())["precision"]
    assert info["replicates"] == 6 and not info["met"]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--precision", "150%"], "--precision = 150%"),
        (["--precision", "five"], "--precision = five"),
        (["--precision", "5%", "--max-replicates", "2"], "--max-replicates = 2"),
        (["--precision", "5%", "--primary", "nope"], "--primary = nope"),
    ],
)
def test_compare_precision_refuses_bad_options(tmp_path, capsys, extra, fragment):
    base = write(tmp_path / "base.toml", tiny_scenario("base"))
    args = ["compare", str(base), str(base), "--replicates", "3", "--workers", "0"]
    assert main([*args, "--out", str(tmp_path / "x"), *extra]) == 2
    assert fragment in one_error_line(capsys.readouterr().err)
