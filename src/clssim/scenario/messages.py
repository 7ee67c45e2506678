"""One-line error messages for validated input files (scenarios and experiments).

Every input error a user sees is one line naming the file, the field path, the
offending value and what is allowed, e.g.::

    my.toml: police.officers = -3: Input should be greater than or equal to 0 (allowed: >=0)

:func:`one_line` turns the first error of a pydantic ``ValidationError`` into
that line, for any root model; scenario files (:mod:`clssim.scenario.schema`)
and experiment files (:mod:`clssim.experiments.spec`) share it.
"""

from __future__ import annotations

import typing
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

#: which file set each leaf value of a merged (``extends``) scenario
Origin = dict[tuple[str, ...], Path]


def oneline(text: str, limit: int = 200) -> str:
    """``text`` on one line (control characters escaped), at most ``limit`` chars."""
    flat = "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch
        for ch in text
    )
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def show_value(value: Any) -> str:
    """A short, one-line ``repr`` (huge integers cannot even be repr'd)."""
    try:
        return oneline(repr(value), 80)
    except ValueError:
        return "<a number too large to print>"


def field_path(loc: tuple[Any, ...], quote: bool = True) -> str:
    """A location as a dotted path; with ``quote``, keys that are not plain names
    (experiment parameters are dotted paths themselves) are quoted."""
    parts = []
    for p in loc:
        p = str(p)
        plain = not quote or ("." not in p and p.replace("_", "").isalnum())
        parts.append(p if plain else f'"{p}"')
    return oneline(".".join(parts)) or "(top level)"


def lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    """The input value at a validation error's location (tables and arrays)."""
    for key in loc:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and str(key).isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return None
    return data


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``Model``, ``Model | None`` or ``list[Model]`` (else None)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is dict:
        return None
    for arg in typing.get_args(annotation):
        model = _submodel(arg)
        if model is not None:
            return model
    return None


def allowed_keys(
    root: type[BaseModel], loc: tuple[Any, ...], hidden: tuple[str, ...] = ()
) -> list[str]:
    """The keys allowed in the table that holds ``loc``'s last key.

    Walks tables (``Model``, ``Model | None``), arrays of tables (the index is
    skipped) and dictionaries of tables (the free key is skipped).
    """
    model: type[BaseModel] = root
    keys = [str(k) for k in loc[:-1]]
    i = 0
    while i < len(keys):
        info = model.model_fields.get(keys[i])
        if info is None:
            return []
        ann = info.annotation
        origin = typing.get_origin(ann)
        if origin is dict:  # e.g. experiment parameters: skip the free key
            ann = typing.get_args(ann)[1]
            i += 1
        elif origin is list or _is_list_of_models(ann):
            i += 1  # skip the array index
        sub = _submodel(ann)
        if sub is None:
            return []
        model = sub
        i += 1
    return [k for k in model.model_fields if k not in hidden]


def _is_list_of_models(annotation: Any) -> bool:
    return any(typing.get_origin(a) is list for a in typing.get_args(annotation))


def one_line(
    source: str,
    exc: ValidationError,
    data: Mapping[str, Any],
    root: type[BaseModel],
    *,
    origin: Origin | None = None,
    ranges: Mapping[str, str] | None = None,
    extra_keys: tuple[str, ...] = (),
    hidden: tuple[str, ...] = (),
    quote: bool = False,
) -> str:
    """The first error of ``exc`` as one line: ``file: field = value: what is allowed``.

    Parameters
    ----------
    source:
        The file (or ``<overrides>``) the data came from.
    data:
        The raw data that was validated (to show the offending value).
    root:
        The model that was validated (to list the keys allowed in a table).
    origin:
        For merged files, which file set each leaf value; an error in an
        inherited value names that file too.
    ranges:
        Documented allowed range by dotted field path, appended to the message.
    extra_keys, hidden:
        Keys allowed at the top level though not fields (``extends``), and
        fields never shown (``base_dir``).
    quote:
        Quote keys that are not plain names (see :func:`field_path`).
    """
    err = exc.errors()[0]
    loc = tuple(str(p) for p in err["loc"])
    where = field_path(loc, quote)
    set_in = (origin or {}).get(loc)
    if set_in is not None and str(set_in) != str(Path(source).resolve()):
        source = f"{source} (value set in {set_in.name})"
    if err["type"] == "extra_forbidden":
        keys = allowed_keys(root, loc, hidden)
        if len(loc) == 1:
            keys = [*extra_keys, *keys]
        return f"{source}: {where}: unknown field; allowed here: {', '.join(keys)}"
    if err["type"] == "missing":
        return f"{source}: {where}: required field missing"
    value = lookup(data, loc) if loc else err.get("input")
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "value_error" and not loc:  # a whole-file check names its fields
        return f"{source}: {oneline(msg)}"
    if err["type"] == "value_error" and isinstance(value, dict | list):  # a table's check
        return f"{source}: {where}: {oneline(msg)}"
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        msg = f"must be one of {ctx['expected']}"
    allowed = (ranges or {}).get(".".join(loc), "")
    if allowed and allowed != "text" and allowed not in msg:
        msg = f"{msg} (allowed: {allowed})"
    more = f" (+{len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{source}: {where} = {show_value(value)}: {oneline(msg)}{more}"
