"""The command line: bad input exits 2 with one line and writes nothing; a good
run writes its files and rerunning its resolved ``scenario.toml`` reproduces it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clssim.cli import main
from clssim.scenario import default_scenario_path, field_table

MAP = "PPPPPPPPPP\nPHHhhCCSPP\nPHHhhCCSPP\nPPPPTPPPPP\nPHHNNVVFPP\nPPPPPPPPPP\n"
OUTPUTS = (
    "timeseries.parquet",
    "cells.parquet",
    "events.parquet",
    "summary.json",
    "scenario.toml",
    "crime_map.png",
    "trend.png",
)
DATA = ("summary.json", "timeseries.parquet", "cells.parquet", "events.parquet")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("clssim: error: "), lines[0]
    return lines[0]


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clssim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


# (file name, text, fragments of the error line); extra files are written first.
BAD = {
    "unknown key": ("bad.toml", "[police]\nofficerz = 3\n", ["police.officerz", "unknown"]),
    "out of range": (
        "bad.toml",
        "[population]\nresidents = -5\n",
        ["population.residents = -5", "greater than or equal to 10"],
    ),
    "bad literal": (
        "bad.toml",
        '[police]\nstrategy = "zigzag"\n',
        ["police.strategy = 'zigzag'", "'random', 'hotspot' or 'beat'"],
    ),
    "invalid TOML": ("bad.toml", "seed = = 1\n", ["invalid TOML"]),
    "extends cycle": ("bad.toml", 'extends = "bad.toml"\n', ["cycle"]),
    "missing map": ("bad.toml", '[world]\nmap = "gone.txt"\n', ["world.map", "gone.txt"]),
    "map with unknown symbol": (
        "bad.toml",
        '[world]\nmap = "m.txt"\n[population]\nresidents = 50\n',
        ["m.txt", "line 2, column 3", "'X'"],
    ),
    "ragged map": (
        "bad.toml",
        '[world]\nmap = "r.txt"\n[population]\nresidents = 50\n',
        ["r.txt", "line 2", "expected 4"],
    ),
}


@pytest.fixture
def bad_dir(tmp_path):
    write(tmp_path / "m.txt", "PPPP\nPHXP\nPPPP\n")
    write(tmp_path / "r.txt", "PPPP\nPHP\nPPPP\n")
    return tmp_path


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_exits_2_with_one_line_and_writes_nothing(bad_dir, capsys, case):
    name, text, fragments = BAD[case]
    path = write(bad_dir / name, text)
    out = bad_dir / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    line = one_error_line(captured.err)
    assert captured.out == ""
    # Errors in the scenario name it; errors in a map's content name the map.
    assert "bad.toml" in line  # map files are checked with the scenario, naming both
    if case in ("map with unknown symbol", "ragged map"):
        assert "world.map = " in line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert not out.exists()


def test_missing_scenario_file_exits_2(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "nosuch.toml"), "--out", str(out)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "nosuch.toml" in line and "not found" in line
    assert not out.exists()


@pytest.mark.parametrize(
    "option, fragments",
    [
        (["--years", "-1"], ["option --years", "time.years = -1.0", "greater than 0"]),
        (["--years", "0"], ["time.years = 0.0"]),
        (["--years", "51"], ["time.years = 51.0", "less than or equal to 50"]),
        (["--years", "nan"], ["time.years = nan"]),
        (["--seed", "-1"], ["option --seed", "seed = -1", "greater than or equal to 0"]),
    ],
)
def test_bad_option_exits_2_naming_the_field(tmp_path, capsys, option, fragments):
    out = tmp_path / "out"
    assert main(["run", *option, "--out", str(out), "--quiet"]) == 2
    line = one_error_line(capsys.readouterr().err)
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert not out.exists()


def test_subprocess_bad_scenario_exits_2(tmp_path):
    path = write(tmp_path / "bad.toml", "[crime.theft]\nreport_probability = 1.5\n")
    out = tmp_path / "out"
    proc = run_cli(["run", str(path), "--out", str(out)], cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc.stderr)
    assert "bad.toml" in line and "crime.theft.report_probability = 1.5" in line
    assert proc.stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]  # no default out/ either


def test_subprocess_bad_years_exits_2(tmp_path):
    proc = run_cli(["run", "--years", "-1", "--out", str(tmp_path / "out")], cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc.stderr)
    assert "time.years" in line and "-1" in line
    assert list(tmp_path.iterdir()) == []


def test_fields_lists_every_field(tmp_path, capsys):
    assert main(["fields"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = {line.split()[0] for line in lines if line.strip()}
    assert "population.residents" in listed
    assert listed == {row[0] for row in field_table()}
    proc = run_cli(["fields"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert any(line.startswith("population.residents ") for line in proc.stdout.splitlines())


def test_unparsable_option_gives_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--years", "abc", "--out", str(tmp_path / "out")])
    assert exc.value.code == 2
    one_error_line(capsys.readouterr().err)


def test_huge_integer_in_scenario_exits_2(tmp_path, capsys):
    path = write(tmp_path / "big.toml", "seed = " + "9" * 5000 + "\n")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    one_error_line(capsys.readouterr().err)


# ------------------------------------------------------------------ good runs


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(["run", "--years", "0.02", "--out", str(out), "--quiet"]) == 0
    return out


def test_short_run_writes_every_output(default_run, capsys):
    for name in OUTPUTS:
        path = default_run / name
        assert path.is_file() and path.stat().st_size > 0, name
    assert not list(default_run.glob(".*.tmp"))  # no half-written leftovers


def test_rerunning_the_written_scenario_reproduces_the_run(default_run, tmp_path, capsys):
    out2 = tmp_path / "out2"
    assert main(["run", str(default_run / "scenario.toml"), "--out", str(out2), "--quiet"]) == 0
    assert capsys.readouterr().out == ""  # --quiet
    for name in DATA:
        assert (out2 / name).read_bytes() == (default_run / name).read_bytes(), name
    assert (out2 / "scenario.toml").read_text() == (default_run / "scenario.toml").read_text()


def test_run_from_a_map_file_reruns_from_another_directory(tmp_path, monkeypatch):
    write(tmp_path / "proj" / "maps" / "m.txt", MAP)
    write(tmp_path / "proj" / "base.toml", '[world]\nmap = "maps/m.txt"\n')
    child = write(
        tmp_path / "proj" / "runs" / "small.toml",
        'extends = "../base.toml"\n[population]\nresidents = 50\n',
    )
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(child), "--years", "0.02", "--out", "o1", "--quiet"]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["run", "../o1/scenario.toml", "--out", "o2", "--quiet"]) == 0
    for name in DATA:
        assert (elsewhere / "o2" / name).read_bytes() == (tmp_path / "o1" / name).read_bytes()


def test_app_on_a_busy_port_exits_2_before_announcing_an_address(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"option --port = {port}: cannot serve on 127.0.0.1:{port}" in err
    assert "http://" not in err and err.count("\n") == 1


def test_compare_prints_money_in_euros_not_scientific_notation():
    import pandas as pd

    from clssim.experiments.compare import format_table

    row = {"output": "cost_eur", "ci_low": 343_900.0, "ci_high": 343_900.0}
    table = pd.DataFrame(
        [
            {**row, "arm": "base", "baseline": True, "arm_mean": 0.0, "diff": None},
            {**row, "arm": "plan", "baseline": False, "arm_mean": 343_900.0, "diff": 343_900.0},
        ]
    ).assign(rel_change=float("nan"))
    text = format_table(table)
    assert "343,900  +343,900 [+343,900, +343,900]" in text and "e+" not in text


def test_a_run_without_offences_writes_valid_json(tmp_path, capsys):
    """JSON has no NaN: an undefined concentration is null, and the console says n/a."""
    out = tmp_path / "z"
    assert main(["run", "--years", "0.0001", "--out", str(out)]) == 0
    assert "cells with 50% of crime  n/a" in capsys.readouterr().out

    def refuse(constant: str):
        raise ValueError(f"{constant} in summary.json")

    summary = json.loads((out / "summary.json").read_text(), parse_constant=refuse)
    assert summary["offences_true"] == 0 and summary["cells_with_50pct_offences"] is None
    assert main(["report", str(out)]) == 0


def test_a_run_into_an_earlier_runs_directory_leaves_none_of_its_files(tmp_path):
    """A contract's files from an earlier run would be read as this run's."""
    out = tmp_path / "d"
    scenarios = default_scenario_path().parent
    args = ["--years", "0.01", "--out", str(out), "--quiet"]
    assert main(["run", str(scenarios / "lisbon_neighbourhood.toml"), *args]) == 0
    assert (out / "stages.json").is_file()
    assert main(["run", str(scenarios / "lisbon_baseline.toml"), *args]) == 0
    left = {p.name for p in out.iterdir()}
    assert not left & {"stages.json", "measures.parquet", "diagnosis.json"}


def test_unknown_top_level_key_lists_extends_among_the_allowed(tmp_path, capsys):
    bad = write(tmp_path / "e.toml", 'extend = "x.toml"\n')
    assert main(["run", str(bad)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "extend: unknown field; allowed here: extends, name," in line


def test_a_warning_comes_only_after_every_check_passed(tmp_path, capsys):
    """Refused input gets its one error line and nothing else."""
    short = default_scenario_path().parent / "algarve_municipality.toml"
    assert main(["compare", str(short), str(short), "--replicates", "1"]) == 2
    one_error_line(capsys.readouterr().err)
    a_file = write(tmp_path / "f", "x")
    assert main(["run", str(short), "--years", "0.1", "--out", str(a_file / "x")]) == 2
    one_error_line(capsys.readouterr().err)


def test_report_into_an_existing_directory_is_refused(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--years", "0.01", "--out", str(out), "--quiet"]) == 0
    assert main(["report", str(out), "--out", str(tmp_path)]) == 2
    assert "is a directory; give a file name such as" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path.parent / f"{tmp_path.name}_figures").exists()  # nothing drawn
    assert not (tmp_path.parent / f".{tmp_path.name}.tmp").exists()


def test_a_map_that_is_not_text_is_refused_naming_the_field(tmp_path, capsys):
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00PPP\n")
    bad = write(tmp_path / "s.toml", '[world]\nmap = "bad.txt"\n')
    assert main(["run", str(bad)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "world.map = 'bad.txt': not a UTF-8 text map" in line


def test_writing_a_run_into_a_foreign_directory_deletes_nothing(tmp_path):
    """Only a directory that held a run loses the contract files this run lacks."""
    (tmp_path / "stages.json").write_text("mine")
    assert main(["run", "--years", "0.01", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "stages.json").read_text() == "mine"


def test_help_loads_neither_the_model_nor_the_numeric_stack():
    """``clssim --help`` (and every subcommand's registration) imports only the
    scenario parser: not Mesa, the model, pandas, scipy, networkx or matplotlib
    (issue 19: the help answers in a fraction of a second)."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom clssim.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('mesa', 'clssim.model', 'pandas', 'scipy', 'networkx', 'matplotlib')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
