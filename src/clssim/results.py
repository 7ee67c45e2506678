"""Recording a run and writing its files.

Files of a run directory (ODD §2 "Outputs"):

``timeseries.parquet``  one row per slot: true and recorded offences by type,
                        arrests, victims, officers on duty, mean maintenance
``cells.parquet``       one row per cell: x, y, land use, layers at the end,
                        true and recorded offences (total and by type)
``events.parquet``      one row per completed offence
``residents.parquet``   one row per resident: attributes and final social state
``measures.parquet``    with a contract: one row per measure and month (level,
                        strength, participants, spending)
``diagnosis.json``      with a contract: the Local Safety Diagnosis
``stages.json``         with a contract: the days each stage began
``summary.json``        headline indicators
``scenario.toml``       the fully resolved scenario (every field)
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from clssim.clock import DAYS_PER_YEAR, SLOTS, SLOTS_PER_DAY, Instant
from clssim.crime import OFFENCES, VISITOR, Offences
from clssim.evidence.harms import unit_costs
from clssim.layouts import LAND_USES
from clssim.metrics import concentration
from clssim.population import ROLES
from clssim.scenario import Scenario, ScenarioError
from clssim.scenario.contract import STAGES
from clssim.version import __version__
from clssim.world import LAYERS

#: the fields the recorder keeps for each offence (``events.parquet`` is built from them)
EVENT_COLUMNS = (
    "step",
    "offender",
    "cell",
    "kind",
    "victim",
    "prior",
    "reported",
    "tipped",
    "arrested",
)


class Recorder:
    """Preallocated per-step arrays and per-cell tallies, filled by the loop."""

    def __init__(self, steps: int, world, population):
        self.world = world
        self.population = population
        k = len(OFFENCES)
        self.true = np.zeros((steps, k), dtype=np.int32)
        self.recorded = np.zeros((steps, k), dtype=np.int32)
        self.arrests = np.zeros(steps, dtype=np.int32)
        self.victims = np.zeros(steps, dtype=np.int32)
        self.on_duty = np.zeros(steps, dtype=np.int16)
        self.maintenance = np.zeros(steps)
        self.cell_true = np.zeros((world.ncells, k), dtype=np.int32)
        self.cell_recorded = np.zeros((world.ncells, k), dtype=np.int32)
        self._events: list[dict[str, np.ndarray]] = []
        self.extra: dict[str, np.ndarray] = {}  #: further per-step series (float)
        # per-slot social counts: 0 in a slot without contacts or offences
        for name in (
            "contacts_fair",
            "contacts_unfair",
            "tips",
            "first_time_offenders",
            "repeat_offences",
        ):
            self.extra[name] = np.zeros(steps)

    def event_column(self, name: str) -> np.ndarray:
        """One column of the offence events so far (``step``, ``offender``, ``cell``,
        ``kind``, ``victim``, ``prior``, ``reported``, ``tipped``, ``arrested``)."""
        if name not in EVENT_COLUMNS:
            raise KeyError(f"no event column {name!r}; allowed: {', '.join(EVENT_COLUMNS)}")
        if not self._events:
            return np.empty(0, dtype=bool if name in ("reported", "tipped", "arrested") else int)
        return np.concatenate([e[name] for e in self._events])

    def series(self, name: str) -> np.ndarray:
        """A further per-step series, created on first use."""
        if name not in self.extra:
            self.extra[name] = np.full(self.arrests.size, np.nan)
        return self.extra[name]

    def record(self, t: Instant, off: Offences, on_duty: int) -> None:
        s = t.step
        self.on_duty[s] = on_duty
        maintenance = self.world.layers["maintenance"]
        self.maintenance[s] = maintenance.sum() / maintenance.size
        self.arrests[s] = off.flagrante_arrests.size
        if not len(off):
            return
        self.arrests[s] += int(off.arrested.sum())
        np.add.at(self.true[s], off.kind, 1)
        np.add.at(self.recorded[s], off.kind[off.reported], 1)
        np.add.at(self.cell_true, (off.cell, off.kind), 1)
        np.add.at(self.cell_recorded, (off.cell[off.reported], off.kind[off.reported]), 1)
        self.victims[s] = len(set(off.victim[off.victim >= 0].tolist()))  # a few: no np.unique
        self._events.append(
            {
                "step": np.full(len(off), s, dtype=np.int32),
                "offender": off.offender,
                "cell": off.cell,
                "kind": off.kind,
                "victim": off.victim,
                "prior": off.prior,
                "reported": off.reported,
                "tipped": off.tipped,
                "arrested": off.arrested,
            }
        )

    def record_social(self, s: int, off: Offences, fair: int, unfair: int) -> None:
        """Contacts, tips and first and repeat offending of the slot."""
        self.extra["contacts_fair"][s] = fair
        self.extra["contacts_unfair"][s] = unfair
        if len(off):
            first = off.prior == 0
            self.extra["tips"][s] = int(off.tipped.sum())
            self.extra["first_time_offenders"][s] = len(set(off.offender[first].tolist()))
            self.extra["repeat_offences"][s] = int((~first).sum())

    def record_social_state(self, s: int, now: dict[str, float]) -> None:
        """Social means as of a day's end (``now``), for slot ``s`` and the following
        slots up to the next day's end: the social state changes only then."""
        for key, value in now.items():
            self.series(key)[s : s + SLOTS_PER_DAY] = value

    def record_contract(self, t: Instant, contract) -> None:
        """Spending (cumulative, €), stage and participants of the slot."""
        s = t.step
        for axis, eur in contract.spent.items():
            self.series(f"spend_{axis}_eur")[s] = eur
        self.series("spend_total_eur")[s] = sum(contract.spent.values())
        self.series("stage_code")[s] = STAGES.index(contract.stage(t.day))
        self.series("participants")[s] = sum(
            m.people.size for m in contract.measures if m.funded(t.day)
        )

    def results(self, scenario: Scenario, steps_done: int, soc=None, contract=None) -> Results:
        n = steps_done
        steps = np.arange(n)
        day, slot = np.divmod(steps, SLOTS_PER_DAY)
        ts: dict[str, Any] = {
            "step": steps.astype(np.int32),
            "day": day.astype(np.int32),
            "slot": pd.Categorical.from_codes(slot, SLOTS),
            "weekday": ((day + scenario.time.start_weekday) % 7).astype(np.int8),
            "offences_true": self.true[:n].sum(1),
            "offences_recorded": self.recorded[:n].sum(1),
        }
        for k, name in enumerate(OFFENCES):
            ts[f"{name}_true"] = self.true[:n, k]
            ts[f"{name}_recorded"] = self.recorded[:n, k]
        ts["arrests"] = self.arrests[:n]
        ts["victims"] = self.victims[:n]
        ts["officers_on_duty"] = self.on_duty[:n]
        ts["mean_maintenance"] = self.maintenance[:n]
        ts["disorder"] = 1.0 - self.maintenance[:n]
        true_n = ts["offences_true"].astype(float)
        ts["reporting_rate"] = np.divide(
            ts["offences_recorded"], true_n, out=np.full(n, np.nan), where=true_n > 0
        )
        for name, values in self.extra.items():
            ts[name] = values[:n]
        if "stage_code" in ts:
            codes = np.nan_to_num(ts.pop("stage_code"), nan=0).astype(np.int8)
            ts["stage"] = pd.Categorical.from_codes(codes, STAGES)
        timeseries = pd.DataFrame(ts)

        w = self.world
        x, y = w.xy(np.arange(w.ncells))
        cells: dict[str, Any] = {
            "x": x.astype(np.int32),
            "y": y.astype(np.int32),
            "land_use": pd.Categorical.from_codes(w.land_use, LAND_USES),
            **self._coordinates(x, y),
            "offences_true": self.cell_true.sum(1),
            "offences_recorded": self.cell_recorded.sum(1),
        }
        for k, name in enumerate(OFFENCES):
            cells[f"{name}_true"] = self.cell_true[:, k]
            cells[f"{name}_recorded"] = self.cell_recorded[:, k]
        for name in LAYERS:
            cells[name] = w.layers[name].copy()
        if soc is not None:
            home = self.population.home
            counts = np.bincount(home, minlength=w.ncells).astype(float)
            for name in ("trust", "insecurity"):
                total = np.bincount(home, weights=getattr(soc, name), minlength=w.ncells)
                cells[name] = np.divide(
                    total, counts, out=np.full(w.ncells, np.nan), where=counts > 0
                )
            cells["residents"] = counts.astype(np.int32)
            cells["collective_efficacy"] = soc.efficacy[soc.area_of_cell]
        cells_df = pd.DataFrame(cells)

        events = self._events_frame(scenario)
        residents = self._residents_frame(soc)
        summary = summarise(scenario, timeseries, cells_df, events, self.population, n)
        if soc is not None:
            summary.update(summarise_social(timeseries, events, soc, self.population, n))
        summary["visitor_victimisations"] = int((events["victim_id"] == VISITOR).sum())
        extra_files: dict[str, Any] = {}
        frames: dict[str, pd.DataFrame] = {}
        if contract is not None:
            summary.update(contract.summary())
            frames["measures"] = pd.DataFrame(contract.monthly)
            extra_files["stages.json"] = contract.transitions
            if contract.diagnosis is not None:
                extra_files["diagnosis.json"] = contract.diagnosis.to_json(self.world)
        crs = None if w.georef is None else w.georef.crs
        return Results(
            scenario, timeseries, cells_df, events, summary, residents, extra_files, frames, crs
        )

    def _coordinates(self, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        """Projected cell-centre coordinates on a real map (none on a drawn grid)."""
        georef = self.world.georef
        if georef is None:
            return {}
        easting, northing = georef.centres(x, y)
        return {"easting": easting, "northing": northing}

    def _residents_frame(self, soc) -> pd.DataFrame:
        """One row per resident: attributes and final state."""
        pop = self.population
        x, y = self.world.xy(pop.home)
        frame = {
            "age": pop.age.astype(np.int16),
            "female": pop.female,
            "household": pop.household,
            "home_x": x.astype(np.int32),
            "home_y": y.astype(np.int32),
            "role": pd.Categorical.from_codes(pop.role, ROLES),
            "poor": pop.poor,
            "migrant": pop.migrant,
            "minority": pop.minority,
            "isolated_elderly": pop.isolated_elderly,
        }
        if soc is not None:
            frame |= {
                "trust": soc.trust.copy(),
                "insecurity": soc.insecurity.copy(),
                "participation": soc.participation.copy(),
                "victimisations": soc.victimisations.copy(),
            }
        return pd.DataFrame(frame)

    def _events_frame(self, scenario: Scenario) -> pd.DataFrame:
        if self._events:
            cols = {c: np.concatenate([e[c] for e in self._events]) for c in EVENT_COLUMNS}
        else:
            cols = {c: np.empty(0, dtype=np.int64) for c in EVENT_COLUMNS}
            for flag in ("reported", "tipped", "arrested"):
                cols[flag] = np.empty(0, dtype=bool)
        step = cols["step"].astype(np.int32)
        day, slot = np.divmod(step, SLOTS_PER_DAY)
        x, y = self.world.xy(cols["cell"])
        pop = self.population
        return pd.DataFrame(
            {
                "step": step,
                "day": day.astype(np.int32),
                "slot": pd.Categorical.from_codes(slot, SLOTS),
                "x": x.astype(np.int32),
                "y": y.astype(np.int32),
                **self._coordinates(x, y),
                "type": pd.Categorical.from_codes(cols["kind"], OFFENCES),
                "offender_id": cols["offender"].astype(np.int64),
                "offender_age": pop.age[cols["offender"]].astype(np.int16),
                "victim_id": cols["victim"].astype(np.int64),
                "offender_prior_offences": cols["prior"].astype(np.int32),
                "reported": cols["reported"].astype(bool),
                "tipped": cols["tipped"].astype(bool),
                "arrested": cols["arrested"].astype(bool),
            }
        )


def summarise(
    scenario: Scenario,
    ts: pd.DataFrame,
    cells: pd.DataFrame,
    events: pd.DataFrame,
    pop,
    steps: int,
) -> dict[str, Any]:
    """Headline indicators of one run (the keys of ``summary.json``)."""
    years = steps / (SLOTS_PER_DAY * DAYS_PER_YEAR)
    true = int(ts["offences_true"].sum())
    recorded = int(ts["offences_recorded"].sum())
    out: dict[str, Any] = {
        "clssim_version": __version__,
        "scenario": scenario.name,
        "seed": scenario.seed,
        "residents": pop.n,
        "households": pop.n_households,
        "cells": int(len(cells)),
        "area_km2": round(len(cells) * (scenario.world.cell_size_m / 1000.0) ** 2, 6),
        "steps": steps,
        "years": round(years, 6),
        "offences_true": true,
        "offences_recorded": recorded,
        "recording_rate": _ratio(recorded, true),
        "offences_per_1000_per_year": _ratio(1000.0 * true, pop.n * years),
        "arrests": int(ts["arrests"].sum()),
        "victims": int(events.loc[events["victim_id"] >= 0, "victim_id"].nunique()),
        "offenders": int(events["offender_id"].nunique()),
    }
    for name in OFFENCES:
        out[f"{name}_true"] = int(ts[f"{name}_true"].sum())
        out[f"{name}_recorded"] = int(ts[f"{name}_recorded"].sum())
    by_type = np.array([out[f"{name}_true"] for name in OFFENCES], dtype=float)
    for level, key in (("eur", "harm_eur"), ("low", "harm_eur_low"), ("high", "harm_eur_high")):
        out[key] = round(float(by_type @ unit_costs(level)), 2)  # social cost of true crime
    counts = cells["offences_true"].to_numpy()
    out["cells_with_50pct_offences"] = concentration(counts, 0.5)
    out["cells_with_25pct_offences"] = concentration(counts, 0.25)
    return out


def summarise_social(ts: pd.DataFrame, events: pd.DataFrame, soc, pop, steps: int) -> dict:
    """Social headline indicators: trust, insecurity, reporting, careers."""
    per_offender = events["offender_id"].value_counts()
    years = steps / (SLOTS_PER_DAY * DAYS_PER_YEAR)
    victims = events.loc[events["victim_id"] >= 0, "victim_id"].unique()
    out = {
        "mean_trust": float(ts["trust_mean"].mean()) if steps else float("nan"),
        "mean_insecurity": float(ts["insecurity_mean"].mean()) if steps else float("nan"),
        "final_trust": float(soc.trust.mean()),
        "final_insecurity": float(soc.insecurity.mean()),
        "afraid_share": float((soc.insecurity > 0.5).mean()),
        "victimised_share_per_year": _ratio(victims.size, pop.n * years),
        "reporting_rate": _ratio(int(events["reported"].sum()), len(events)),
        "tips": int(ts["tips"].sum()),
        "contacts_fair": int(ts["contacts_fair"].sum()),
        "contacts_unfair": int(ts["contacts_unfair"].sum()),
        "repeat_offenders": int((per_offender >= 2).sum()),
        "repeat_offence_share": _ratio(int(ts["repeat_offences"].sum()), len(events)),
        "mean_collective_efficacy": float(soc.efficacy[soc.area_of_home].mean()),
    }
    out |= last_year(ts, events, steps)
    for group in SUMMARY_GROUPS:  # NaN, without a warning, for a group with no members
        out[f"mean_trust_{group}"] = _mean_of_known(ts[f"trust_{group}"])
        out[f"mean_insecurity_{group}"] = _mean_of_known(ts[f"insecurity_{group}"])
    return out


def _mean_of_known(values: pd.Series) -> float:
    """Mean of the non-NaN values; NaN when there are none."""
    known = values.to_numpy(dtype=float)
    known = known[~np.isnan(known)]
    return float(known.mean()) if known.size else float("nan")


def last_year(ts: pd.DataFrame, events: pd.DataFrame, steps: int) -> dict[str, float]:
    """Indicators over the final 365 days (or the whole run if shorter): the window
    in which contract and baseline arms are compared."""
    first = max(0, steps - DAYS_PER_YEAR * SLOTS_PER_DAY)
    w = ts.iloc[first:]
    ev = events[events["step"] >= first]
    true = len(ev)
    youth = ev["offender_age"].between(12, 24)
    by_type = ev["type"].value_counts().reindex(list(OFFENCES), fill_value=0).to_numpy(float)
    return {
        "offences_true_last_year": true,
        "harm_eur_last_year": round(float(by_type @ unit_costs()), 2),
        "offences_recorded_last_year": int(ev["reported"].sum()),
        "reporting_rate_last_year": _ratio(int(ev["reported"].sum()), true),
        "youth_offences_last_year": int(youth.sum()),
        "youth_repeat_offences_last_year": int((youth & (ev["offender_prior_offences"] > 0)).sum()),
        "mean_trust_last_year": float(w["trust_mean"].mean()),
        "mean_insecurity_last_year": float(w["insecurity_mean"].mean()),
    } | {
        f"{var}_{group}_last_year": _nanmean(w[f"{var}_{group}"])
        for var in ("trust", "insecurity")
        for group in REPORT_GROUPS
    }


#: Groups whose run means of trust and insecurity go into ``summary.json``.
SUMMARY_GROUPS = ("youth", "elderly", "migrant", "isolated_elderly", "female")
#: Groups with their own last-year indicators (the report's "effects by group").
REPORT_GROUPS = ("youth", "elderly", "isolated_elderly", "migrant", "minority", "female", "male")


def _nanmean(values: pd.Series) -> float:
    v = values.to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else float("nan")


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


@dataclass
class Results:
    """Everything a run produced, in memory."""

    scenario: Scenario
    timeseries: pd.DataFrame
    cells: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, Any]
    residents: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra_files: dict[str, Any] = field(default_factory=dict)  #: name → JSON payload
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  #: more Parquet tables
    #: a real map's projected CRS: cells and events carry easting/northing in it
    crs: str | None = None

    def write(self, out_dir: str | Path) -> Path:
        """Write the run's files into ``out_dir`` (created if needed).

        Each file is written to a temporary name and renamed, so a crash never
        leaves a half-written file under its final name.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        # a contract's files from an earlier run into the same directory would be
        # read as this run's: remove those this run does not write (only where a
        # run was written before: other files of that name are not ours)
        if (out / "summary.json").is_file():
            stale = OPTIONAL_FILES - {f"{n}.parquet" for n in self.frames} - set(self.extra_files)
            for name in stale:
                (out / name).unlink(missing_ok=True)
        for name, frame in (
            ("timeseries", self.timeseries),
            ("cells", self.cells),
            ("events", self.events),
            ("residents", self.residents),
            *self.frames.items(),
        ):
            _atomic(out / f"{name}.parquet", lambda p, f=frame: _parquet(f, p, self.crs))
        # JSON has no NaN: an undefined indicator (e.g. concentration without offences) is null
        text = json.dumps(finite_or_null(self.summary), indent=2, sort_keys=True) + "\n"
        _atomic(out / "summary.json", lambda p: Path(p).write_text(text, encoding="utf-8"))
        toml = scenario_toml(self.scenario)
        _atomic(out / "scenario.toml", lambda p: Path(p).write_text(toml, encoding="utf-8"))
        for name, payload in self.extra_files.items():
            body = json.dumps(payload, indent=2, sort_keys=True) + "\n"
            _atomic(out / name, lambda p, b=body: Path(p).write_text(b, encoding="utf-8"))
        return out


#: Files a run writes only with a contract (``Results.write`` removes stale ones)
OPTIONAL_FILES = frozenset({"measures.parquet", "stages.json", "diagnosis.json"})


#: the Parquet footer key holding a real map's CRS (cells and events)
CRS_KEY = b"clssim.crs"


def _parquet(frame: pd.DataFrame, path: Path, crs: str | None) -> None:
    """``frame`` as Parquet; with the CRS in the metadata when it has coordinates."""
    if crs is None or "easting" not in frame.columns:
        frame.to_parquet(path, index=False)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), CRS_KEY: crs.encode()})
    pq.write_table(table, path)


def finite_or_null(value: Any) -> Any:
    """``value`` with every NaN or infinite float (at any depth) replaced by ``None``."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_null(v) for v in value]
    return value


def output_dir(path: str | Path, option: str = "--out", shown: str | Path | None = None) -> Path:
    """Check that the output directory ``path`` can be created and written, without
    creating anything; refuse it in one line (``ScenarioError``, naming ``option =
    shown``, by default the path) when it cannot."""
    out = Path(path)
    option = f"{option} = {out if shown is None else shown}"
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        what = "exists and is not a directory" if existing == out else f"{existing} is a file"
        raise ScenarioError(f"option {option}: {what}")
    try:  # the nearest existing directory must take a new entry
        fd, probe = tempfile.mkstemp(prefix=".clssim-write-test-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ScenarioError(
            f"option {option}: cannot write in {existing} ({exc.strerror or exc})"
        ) from None
    return out


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def scenario_toml(scenario: Scenario) -> str:
    """The resolved scenario as TOML text (every field, defaults included)."""
    data = scenario.to_dict()
    if scenario.world.map is not None:  # keep the copy runnable from anywhere
        data["world"]["map"] = str(scenario.map_path())
    return tomli_w.dumps(_drop_none(data))


def _drop_none(node: Any) -> Any:
    """TOML has no null: an absent key means "none" (e.g. no map, no contract)."""
    if isinstance(node, dict):
        return {k: _drop_none(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_none(v) for v in node]
    return node
