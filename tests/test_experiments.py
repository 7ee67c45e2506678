"""Experiment files, designs, seeds, the run store and sweeps on a local pool.

Bad experiment files are refused with one line before any run starts; a
sweep stores one row per run; failed runs are recorded, not fatal; a sweep
killed with SIGKILL and resumed ends with exactly the table of an
uninterrupted sweep; the local pool and the in-process executor give
byte-identical tables.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clssim.cli import main
from clssim.experiments.design import from_unit
from clssim.experiments.executors import LocalExecutor, SerialExecutor
from clssim.experiments.methods import design_points
from clssim.experiments.outputs import parse_output
from clssim.experiments.plan import plan_from_experiment
from clssim.experiments.seeds import run_seed
from clssim.experiments.spec import ParameterSpec, load_experiment
from clssim.experiments.store import Store, load
from clssim.experiments.sweep import run_plan
from clssim.scenario import ScenarioError
from tiny import tiny_scenario

GOOD_MAP = "PPPPPPPPPP\nPHHhhCCSPP\nPHHhhCCSPP\nPPPPTPPPPP\nPHHNNVVFPP\nPPPPPPPPPP\n"
BAD_MAP = "PPPP\nPHXP\nPPPP\n"  # exists, so it passes validation, but cannot be built


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def experiment(
    tmp: Path,
    parameters: str = '"police.officers" = { values = [2, 6] }\n',
    *,
    name: str = "exp",
    replicates: int = 2,
    outputs: str = '["offences_true", "mean_trust", "ts:insecurity_mean:mean:last10d"]',
    design: str = "",
    extra: str = "",
) -> Path:
    write(tmp / "tiny.toml", tiny_scenario())
    text = (
        f'name = "{name}"\nbase = "tiny.toml"\nreplicates = {replicates}\n'
        f"outputs = {outputs}\n{extra}\n[parameters]\n{parameters}\n{design}"
    )
    return write(tmp / f"{name}.toml", text)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("clssim: error: "), lines[0]
    return lines[0]


# ------------------------------------------------------------------ bad files

BAD = {
    "unknown parameter path": (
        '"police.oficers" = { values = [2, 6] }\n',
        "",
        ["parameters", "unknown scenario field 'police.oficers'", "did you mean police.officers"],
    ),
    "empty range": (
        '"crime.motivation" = { range = [0.03, 0.03], levels = 2 }\n',
        "",
        ['parameters."crime.motivation".range', "empty range"],
    ),
    "sobol not a power of two": (
        '"crime.motivation" = { range = [0.01, 0.05] }\n',
        '[design]\nmethod = "sobol"\nsamples = 100\n',
        ["design.samples = 100", "power of two", "64 or 128"],
    ),
    "value the scenario refuses": (
        '"police.officers" = { values = [2, -1] }\n',
        "",
        ['parameters."police.officers".values', "police.officers = -1", "greater than or equal"],
    ),
    "range end out of bounds": (
        '"crime.motivation" = { range = [0.01, 1.5] }\n',
        '[design]\nmethod = "lhs"\nsamples = 4\n',
        ["crime.motivation = 1.5", "less than or equal to 1"],
    ),
    "range on a categorical field": (
        '"police.strategy" = { range = [0, 1] }\n',
        "",
        ["police.strategy", "numeric field"],
    ),
    "factorial range without levels": (
        '"crime.motivation" = { range = [0.01, 0.05] }\n',
        "",
        ["crime.motivation", "needs levels"],
    ),
    "both values and range": (
        '"police.officers" = { values = [2], range = [1, 3] }\n',
        "",
        ["police.officers", "exactly one of values"],
    ),
    "unknown design method": (
        '"police.officers" = { values = [2, 6] }\n',
        '[design]\nmethod = "random"\n',
        ["design.method = 'random'", "'factorial', 'lhs', 'morris' or 'sobol'"],
    ),
    "unknown key": (
        '"police.officers" = { values = [2, 6] }\n',
        "[design]\nmethods = 3\n",
        ["design.methods", "unknown field", "allowed here: method"],
    ),
    "seed as parameter": (
        '"seed" = { values = [1, 2] }\n',
        "",
        ["seed", "[seeds]"],
    ),
    "morris without samples": (
        '"crime.motivation" = { range = [0.01, 0.05] }\n',
        '[design]\nmethod = "morris"\n',
        ["design.samples", "required", "trajectories"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_refused_with_one_line_before_any_run(tmp_path, capsys, case):
    params, design, fragments = BAD[case]
    path = experiment(tmp_path, params, design=design)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "0"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(path) in line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert not out.exists()


@pytest.mark.parametrize(
    "outputs, fragments",
    [
        ('["offences_tru"]', ["'offences_tru'", "unknown summary key", "'offences_true'"]),
        ('["scenario"]', ["'scenario'", "not a numeric summary key"]),
        ('["ts:trust_mean:average"]', ["aggregate 'average'"]),
        ('["ts:no_such_column:mean"]', ["unknown time-series column"]),
        ('["ts:trust_mean:mean:last400d"]', ["needs 400 days", "has 37"]),
        ("[]", ["outputs", "at least 1"]),
    ],
)
def test_bad_outputs_refused(tmp_path, capsys, outputs, fragments):
    path = experiment(tmp_path, outputs=outputs)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    line = one_error_line(capsys.readouterr().err)
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert not (tmp_path / "out").exists()


def test_missing_base_and_invalid_toml_refused(tmp_path, capsys):
    path = write(
        tmp_path / "a.toml",
        'name = "a"\nbase = "nope.toml"\noutputs = ["arrests"]\n'
        '[parameters]\n"police.officers" = { values = [1] }\n',
    )
    assert main(["sweep", str(path)]) == 2
    assert "nope.toml" in one_error_line(capsys.readouterr().err)
    path = write(tmp_path / "b.toml", "name = = 1\n")
    assert main(["sweep", str(path)]) == 2
    assert "invalid TOML" in one_error_line(capsys.readouterr().err)


def test_unreachable_scheduler_refused_before_any_run(tmp_path, capsys):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = experiment(tmp_path)
    out = tmp_path / "out"
    t0 = time.monotonic()
    code = main(
        [
            "sweep",
            str(path),
            "--out",
            str(out),
            "--scheduler",
            f"tcp://127.0.0.1:{port}",
            "--connect-timeout",
            "1",
        ]
    )
    assert code == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"tcp://127.0.0.1:{port}" in line and "cannot reach" in line
    assert not out.exists()
    assert time.monotonic() - t0 < 30
    assert main(["sweep", str(path), "--out", str(out), "--scheduler", "not an address"]) == 2
    assert "expected tcp://HOST:PORT" in one_error_line(capsys.readouterr().err)


# ------------------------------------------------------------------ designs and seeds


def test_factorial_design_is_every_combination_in_order(tmp_path):
    path = experiment(
        tmp_path,
        '"police.officers" = { values = [2, 6] }\n'
        '"police.strategy" = { values = ["random", "beat"] }\n'
        '"crime.motivation" = { range = [0.01, 0.05], levels = 3 }\n',
    )
    plan = plan_from_experiment(load_experiment(path))
    assert plan.n_runs == 2 * 2 * 3 * 2
    labels = [tuple(s.labels.values()) for s in plan.sets]
    assert labels[:4] == [
        (2, "random", 0.01),
        (2, "random", 0.03),
        (2, "random", 0.05),
        (2, "beat", 0.01),
    ]
    assert plan.label_types == {
        "police.officers": "int",
        "police.strategy": "str",
        "crime.motivation": "float",
    }
    assert plan_from_experiment(load_experiment(path)).digest() == plan.digest()


@pytest.mark.parametrize(
    "method, samples, rows",
    [("lhs", 10, 10), ("morris", 4, 4 * (3 + 1)), ("sobol", 8, 8 * (2 * 3 + 2))],
)
def test_sampled_designs_have_the_right_size_and_types(method, samples, rows):
    params = {
        "police.officers": ParameterSpec(range=[2, 16]),
        "crime.motivation": ParameterSpec(range=[0.01, 0.05], scale="log"),
        "police.strategy": ParameterSpec(values=["random", "hotspot", "beat"]),
    }
    kinds = {"police.officers": "int", "crime.motivation": "float", "police.strategy": "choice"}
    sets, unit = design_points(method, params, kinds, samples=samples, seed=3)
    assert len(sets) == rows and unit.shape == (rows, 3)
    for s in sets:
        assert type(s["police.officers"]) is int and 2 <= s["police.officers"] <= 16
        assert 0.01 <= s["crime.motivation"] <= 0.05
        assert s["police.strategy"] in ("random", "hotspot", "beat")
    again, unit2 = design_points(method, params, kinds, samples=samples, seed=3)
    assert again == sets and np.array_equal(unit, unit2)
    if method == "lhs":  # one point in each of the 10 strata of every coordinate
        for j in range(3):
            assert sorted((unit[:, j] * 10).astype(int)) == list(range(10))


def test_categorical_values_split_the_unit_interval_evenly():
    spec = ParameterSpec(values=["a", "b", "c"])
    picks = [from_unit(spec, "str", u) for u in (0.0, 0.33, 0.34, 0.66, 0.67, 1.0)]
    assert picks == ["a", "a", "b", "b", "c", "c"]


def test_seed_policies_are_pure_functions_of_set_and_replicate():
    assert [run_seed("common", 10, s, r) for s in (0, 5) for r in range(3)] == [10, 11, 12] * 2
    seeds = {(s, r): run_seed("independent", 10, s, r) for s in range(20) for r in range(5)}
    assert len(set(seeds.values())) == 100
    assert all(0 <= v < 2**63 for v in seeds.values())
    # the same, computed in another order
    assert all(run_seed("independent", 10, s, r) == v for (s, r), v in reversed(seeds.items()))
    assert run_seed("independent", 11, 0, 0) != seeds[(0, 0)]


def test_time_series_outputs_aggregate_the_right_window():
    days = np.repeat(np.arange(10), 4)
    ts = pd.DataFrame({"day": days, "x": days.astype(float), "n": np.ones(40)})
    assert parse_output("ts:x:mean").value({}, ts) == pytest.approx(4.5)
    assert parse_output("ts:x:mean:last2d").value({}, ts) == pytest.approx(8.5)
    assert parse_output("ts:x:max:first3d").value({}, ts) == 2.0
    assert parse_output("ts:n:sum:days2-5").value({}, ts) == 12.0
    assert parse_output("ts:n:rate:last5d").value({}, ts) == pytest.approx(20 * 365 / 5)
    with pytest.raises(ValueError, match="needs 11 days"):
        parse_output("ts:x:mean:last11d").value({}, ts)
    assert parse_output("offences_true").value({"offences_true": 3}, None) == 3.0


# ------------------------------------------------------------------ sweeps


def test_local_pool_and_in_process_give_identical_tables(tmp_path):
    path = experiment(
        tmp_path,
        '"police.officers" = { values = [2, 6] }\n'
        '"police.strategy" = { values = ["random", "hotspot"] }\n',
        extra='[seeds]\npolicy = "independent"\nroot = 5\n',
    )
    exp = load_experiment(path)
    plan = plan_from_experiment(exp)
    serial = run_plan(plan, tmp_path / "serial", executor=SerialExecutor())
    pool = LocalExecutor(2)
    try:
        local = run_plan(plan, tmp_path / "local", executor=pool, batch_rows=3)
    finally:
        pool.close()
    assert serial.complete and local.complete and local.ran == plan.n_runs == 8
    a = (tmp_path / "serial" / "runs.parquet").read_bytes()
    assert a == (tmp_path / "local" / "runs.parquet").read_bytes()
    table = load(tmp_path / "local")
    assert list(table["run_id"]) == list(range(8))
    assert (table["status"] == "ok").all() and (table["error"] == "").all()
    assert list(table.columns[:6]) == [
        "run_id",
        "set_index",
        "replicate",
        "seed",
        "police.officers",
        "police.strategy",
    ]
    assert {"offences_true", "mean_trust", "ts:insecurity_mean:mean:last10d"} <= set(table)
    assert "runtime_s" not in table
    assert (load(tmp_path / "local", timings=True)["runtime_s"] > 0).all()
    seeds = table.set_index(["set_index", "replicate"])["seed"]
    assert seeds[(0, 0)] == run_seed("independent", 5, 0, 0)
    assert seeds[(3, 1)] == run_seed("independent", 5, 3, 1)
    # the same scenario and seed through `clssim run`'s model give the same numbers
    from clssim.model import CLSModel

    row = table.iloc[5]
    scenario = exp.base.with_overrides(
        {"police.officers": int(row["police.officers"]), "police.strategy": row["police.strategy"]}
    )
    summary = CLSModel(scenario, seed=int(row["seed"])).run().summary
    assert row["offences_true"] == summary["offences_true"]
    assert row["mean_trust"] == summary["mean_trust"]


def test_a_map_that_cannot_be_used_is_refused_before_any_run(tmp_path):
    write(tmp_path / "good.txt", GOOD_MAP)
    write(tmp_path / "bad.txt", BAD_MAP)
    write(tmp_path / "small.toml", tiny_scenario(residents=50))
    path = write(
        tmp_path / "maps.toml",
        'name = "maps"\nbase = "small.toml"\nreplicates = 2\noutputs = ["offences_true"]\n'
        '[parameters]\n"world.map" = { values = ["good.txt", "bad.txt"] }\n',
    )
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert "maps.toml: parameters.\"world.map\".values: world.map = 'bad.txt'" in msg
    assert "line 2, column 3" in msg and "'X'" in msg


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    """A map file broken after the experiment was checked (as on a shared disk)
    fails its runs only; the others complete."""
    write(tmp_path / "good.txt", GOOD_MAP)
    write(tmp_path / "bad.txt", GOOD_MAP)
    write(tmp_path / "small.toml", tiny_scenario(residents=50))
    path = write(
        tmp_path / "maps.toml",
        'name = "maps"\nbase = "small.toml"\nreplicates = 2\noutputs = ["offences_true"]\n'
        '[parameters]\n"world.map" = { values = ["good.txt", "bad.txt"] }\n',
    )
    plan = plan_from_experiment(load_experiment(path))
    write(tmp_path / "bad.txt", BAD_MAP)
    report = run_plan(plan, tmp_path / "out", executor=SerialExecutor())
    assert report.complete and report.failed == 2
    table = load(tmp_path / "out")
    good, bad = table[table["world.map"] == "good.txt"], table[table["world.map"] == "bad.txt"]
    assert (good["status"] == "ok").all() and good["offences_true"].notna().all()
    assert (bad["status"] == "failed").all() and bad["offences_true"].isna().all()
    assert all("ScenarioError" in e and "'X'" in e for e in bad["error"])
    assert all("\n" not in e for e in bad["error"])


def test_rerun_needs_resume_and_another_experiment_is_refused(tmp_path, capsys):
    path = experiment(tmp_path, replicates=1)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    assert (out / "sets.csv").is_file() and (out / "sweep.png").is_file()
    before = (out / "runs.parquet").read_bytes()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "0"]) == 2
    assert "--resume" in one_error_line(capsys.readouterr().err)
    assert main(["sweep", str(path), "--out", str(out), "--workers", "0", "--resume"]) == 0
    assert "2 from before, 0 now" in capsys.readouterr().out
    assert (out / "runs.parquet").read_bytes() == before
    other = experiment(tmp_path, '"police.officers" = { values = [3, 6] }\n', name="other")
    assert main(["sweep", str(other), "--out", str(out), "--resume", "--workers", "0"]) == 2
    assert "holds another experiment" in one_error_line(capsys.readouterr().err)
    write(tmp_path / "junk" / "file.txt", "x")
    assert main(["sweep", str(path), "--out", str(tmp_path / "junk")]) == 2
    assert "holds no clssim sweep" in one_error_line(capsys.readouterr().err)


def test_store_survives_torn_journal_and_duplicate_rows(tmp_path):
    path = experiment(tmp_path, replicates=3)
    plan = plan_from_experiment(load_experiment(path))
    plan.runner = "clssim.experiments.tasks:null_run"
    plan.outputs = [parse_output("offences_true"), parse_output("mean_trust")]
    run_plan(plan, tmp_path / "ref", executor=SerialExecutor())
    reference = load(tmp_path / "ref")

    store = Store(tmp_path / "out", plan, batch_rows=2)
    store.check(resume=False)
    store.open()
    rows = []
    from clssim.experiments.tasks import run_task

    for task in list(plan.tasks())[:4]:
        res = run_task(task)
        rows.append(
            {
                **plan.row_keys(res["run_id"]),
                **res["outputs"],
                "status": res["status"],
                "error": res["error"],
                "runtime_s": res["runtime_s"],
                "worker": res["worker"],
            }
        )
    for row in rows[:3]:
        store.add(row)  # a part of two runs, one run in the journal
    store._journal.write(json.dumps(rows[3])[:25])  # killed while writing a line
    store._journal.flush()
    (tmp_path / "out" / "parts" / ".part-000009.parquet.tmp").write_bytes(b"half")
    # killed between writing a part and emptying the journal: run 0 is in both
    with open(tmp_path / "out" / "journal.jsonl", "a") as fh:
        fh.write("\n" + json.dumps(rows[0]) + "\n" + json.dumps(rows[3])[:40])
    store._journal.close()
    store._journal = None
    store._lock.close()
    store._lock = None

    assert sorted(load(tmp_path / "out")["run_id"]) == [0, 1, 2]
    report = run_plan(plan, tmp_path / "out", executor=SerialExecutor(), resume=True)
    assert report.skipped == 3 and report.ran == plan.n_runs - 3
    pd.testing.assert_frame_equal(load(tmp_path / "out"), reference)
    assert not list((tmp_path / "out").rglob("*.tmp"))


def _stored(out: Path) -> int:
    n = 0
    for part in (out / "parts").glob("part-*.parquet") if (out / "parts").is_dir() else []:
        import pyarrow.parquet as pq

        n += pq.read_metadata(part).num_rows
    journal = out / "journal.jsonl"
    if journal.is_file():
        n += journal.read_text().count("\n")
    return n


def test_kill_9_mid_sweep_then_resume_gives_the_identical_table(tmp_path):
    path = experiment(
        tmp_path,
        '"police.officers" = { values = [2, 4, 6, 8, 10, 12] }\n'
        '"crime.motivation" = { values = [0.02, 0.04] }\n',
        replicates=4,
    )
    plan = plan_from_experiment(load_experiment(path))
    assert plan.n_runs == 48
    reference = tmp_path / "reference"
    run_plan(plan, reference, executor=SerialExecutor())

    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clssim.cli",
            "sweep",
            str(path),
            "--out",
            str(out),
            "--workers",
            "2",
            "--batch",
            "3",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while _stored(out) < 8 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the sweep ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    stored = len(load(out))
    assert 8 <= stored < plan.n_runs
    assert not (out / "runs.parquet").exists()
    assert list((out / "parts").glob("part-*.parquet"))  # batches were written

    report = run_plan(plan, out, workers=2, resume=True)
    assert report.complete and report.skipped == stored and report.ran == plan.n_runs - stored
    assert (out / "runs.parquet").read_bytes() == (reference / "runs.parquet").read_bytes()
    pd.testing.assert_frame_equal(load(out), load(reference))
    timings = load(out, timings=True)
    assert timings["runtime_s"].notna().all() and math.isfinite(timings["runtime_s"].sum())


def test_bad_cli_options_refused(tmp_path, capsys):
    path = experiment(tmp_path)
    for opts, fragment in [
        (["--workers", "-1"], "--workers = -1"),
        (["--batch", "0"], "--batch = 0"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "one or the other"),
    ]:
        assert main(["sweep", str(path), "--out", str(tmp_path / "o"), *opts]) == 2
        assert fragment in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "o").exists()
    with pytest.raises(ScenarioError):
        LocalExecutor(-2)


def test_an_unwritable_out_is_refused_before_any_run(tmp_path, capsys):
    """--out under a file (or anywhere that cannot be written): one line, exit 2,
    nothing written, for every command that writes a directory."""
    path = experiment(tmp_path)
    a_file = write(tmp_path / "afile", "x")
    base = str(tmp_path / "tiny.toml")
    for args in (
        ["sweep", str(path)],
        [
            "sensitivity",
            str(
                experiment(
                    tmp_path,
                    '"police.officers" = { range = [2, 6] }\n',
                    name="m",
                    design='[design]\nmethod = "morris"\nsamples = 4\n',
                )
            ),
        ],
        ["compare", base, base],
        ["run", base],
    ):
        assert main([*args, "--out", str(a_file / "sub")]) == 2, args
        assert f"{a_file} is a file" in one_error_line(capsys.readouterr().err)
    run = tmp_path / "run"
    assert main(["run", base, "--out", str(run), "--quiet"]) == 0
    assert main(["report", str(run), "--out", str(a_file / "r.html")]) == 2
    assert f"--out = {a_file / 'r.html'}" in one_error_line(capsys.readouterr().err)
    assert a_file.read_text() == "x" and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["afile", "exp.toml", "m.toml", "run", "tiny.toml"]
    )


def test_seeds_past_the_largest_are_refused_before_any_run(tmp_path, capsys):
    """A base scenario whose seed leaves no room for the replicates' seeds."""
    big = write(tmp_path / "big.toml", tiny_scenario().replace("seed = 1", f"seed = {2**63 - 2}"))
    out = tmp_path / "o"
    assert main(["compare", str(big), str(big), "--replicates", "3", "--out", str(out)]) == 2
    assert "root seed = 9223372036854775806" in one_error_line(capsys.readouterr().err)
    assert not out.exists()


def test_cost_outputs_are_zero_without_a_contract(tmp_path):
    path = experiment(tmp_path, outputs='["offences_true", "cost_eur", "spend_youth_eur"]')
    plan = plan_from_experiment(load_experiment(path))
    run_plan(plan, tmp_path / "o", workers=0, quiet=True)
    table = load(tmp_path / "o")
    assert (table["cost_eur"] == 0).all() and (table["spend_youth_eur"] == 0).all()


def test_a_map_named_in_an_experiment_is_relative_to_the_experiment_file(tmp_path):
    """As in a scenario file (docs/maps.md), whatever folder the base scenario is in;
    and the plan does not depend on where the project lives (a resume elsewhere)."""
    write(tmp_path / "a" / "maps" / "mine.txt", GOOD_MAP)
    (tmp_path / "a" / "base").mkdir()
    path = experiment(tmp_path / "a" / "base", '"world.map" = { values = ["../maps/mine.txt"] }\n')
    plan = plan_from_experiment(load_experiment(path))
    (only,) = plan.sets
    assert only.labels == {"world.map": "../maps/mine.txt"}  # as written
    base = plan.bases["base"]
    assert (Path(base.base_dir) / only.overrides["world.map"]).resolve() == (
        tmp_path / "a" / "maps" / "mine.txt"
    ).resolve()
    moved = write(
        tmp_path / "a" / "exp2.toml",
        path.read_text()
        .replace('base = "tiny.toml"', 'base = "base/tiny.toml"')
        .replace("../maps/", "maps/"),
    )
    (again,) = plan_from_experiment(load_experiment(moved)).sets
    assert again.overrides == only.overrides
    (tmp_path / "a").rename(tmp_path / "b")  # the whole project moves
    elsewhere = plan_from_experiment(load_experiment(tmp_path / "b" / "base" / path.name))
    assert elsewhere.digest() == plan.digest()


def test_an_output_that_never_varies_is_said_to_have_no_indices():
    from clssim.experiments.methods import unit_design
    from clssim.experiments.sensitivity import analyze

    unit = unit_design("sobol", 2, samples=16, second_order=False, seed=1)
    flat = np.zeros((unit.shape[0], 1))
    result = analyze("sobol", unit, {"offences_true": flat}, ["a", "b"], second_order=False)
    assert bool(result.checks["constant"].iloc[0])
    assert "does not vary: every run gives 0" in result.text()
    assert "NOT converged" not in result.text()
