"""Check that every scenario field appears in a parameter table of docs/ODD.md.

Usage (from the repository root)::

    python docs/check_odd_fields.py            # exit 1 if a field is missing

A field counts as documented when its dotted path appears, in backticks, in
the first cell of a Markdown table row of ``docs/ODD.md`` (for example
``| `crime.motivation` | 0.03 | ... |``). The list of fields is
``clssim.scenario.field_table()``, the same list that ``clssim fields``
prints. Paths documented in the ODD but unknown to the scenario schema are
reported too (stale documentation), without failing the check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from clssim.scenario import field_table

ODD = Path(__file__).resolve().parent / "ODD.md"
ROW = re.compile(r"^\|\s*`([a-z_][a-z0-9_.]*)`\s*\|", re.MULTILINE)


def main() -> int:
    documented = set(ROW.findall(ODD.read_text(encoding="utf-8")))
    fields = [row[0] for row in field_table()]
    missing = [f for f in fields if f not in documented]
    files = (".toml", ".txt", ".md", ".py")
    stale = sorted(d for d in documented if "." in d and not d.endswith(files) and d not in fields)
    done = len(fields) - len(missing)
    print(f"{len(fields)} scenario fields, {done} documented in {ODD.name}")
    for f in missing:
        print(f"  MISSING  {f}")
    for d in stale:
        print(f"  not a scenario field (stale?)  {d}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
