"""The teaching exercises as a student runs them: in order, each command with
its own output directory, nothing written into the repository, and the numbers
the text quotes printed by its snippets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clssim.axes import MIN_SHARE_SPAN, share_limits

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "docs" / "teaching").glob("0*.md"))


def bash_blocks(path: Path) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def commands(path: Path) -> list[str]:
    """Each shell command of the exercise, continuation lines joined."""
    out = []
    for block in bash_blocks(path):
        out += [c.strip() for c in block.replace("\\\n", " ").split("\n") if c.strip()]
    return out


def test_every_exercise_command_writes_its_own_output_directory():
    outs = []
    for path in EXERCISES:
        for cmd in commands(path):
            if cmd.startswith(("clssim compare", "clssim run", "clssim sweep")):
                found = re.search(r"--out (\S+)", cmd)
                assert found, f"{path.name}: {cmd[:60]}… has no --out"
                outs.append(found[1])
            if "jupyter-execute" in cmd:
                # nbclient writes --output relative to the notebook: it must be absolute
                assert '--output="$PWD/out/' in cmd, f"{path.name}: {cmd}"
    assert len(outs) == len(set(outs)), outs
    assert all(o.startswith("out/") for o in outs)  # out/ is git-ignored


def test_exercise_1_snippet_prints_the_shares_its_text_quotes():
    """Step 2's shares (97 % at home at night …) come from the exercise's first snippet."""
    path = EXERCISES[0]
    snippet = bash_blocks(path)[0]
    code = snippet.split("<<'EOF'\n", 1)[1].rsplit("EOF", 1)[0]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[1:]}
    night, morning, afternoon, evening = (float(v) for v in rows["at"][1:])  # "at home"
    school = [float(v) for v in rows["school"]]
    text = path.read_text(encoding="utf-8")
    assert f"at night {night * 100:.0f} %" in text
    assert f"only a third ({morning * 100:.0f} %)" in text
    assert f"({school[1] * 100:.0f} % of all residents are there)" in text
    assert f"({evening * 100:.0f} %) are home again" in text
    assert afternoon < 0.5


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_share_axes_are_at_least_a_tenth_wide_and_hold_the_data(values):
    lo, hi = share_limits(values)
    assert 0.0 <= lo < hi <= 1.0
    assert hi - lo >= MIN_SHARE_SPAN - 1e-12
    assert lo <= min(values) and max(values) <= hi


@pytest.mark.slow
def test_every_exercise_runs_in_order_from_a_fresh_directory(tmp_path):
    """Every bash block of exercises 1–5, in order, as a student pastes them
    (in a fresh directory beside the repository's scenarios and docs)."""
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for path in EXERCISES:
        for block in bash_blocks(path):
            # the commands as pasted, with at most 4 replicates: whether each runs,
            # in order, is the question here (the default suite stays short)
            block = re.sub(r"--replicates \d+", "--replicates 4", block)
            done = subprocess.run(
                ["bash", "-e", "-c", block], cwd=tmp_path, env=env, capture_output=True,
                text=True, timeout=900,
            )  # fmt: skip
            assert done.returncode == 0, f"{path.name}:\n{block}\n{done.stderr[-2000:]}"
    assert (tmp_path / "out" / "ex4-notebook.ipynb").is_file()
    assert (tmp_path / "out" / "ex5-run" / "report.html").is_file()
    assert not list((ROOT / "docs" / "teaching").glob("*executed*.ipynb"))


def test_exercise_5_snippet_prints_the_diagnosis_its_text_quotes(tmp_path):
    """The diagnosis numbers of exercise 5 (hot spots found, recorded share)
    are what its run and snippet print."""
    path = next(p for p in EXERCISES if p.name.startswith("05"))
    block = bash_blocks(path)[0].split("clssim report")[0]
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-e", "-c", block], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    precision = re.search(r"true top 20: (\d+)%", done.stdout)[1]
    recorded, true = re.search(r"before the diagnosis: (\d+) of (\d+)", done.stdout).groups()
    text = " ".join(path.read_text(encoding="utf-8").split())
    assert f"only {precision} % of them are among the 20 cells" in text
    assert (
        f"{true} offences, of which {recorded} ({int(recorded) / int(true):.0%}".replace("%", " %")
        in text
    )
