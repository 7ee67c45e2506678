"""Social dynamics: trust in police, perceived insecurity, collective efficacy
and offending careers (ODD §7 "Social dynamics").

Events of the day (contacts with officers, victimisation, reports and the
response to them, arrests) are tallied per resident as they happen; once a
day, :func:`end_of_day` turns them into changes of the four slow state
variables, each a vector over residents (or over areas):

* **trust** in [0, 1] — fair contacts raise it, unfair ones lower it more
  (Skogan 2006), so does the response to one's report; unfair arrests and
  stops of one's ties lower it (vicarious experience); it diffuses over ties
  (``W @ trust``) and drifts back to a group baseline.
* **insecurity** in [0, 1] — relaxes towards a logistic target driven by the
  disorder and darkness of one's routine cells, isolation, vulnerability,
  police visibility and collective efficacy; jumps with one's own and one's
  ties' victimisation; spreads over ties, fear faster than reassurance
  (Prieto Curiel & Bishop 2017, 2018).
* **collective efficacy** per area — mean participation × social
  integration of its residents (Sampson et al. 1997); it adds informal
  guardianship to the crime step, and participation falls with fear.
* **careers** — a youth's motivation is their base propensity × (1 + peer
  pull from delinquent ties) × (1 + school disengagement) × an arrest factor
  (deterrence after fair arrests, labelling after unfair ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from clssim.population import R_STUDENT, Population
from clssim.routines import WORK
from clssim.world import World

#: Groups reported in the outputs: name → boolean mask builder.
GROUPS = {
    "child": lambda p: p.group == 0,
    "youth": lambda p: p.group == 1,
    "adult": lambda p: p.group == 2,
    "elderly": lambda p: p.group == 3,
    "female": lambda p: p.female,
    "male": lambda p: ~p.female,
    "migrant": lambda p: p.migrant,
    "minority": lambda p: p.minority,
    "isolated_elderly": lambda p: p.isolated_elderly,
}


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Social:
    """Per-resident social state, per-area efficacy and the day's tallies."""

    trust: np.ndarray
    trust_base: np.ndarray
    insecurity: np.ndarray
    participation: np.ndarray
    participation_base: np.ndarray
    engagement: np.ndarray  #: school engagement in [0, 1] (pupils)
    arrest_factor: np.ndarray  #: career multiplier from deterrence/labelling
    recent: np.ndarray  #: decayed count of recent offences (delinquent peers)
    sightings: np.ndarray  #: decayed count of days with an officer seen
    vulnerability: np.ndarray  #: count of vulnerability flags
    victimisations: np.ndarray  #: offences suffered since the start
    isolation_relief: np.ndarray  #: share of isolation relieved (visits), 0–1
    programme_factor: np.ndarray  #: multiplies motivation (youth programmes)
    report_mul: np.ndarray  #: multiplies the reporting probability
    violence_report_mul: np.ndarray  #: … for violence (domestic-violence awareness)
    base_motivation: np.ndarray  #: motivation × propensity before careers
    adjacency: sp.csr_array = field(repr=False)
    mean_of_ties: sp.csr_array = field(repr=False)  #: row-normalised adjacency
    integration: np.ndarray = field(repr=False)  #: ties / (ties + saturation)
    routine: sp.csr_array = field(repr=False)  #: (n, ncells) share of routine per cell
    area_of_home: np.ndarray = field(repr=False)
    area_of_cell: np.ndarray = field(repr=False)
    efficacy: np.ndarray = field(repr=False)  #: per area
    guard: np.ndarray = field(repr=False)  #: per cell: informal guardianship hazard
    cell_trust: np.ndarray = field(repr=False)  #: mean trust of each cell's residents
    # the day's tallies
    fair: np.ndarray = field(repr=False)
    unfair: np.ndarray = field(repr=False)
    victimised: np.ndarray = field(repr=False)
    response: np.ndarray = field(repr=False)  #: +1 satisfied, −1 not, per report
    vicarious: np.ndarray = field(repr=False)  #: unfair arrests/stops suffered
    offended: np.ndarray = field(repr=False)
    seen_police: np.ndarray = field(repr=False)


def init_social(
    pop: Population, world: World, scenario, base_motivation: np.ndarray, rng
) -> Social:
    """Initial trust, insecurity, participation and school engagement."""
    t, ef = scenario.trust, scenario.efficacy
    n = pop.n
    base = (
        t.baseline
        - t.gap_minority * pop.minority
        - t.gap_migrant * pop.migrant
        - t.gap_youth * pop.youth
    )
    base = np.clip(base, 0.0, 1.0)
    trust = np.clip(base + rng.normal(0.0, t.spread, n), 0.0, 1.0)
    vulnerability = (pop.female.astype(float) + (pop.age >= 65) + pop.poor + pop.migrant).astype(
        float
    )
    # participation: Beta with the configured mean; isolated elderly take part less
    part_mean = np.clip(ef.participation * np.where(pop.isolated_elderly, 0.5, 1.0), 0.01, 0.99)
    participation_base = rng.beta(2.0 * part_mean / (1 - part_mean) + 1e-9, 2.0)
    participation_base = np.clip(participation_base, 0.0, 1.0)
    engagement = np.clip(rng.beta(4.0, 2.0, n) - 0.15 * pop.poor, 0.0, 1.0)

    adj = pop.network.tocsr()
    degree = np.asarray(adj.sum(axis=1)).ravel()
    inv = np.divide(1.0, degree, out=np.zeros(n), where=degree > 0)
    mean_of_ties = sp.diags_array(inv) @ adj
    side = ef.area_cells
    x, y = world.xy(np.arange(world.ncells))
    cols = -(-world.height // side)
    area_of_cell = (x // side) * cols + (y // side)
    cells = np.column_stack([pop.home, pop.haunts_local, pop.haunts_leisure])
    k = cells.shape[1]
    routine = sp.csr_array(
        (np.full(cells.size, 1.0 / k), (np.repeat(np.arange(n), k), cells.ravel())),
        shape=(n, world.ncells),
    )
    z = np.zeros(n)
    soc = Social(
        trust=trust,
        trust_base=base,
        insecurity=np.zeros(n),
        participation=participation_base.copy(),
        participation_base=participation_base,
        engagement=engagement,
        arrest_factor=np.ones(n),
        recent=z.copy(),
        sightings=z.copy(),
        vulnerability=vulnerability,
        victimisations=np.zeros(n, np.int32),
        isolation_relief=np.zeros(n),
        programme_factor=np.ones(n),
        report_mul=np.ones(n),
        violence_report_mul=np.ones(n),
        base_motivation=base_motivation.copy(),
        adjacency=adj,
        mean_of_ties=sp.csr_array(mean_of_ties),
        integration=degree / (degree + ef.tie_saturation),
        routine=routine,
        area_of_home=area_of_cell[pop.home],
        area_of_cell=area_of_cell,
        efficacy=np.zeros(int(area_of_cell.max()) + 1),
        guard=np.zeros(world.ncells),
        cell_trust=np.zeros(world.ncells),
        fair=np.zeros(n, np.int32),
        unfair=np.zeros(n, np.int32),
        victimised=np.zeros(n, np.int32),
        response=np.zeros(n, np.int32),
        vicarious=np.zeros(n, np.int32),
        offended=np.zeros(n, np.int32),
        seen_police=np.zeros(n, bool),
    )
    update_efficacy(soc, scenario.efficacy)
    update_cell_trust(soc, pop, world)
    # start insecurity at its situational target, so runs start near equilibrium
    soc.insecurity[:] = insecurity_target(soc, pop, world, scenario.insecurity)
    return soc


# ------------------------------------------------------------- within the day


def police_contacts(
    soc: Social,
    act: np.ndarray,
    loc: np.ndarray,
    contact_presence: np.ndarray,
    fair_presence: np.ndarray,
    contact_rate: float,
    rng: np.random.Generator,
) -> tuple[int, int]:
    """Contacts between residents away from home and officers in reach.

    A resident out of home, at work or at school with officers in reach whose
    contact factors sum to ``k`` (an officer in a car counts 1, on foot up to
    4) has a contact with probability ``1 − (1 − contact_rate)^k``; it is fair
    with the contact-weighted mean fairness of those officers (procedural
    justice; proximity officers: ``proximity_fairness``). Everyone away from home in reach
    of an officer sees the police. Returns the slot's (fair, unfair) contacts.
    """
    k = contact_presence[loc]
    near = np.flatnonzero((act >= WORK) & (k > 0))
    if near.size == 0:
        return 0, 0
    soc.seen_police[near] = True
    p = 1.0 - (1.0 - contact_rate) ** k[near]
    who = near[rng.random(near.size) < p]
    fairness = fair_presence[loc[who]] / contact_presence[loc[who]]
    fair = rng.random(who.size) < fairness
    np.add.at(soc.fair, who[fair], 1)
    np.add.at(soc.unfair, who[~fair], 1)
    return int(fair.sum()), int((~fair).sum())


def proximity_visits(soc: Social, visited: np.ndarray, fairness: float, rng) -> tuple[int, int]:
    """Deliberate visits of proximity officers: contacts, fair with ``fairness``."""
    if visited.size == 0:
        return 0, 0
    fair = rng.random(visited.size) < fairness
    np.add.at(soc.fair, visited[fair], 1)
    np.add.at(soc.unfair, visited[~fair], 1)
    soc.seen_police[visited] = True
    return int(fair.sum()), int((~fair).sum())


def note_offences(soc: Social, off, police_cfg, rng: np.random.Generator) -> None:
    """Tally victimisations, the response to reports and who offended."""
    has_victim = off.victim >= 0  # residents only (visitors are −2)
    np.add.at(soc.victimised, off.victim[has_victim], 1)
    np.add.at(soc.victimisations, off.victim[has_victim], 1)
    np.add.at(soc.offended, off.offender, 1)
    reporters = off.victim[has_victim & off.reported]
    satisfied = rng.random(reporters.size) < police_cfg.response_quality
    np.add.at(soc.response, reporters, np.where(satisfied, 1, -1))


def note_arrests(soc: Social, arrested: np.ndarray, fair: np.ndarray, careers_cfg) -> None:
    """Deterrence after fair arrests, labelling and vicarious distrust after unfair ones."""
    np.multiply.at(soc.arrest_factor, arrested[fair], 1.0 - careers_cfg.deterrence)
    np.multiply.at(soc.arrest_factor, arrested[~fair], 1.0 + careers_cfg.labelling)
    np.add.at(soc.vicarious, arrested[~fair], 1)


# ------------------------------------------------------------- end of the day


def routine_exposure(soc: Social, world: World) -> tuple[np.ndarray, np.ndarray]:
    """Mean disorder (1 − maintenance) and darkness (1 − lighting) of each
    resident's routine cells (home and haunts)."""
    disorder = 1.0 - soc.routine @ world.layers["maintenance"]
    darkness = 1.0 - soc.routine @ world.layers["lighting"]
    return disorder, darkness


def insecurity_target(soc: Social, pop: Population, world: World, cfg) -> np.ndarray:
    """The fear a resident's situation sustains, before events (logistic)."""
    disorder, darkness = routine_exposure(soc, world)
    visibility = 1.0 - np.exp(-soc.sightings / 5.0)
    z = (
        cfg.intercept
        + cfg.disorder * disorder
        + cfg.darkness * darkness
        + cfg.isolation * pop.isolated_elderly * (1.0 - soc.isolation_relief)
        + cfg.vulnerability * soc.vulnerability
        - cfg.police_visibility * visibility
        - cfg.collective_efficacy * soc.efficacy[soc.area_of_home]
    )
    return _logistic(z)


def update_efficacy(soc: Social, cfg) -> None:
    """Collective efficacy per area = mean(participation × integration)."""
    counts = np.bincount(soc.area_of_home, minlength=soc.efficacy.size)
    total = np.bincount(
        soc.area_of_home,
        weights=soc.participation * soc.integration,
        minlength=soc.efficacy.size,
    )
    soc.efficacy[:] = np.divide(total, counts, out=np.zeros_like(total), where=counts > 0)
    soc.guard[:] = cfg.guardianship * soc.efficacy[soc.area_of_cell]


def update_cell_trust(soc: Social, pop: Population, world: World) -> None:
    """Mean trust of the residents of each cell (used for reports of vandalism)."""
    counts = np.bincount(pop.home, minlength=world.ncells)
    total = np.bincount(pop.home, weights=soc.trust, minlength=world.ncells)
    soc.cell_trust[:] = np.divide(
        total, counts, out=np.full(world.ncells, soc.trust.mean()), where=counts > 0
    )


def end_of_day(soc: Social, pop: Population, world: World, scenario, crime_state) -> None:
    """Turn the day's tallies into trust, insecurity, efficacy and careers."""
    t, ins, ef, car = (
        scenario.trust,
        scenario.insecurity,
        scenario.efficacy,
        scenario.careers,
    )
    A, W = soc.adjacency, soc.mean_of_ties

    # --- trust
    T = soc.trust
    T[:] = 1.0 - (1.0 - T) * (1.0 - t.contact_gain) ** soc.fair
    T *= (1.0 - t.contact_loss) ** soc.unfair
    pos, neg = np.maximum(soc.response, 0), np.maximum(-soc.response, 0)
    T[:] = 1.0 - (1.0 - T) * (1.0 - t.response_gain) ** pos
    T *= (1.0 - t.response_loss) ** neg
    if soc.vicarious.any():
        T *= (1.0 - t.vicarious_loss) ** (A @ soc.vicarious.astype(float))
    T += t.diffusion * (W @ T - T)
    T += (soc.trust_base - T) * (1.0 - np.exp(-1.0 / t.drift_days))
    np.clip(T, 0.0, 1.0, out=T)

    # --- insecurity
    decay = np.exp(-1.0 / ins.sighting_days)
    soc.sightings *= decay
    soc.sightings += soc.seen_police
    I = soc.insecurity  # noqa: E741
    I += (insecurity_target(soc, pop, world, ins) - I) * (1.0 - np.exp(-1.0 / ins.adapt_days))
    if soc.victimised.any():
        I += (1.0 - I) * (1.0 - (1.0 - ins.victim_jump) ** soc.victimised)
        news = A @ (soc.victimised > 0).astype(float)
        I += (1.0 - I) * (1.0 - (1.0 - ins.network_jump) ** news)
    gap = W @ I - I
    I += ins.contagion_up * np.maximum(gap, 0.0) + ins.contagion_down * np.minimum(gap, 0.0)
    np.clip(I, 0.0, 1.0, out=I)

    # --- participation and collective efficacy
    target = soc.participation_base * (1.0 - ef.fear_withdrawal * I)
    soc.participation += 0.05 * (target - soc.participation)
    update_efficacy(soc, ef)
    update_cell_trust(soc, pop, world)

    # --- careers: delinquent peers, school engagement, arrests
    soc.recent *= np.exp(-1.0 / car.memory_days)
    soc.recent += soc.offended
    delinquent = (soc.recent > 0.1).astype(float)
    peers = W @ delinquent
    youth = pop.youth
    pupil = pop.role == R_STUDENT
    multiplier = (
        (1.0 + car.peer_weight * peers * youth)
        * (1.0 + car.school_weight * (0.5 - soc.engagement) * pupil)
        * soc.arrest_factor
        * soc.programme_factor
    )
    crime_state.p_motivated[:] = np.clip(soc.base_motivation * multiplier, 0.0, 1.0)

    for tally in (
        soc.fair,
        soc.unfair,
        soc.victimised,
        soc.response,
        soc.vicarious,
        soc.offended,
    ):
        tally[:] = 0
    soc.seen_police[:] = False


def group_matrix(pop: Population) -> tuple[list[str], np.ndarray]:
    """Group names and a (groups, n) matrix whose rows average over a group."""
    names = list(GROUPS)
    masks = np.array([GROUPS[g](pop) for g in names], dtype=float)
    sizes = masks.sum(axis=1, keepdims=True)
    return names, np.divide(masks, sizes, out=np.full_like(masks, np.nan), where=sizes > 0)


def group_means(soc: Social, groups: tuple[list[str], np.ndarray]) -> dict[str, float]:
    """Mean trust and insecurity overall and per group (NaN for empty groups)."""
    names, matrix = groups
    trust, fear = matrix @ soc.trust, matrix @ soc.insecurity
    out = {
        "trust_mean": float(soc.trust.mean()),
        "insecurity_mean": float(soc.insecurity.mean()),
        "collective_efficacy": float(soc.efficacy[soc.area_of_home].mean()),
    }
    for k, name in enumerate(names):
        out[f"trust_{name}"] = float(trust[k])
        out[f"insecurity_{name}"] = float(fear[k])
    return out
