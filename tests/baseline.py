"""The frozen regression baseline: exact fingerprints of a few small runs.

``tests/baseline.json`` holds, for each case below, a fingerprint of every
output table and a SHA-256 of the summary, and a few headline numbers for a
readable diff. A table's fingerprint is a SHA-256 of its discrete columns
(integers, booleans, categories: every event, count and label, bit for bit)
and three moments of each float column (sum, sum of squares and a sum with
fixed pseudo-random weights, which sees any value moving). Floats are compared
to a relative 1e-9: numpy and pandas builds may sum in another order and
change the last bits of a mean (numpy 2.4 → 2.5 did), which is not a change of
the model; any change of the model moves them by far more.
``tests/test_baseline.py`` fails on any change, so a refactoring that is meant
to change nothing is checked (as Covasim's ``tests/test_baselines.py`` does).

A commit that changes the model's behaviour on purpose regenerates the file
and says why in its message::

    python tests/baseline.py           # rewrite tests/baseline.json
    python tests/baseline.py --check   # compare only (what the test does)
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clssim import CLSModel, load_scenario
from clssim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).resolve().parent / "baseline.json"

#: headline numbers kept beside the hashes (``None`` where a case lacks one)
HEADLINES = (
    "offences_true",
    "offences_recorded",
    "arrests",
    "mean_trust",
    "mean_insecurity",
    "reporting_rate",
    "cost_eur",
)

#: a pandemic and an economic crisis during the Serpa contract's implementation,
#: on top of its yearly harvest influx: every shock, and their effect on a contract
SHOCKS = [
    {
        "kind": "seasonal_influx",
        "visitor_type": "harvest_workers",
        "visitors": 1200,
        "start_day": 288,
        "end_day": 380,
        "every_year": True,
    },
    {"kind": "pandemic", "start_day": 640, "end_day": 700, "intensity": 0.8},
    {"kind": "economic_crisis", "start_day": 600, "end_day": 800, "intensity": 0.6},
]


def cases() -> dict[str, Scenario]:
    """The baseline scenarios, each small enough to run in a few seconds."""
    scenarios = ROOT / "scenarios"
    return {
        "default_small": load_scenario(scenarios / "neighbourhood.toml").with_overrides(
            {
                "population.residents": 3000,
                "world.width": 30,
                "world.height": 30,
                "time.years": 1.0,
            }
        ),
        "lisbon_contract_small": load_scenario(
            scenarios / "lisbon_neighbourhood.toml"
        ).with_overrides({"population.residents": 2000}),
        "serpa_shocks_small": load_scenario(scenarios / "serpa_citizen.toml").with_overrides(
            {"population.residents": 2000, "shocks": SHOCKS}
        ),
    }


#: relative tolerance of the float moments (see the module docstring)
RTOL = 1e-9


def frame_digest(frame: pd.DataFrame) -> dict[str, Any]:
    """A SHA-256 of a table's column names, dtypes and discrete values, and the
    moments of its float columns (non-finite values are hashed as discrete)."""
    h = hashlib.sha256()
    moments: dict[str, list[float]] = {}
    for name in frame.columns:
        col = frame[name]
        h.update(f"{name}:{col.dtype}\n".encode())
        values = col.to_numpy()
        if values.dtype.kind in "fc":
            values = values.astype(np.float64).ravel()
            finite = np.isfinite(values)
            h.update(np.packbits(finite).tobytes())
            h.update(np.ascontiguousarray(values[~finite]).tobytes())
            v = values[finite]
            w = np.random.default_rng(len(v)).random(len(v))
            moments[name] = [float(v.sum()), float((v * v).sum()), float(v @ w)]
        elif values.dtype.kind in "biumM":
            h.update(np.ascontiguousarray(values).tobytes())
        else:  # strings, categories, objects
            h.update("\x1f".join(map(repr, values.tolist())).encode())
    return {"sha256": h.hexdigest(), "floats": moments}


def same_table(a: Any, b: Any) -> bool:
    """Two table fingerprints agree: discrete values exactly, floats to ``RTOL``."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return a == b
    if a["sha256"] != b["sha256"] or set(a["floats"]) != set(b["floats"]):
        return False
    return all(
        np.allclose(a["floats"][k], b["floats"][k], rtol=RTOL, atol=1e-12) for k in a["floats"]
    )


def fingerprint(scenario: Scenario) -> dict[str, Any]:
    """Hashes of every output of one run, and its headline numbers."""
    res = CLSModel(scenario).run()
    tables = {
        "timeseries": res.timeseries,
        "cells": res.cells,
        "events": res.events,
        "residents": res.residents,
        **res.frames,
    }
    summary = json.dumps(res.summary, sort_keys=True, default=repr)
    extra = json.dumps(res.extra_files, sort_keys=True, default=repr)
    return {
        "hashes": {
            **{name: frame_digest(t) for name, t in sorted(tables.items())},
            "summary": hashlib.sha256(summary.encode()).hexdigest(),
            "extra_files": hashlib.sha256(extra.encode()).hexdigest(),
        },
        "headline": {k: res.summary.get(k) for k in HEADLINES},
    }


def compute() -> dict[str, Any]:
    return {name: fingerprint(s) for name, s in cases().items()}


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per case whose outputs changed: which tables, and the headlines."""
    lines = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a is None or b is None:
            lines.append(f"{name}: {'new case' if a is None else 'case removed'}")
            continue
        changed = sorted(
            k
            for k in set(a["hashes"]) | set(b["hashes"])
            if not same_table(a["hashes"].get(k), b["hashes"].get(k))
        )
        if changed:
            heads = ", ".join(
                f"{k} {a['headline'].get(k)} → {b['headline'].get(k)}"
                for k in HEADLINES
                if a["headline"].get(k) != b["headline"].get(k)
            )
            lines.append(f"{name}: {', '.join(changed)} changed ({heads or 'headlines equal'})")
    return lines


def main(argv: list[str]) -> int:
    new = compute()
    if "--check" in argv:
        old = json.loads(BASELINE.read_text(encoding="utf-8"))
        diff = differences(old, new)
        print("\n".join(diff) if diff else "baseline unchanged")
        return 1 if diff else 0
    BASELINE.write_text(json.dumps(new, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
