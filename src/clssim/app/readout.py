"""The numbers the app shows, read from a model: the text panel, the weekly
offences of the plots, and the headline figures of the run log.

Every function takes any :class:`~clssim.model.CLSModel` (a notebook can use
them too) and reads only; nothing here writes to the model.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from clssim.app.i18n import number, tr
from clssim.clock import SLOTS, SLOTS_PER_DAY, instant
from clssim.scenario.contract import STAGES

__all__ = ["WEEK", "indicators", "info_lines", "weekly_offences"]

WEEK = 7 * SLOTS_PER_DAY


def weekly_offences(model) -> dict[str, np.ndarray]:
    """True and recorded offences per week so far; the last week may be partial."""
    n = model.steps
    rec = model.recorder
    weeks = np.arange(n) // WEEK
    k = int(weeks[-1]) + 1 if n else 0
    return {
        "week": np.arange(k),
        "true": np.bincount(weeks, weights=rec.true[:n].sum(1), minlength=k),
        "recorded": np.bincount(weeks, weights=rec.recorded[:n].sum(1), minlength=k),
        "complete": np.arange(k) < n // WEEK,
    }


def indicators(model) -> dict[str, Any]:
    """The numbers of the text panel and of the run log."""
    n = model.steps
    rec, soc, pop = model.recorder, model.social, model.population
    t = instant(max(n - 1, 0), model.scenario_config.time.start_weekday)
    true, recorded = int(rec.true[:n].sum()), int(rec.recorded[:n].sum())
    last = slice(max(0, n - WEEK), n)
    return {
        "step": n,
        "steps": model.n_steps,
        "day": t.day,
        "days": n / SLOTS_PER_DAY,
        "weekday": t.weekday,
        "slot": SLOTS[t.slot],
        "offences_true": true,
        "offences_recorded": recorded,
        "recording_rate": recorded / true if true else float("nan"),
        "week_true": int(rec.true[last].sum()),
        "week_recorded": int(rec.recorded[last].sum()),
        "trust_mean": float(soc.trust.mean()),
        "insecurity_mean": float(soc.insecurity.mean()),
        "afraid_share": float((soc.insecurity > 0.5).mean()),
        "victimised_share": float((soc.victimisations > 0).mean()),
        "residents": int(pop.n),
        "officers": model.police.n_officers,
        "proximity_officers": sum(o.proximity for o in model.police.officers),
        "on_duty": int(rec.on_duty[n - 1]) if n else 0,
        "stage": model.contract.stage(t.day) if model.contract is not None else None,
    }


def weekday_name(weekday: int, lang: str = "en") -> str:
    return tr("weekdays", lang).split()[weekday]


def info_lines(model, lang: str = "en") -> list[str]:
    """The text panel as HTML lines (dynamic text escaped)."""
    t = indicators(model)
    name = escape(str(getattr(model, "scenario_name", model.scenario_config.name)))
    when = {"weekday": weekday_name(t["weekday"], lang), "slot": tr(t["slot"], lang)}
    lines = []
    if t["step"] >= t["steps"]:
        days = number(t["steps"] / SLOTS_PER_DAY, lang, 0)
        lines.append(
            "<span class='clssim-end' style='color:#b00020'>"
            + tr("end_of_run", lang, steps=number(t["steps"], lang), days=days)
            + "</span>"
        )
    lines += [
        tr(
            "info_step",
            lang,
            step=number(t["step"], lang),
            steps=number(t["steps"], lang),
            day=t["day"],
            name=name,
            **when,
        ),
        tr(
            "info_offences",
            lang,
            true=number(t["offences_true"], lang),
            recorded=number(t["offences_recorded"], lang),
            rate=number(t["recording_rate"], lang, 0, percent=True),
            week_true=t["week_true"],
            week_recorded=t["week_recorded"],
        ),
        tr(
            "info_social",
            lang,
            trust=number(t["trust_mean"], lang, 3),
            insecurity=number(t["insecurity_mean"], lang, 3),
            afraid=number(t["afraid_share"], lang, 1, percent=True),
            victimised=number(t["victimised_share"], lang, 1, percent=True),
        ),
        tr(
            "info_officers",
            lang,
            officers=t["officers"],
            proximity=t["proximity_officers"],
            on_duty=t["on_duty"],
        ),
    ]
    if t["stage"] is not None:
        stages = ", ".join(tr(f"stage_{s}", lang) for s in STAGES[1:])
        lines.append(tr("info_stage", lang, stage=tr(f"stage_{t['stage']}", lang), stages=stages))
    if getattr(model, "shipped", False):
        lines.append(tr("info_shipped", lang, seed=model.scenario_config.seed))
    for note in getattr(model, "notes", []):
        text = note.text(lang) if hasattr(note, "text") else str(note)
        lines.append(f"<i>{escape(text)}</i>")
    return lines
