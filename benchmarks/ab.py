"""Before/after: the default run's loop time for two checkouts, interleaved.

    git worktree add /tmp/before <commit>
    python benchmarks/ab.py /tmp/before/src src --rounds 3

Each round runs both checkouts (in fresh processes, ``PYTHONPATH`` pointing
at their ``src``) and takes the best of ``--repeats`` runs of the default
scenario's loop (construction excluded); the ratio is measured in the same
round, so load on the machine cancels out as far as it can.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

TIMER = """
import time
from clssim import CLSModel, load_scenario
scenario = load_scenario()
best = float("inf")
for _ in range({repeats}):
    model = CLSModel(scenario, seed=1)
    t0 = time.perf_counter()
    model.run()
    best = min(best, time.perf_counter() - t0)
print(best)
"""


def loop_seconds(src: str, repeats: int) -> float:
    env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
    code = TIMER.format(repeats=repeats)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="src directory of the earlier checkout")
    parser.add_argument("after", help="src directory of the later checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("| round | before s | after s | after ÷ before |\n|---:|---:|---:|---:|")
    for r in range(1, args.rounds + 1):
        b = loop_seconds(args.before, args.repeats)
        a = loop_seconds(args.after, args.repeats)
        print(f"| {r} | {b:.3f} | {a:.3f} | {a / b:.3f} |")


if __name__ == "__main__":
    main()
