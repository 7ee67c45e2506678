"""Check that the documentation covers every scenario field, with the code's defaults.

Usage (from the repository root)::

    python docs/check_odd_fields.py               # exit 1 if something is missing or stale
    python docs/check_odd_fields.py --catalogue   # print the measure catalogue table

What is checked:

1. **Every scenario field appears in a parameter table of** ``docs/ODD.md``.
   A field counts as documented when its dotted path appears, in backticks,
   in the first cell of a Markdown table row (for example
   ``| `crime.motivation` | 0.04 | ... |``). The fields are those of
   ``clssim.scenario.field_table()`` (what ``clssim fields`` prints) **plus**
   the sub-fields of the ``[contract]`` and ``[[shocks]]`` tables, which
   ``clssim fields`` lists only as ``contract`` and ``shocks``. Sub-fields are
   read from the pydantic models of ``src/clssim/scenario/contract.py`` and ``shocks.py``; items of
   an array of tables are written without an index: ``contract.partners.capacity``,
   ``contract.measures.target``, ``shocks.visitors``.
2. **The documented default equals the code's default** (second cell of the
   row), for numbers, strings, booleans and "none". Defaults that are lists or
   tables, and fields without a default ("required"), are not compared.
3. **The measure catalogue table of** ``docs/contract.md`` **matches**
   the measure classes of ``src/clssim/measures/``: every kind has a row whose axis,
   unit, default target, lead, costs and ramp/decay days are the catalogue's.
   ``--catalogue`` prints the table to paste after a catalogue change.

Paths documented in the ODD but unknown to the schema are reported (stale
documentation) without failing the check.
"""

from __future__ import annotations

import math
import re
import sys
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from clssim.measures import AXIS_TITLES, MEASURES
from clssim.scenario import field_table
from clssim.scenario.contract import ContractConfig
from clssim.scenario.shocks import ShockConfig

DOCS = Path(__file__).resolve().parent
ODD = DOCS / "ODD.md"
CONTRACT = DOCS / "contract.md"
ROW = re.compile(r"^\|\s*`([a-z_][a-z0-9_.]*)`\s*\|([^|\n]*)\|", re.MULTILINE)
NOT_COMPARED = object()


def _model_of(annotation) -> type[BaseModel] | None:
    """The pydantic model inside ``annotation`` (``Model``, ``list[Model]``, ``Model | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        model = _model_of(arg)
        if model is not None:
            return model
    return None


def sub_fields(model: type[BaseModel], prefix: str) -> list[tuple[str, object]]:
    """(dotted path, default) of every leaf field of ``model``, recursively."""
    rows: list[tuple[str, object]] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}"
        nested = _model_of(info.annotation)
        if info.default is PydanticUndefined and info.default_factory is None:
            default: object = NOT_COMPARED  # required
        elif info.default_factory is not None:
            default = NOT_COMPARED  # a list or a table
        else:
            default = info.default
        if nested is not None:
            rows.append((path, NOT_COMPARED))  # the table itself (e.g. contract.partners)
            rows.extend(sub_fields(nested, path))
        else:
            rows.append((path, default))
    return rows


def all_fields() -> list[tuple[str, object]]:
    """Every scenario field and sub-field with its default (NOT_COMPARED if none)."""
    rows: list[tuple[str, object]] = []
    for path, default, *_ in field_table():
        if path in ("contract", "shocks"):
            rows.append((path, NOT_COMPARED))
        else:
            rows.append((path, _literal(default)))
    rows.extend(sub_fields(ContractConfig, "contract"))
    rows.extend(sub_fields(ShockConfig, "shocks"))
    return rows


def _literal(text: str) -> object:
    """The Python value of ``field_table``'s ``repr`` of a default."""
    if text == "None":
        return None
    if text in ("True", "False"):
        return text == "True"
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1]
    try:
        return float(text)
    except ValueError:
        return NOT_COMPARED


def _doc_value(cell: str) -> object:
    """The value written in a Default cell: "0.6", "`\"random\"`", "none", "−2.6", "250,000"."""
    text = cell.strip().strip("`").strip().strip('"').strip()
    low = text.lower()
    if low in ("none", "absent"):
        return None
    if low in ("true", "false"):
        return low == "true"
    number = text.replace("−", "-").replace(",", "").replace("\u202f", "").replace(" ", "")
    number = number.removeprefix("€")
    try:
        return float(number)
    except ValueError:
        return text


def _same(code: object, doc: object) -> bool:
    if code is NOT_COMPARED:
        return True
    if isinstance(code, bool) or code is None:
        return code == doc
    if isinstance(code, int | float):
        return isinstance(doc, float) and math.isclose(float(code), doc, rel_tol=1e-9)
    return str(code) == str(doc)


def check_odd() -> tuple[list[str], list[str]]:
    """Problems (fail) and warnings (stale paths) of ODD.md's parameter tables."""
    text = ODD.read_text(encoding="utf-8")
    documented: dict[str, str] = {}
    for path, cell in ROW.findall(text):
        documented.setdefault(path, cell)
    fields = all_fields()
    names = {p for p, _ in fields}
    problems: list[str] = []
    for path, default in fields:
        if path not in documented:
            problems.append(f"MISSING  {path}")
        elif not _same(default, _doc_value(documented[path])):
            problems.append(
                f"DEFAULT  {path}: ODD says {documented[path].strip()!r}, code has {default!r}"
            )
    files = (".toml", ".txt", ".md", ".py", ".json", ".parquet")
    stale = sorted(d for d in documented if "." in d and not d.endswith(files) and d not in names)
    print(
        f"{len(fields)} scenario fields and sub-fields, "
        f"{len(fields) - sum(p.startswith('MISSING') for p in problems)} documented in {ODD.name}"
    )
    return problems, [f"not a scenario field (stale?)  {d}" for d in stale]


def _eur(value: float) -> str:
    return f"{value:,.0f}" if value == round(value) or value >= 100 else f"{value:,.2g}"


def _staff(k) -> str:
    hours = []
    if k.staff_hours_unit_month:
        hours.append(f"{k.staff_hours_unit_month:g} h/unit/month")
    if k.staff_hours_once:
        hours.append(f"{k.staff_hours_once:g} h/unit once")
    return f"{k.staff.replace('_', ' ')}: {', '.join(hours)}" if k.staff and hours else "—"


def catalogue_rows() -> list[str]:
    """The Markdown rows of the measure catalogue (docs/contract.md §6)."""
    rows = [
        "| Kind | Axis | Acts on | Unit of capacity | Default target | Default lead "
        "| Fixed € | € per unit once | € per unit per month | In-kind staff time "
        "| Ramp days | Decay days | Description |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, k in MEASURES.items():
        rows.append(
            f"| `{name}` | {AXIS_TITLES[k.axis]} | {k.targets} | {k.unit} | `{k.default_target}` "
            f"| {k.lead} | {_eur(k.fixed_eur)} | {_eur(k.unit_fixed_eur)} "
            f"| {_eur(k.unit_month_eur)} | {_staff(k)} | {k.ramp_days:g} "
            f"| {k.decay_days:g} | {k.description} |"
        )
    return rows


def check_catalogue() -> list[str]:
    """Rows of the catalogue that docs/contract.md lacks or shows differently."""
    if not CONTRACT.is_file():
        return [f"MISSING  {CONTRACT.name}"]
    text = CONTRACT.read_text(encoding="utf-8")
    return [
        f"CATALOGUE  {row.split('|')[1].strip()} row differs from its class in clssim.measures "
        "(regenerate with --catalogue)"
        for row in catalogue_rows()[2:]
        if row not in text
    ]


def main(argv: list[str]) -> int:
    if "--catalogue" in argv:
        print("\n".join(catalogue_rows()))
        return 0
    problems, warnings = check_odd()
    problems += check_catalogue()
    for line in problems + warnings:
        print(f"  {line}")
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
