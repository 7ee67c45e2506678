"""Offending: motivation, opportunity, guardianship, choice, reporting.

One slot of crime, as a function of arrays (ODD §7 "Crime"):

1. **Motivation.** A resident out of home (local or leisure activity) looks
   for an opportunity with probability ``crime.motivation × propensity``,
   × ``(1 + crime.forage_boost × exp(−days since the last success /
   crime.forage_days))`` after a success (a foraging spree).
2. **Return (the boost account).** A motivated offender who has succeeded
   before goes back to the place of the last success with probability
   ``crime.return_probability × exp(−days since / crime.forage_days)``: to
   that very cell with ``crime.forage_same``, else to one of its Moore
   neighbours (optimal foraging: Johnson & Bowers 2004; near repeats:
   Townsley, Homel & Chaseling 2003; Bernasco, Johnson & Ruiter 2015).
3. **Rational choice.** For each offence type ``k`` at the offender's cell,
   expected utility = reward × suitability(land use) × availability ×
   (1 − perceived risk), with perceived risk
   ``1 − exp(−(w_l·lighting + w_m·maintenance + w_s·surveillance + w_p·police))``
   (Cornish & Clarke 1986; lighting counts only in the dark slots). The
   offender attempts with probability max_k EU_k and picks ``k`` ∝ EU_k.
4. **Guardianship.** An attempt is foiled with probability
   ``1 − exp(−(g_p·officers + g_b·surveillance·ln(1 + bystanders) + g_pl·place))``
   (Cohen & Felson 1979; Felson 1995 on place managers). An officer who foils
   it arrests the offender with ``crime.in_flagrante_arrest``.
5. **Offence.** A completed offence has a victim (theft, violence: a person
   present; burglary: an empty home's household) or a target cell
   (vandalism, which lowers the cell's maintenance). A person or home
   victimised recently weighs ``1 + crime.repeat_boost × exp(−days since /
   crime.repeat_days)`` in that choice (targets remember: Farrell & Pease
   1993; Pease 1998).

Reporting (the dark figure) and clearance follow in :mod:`clssim.dark_figure`
and :class:`clssim.police.PoliceForce`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clssim.clock import SLOTS_PER_DAY
from clssim.draws import CRIME_DECISIONS, Decision, SlotDraws
from clssim.world import World

OFFENCES = ("burglary", "theft", "violence", "vandalism")
VISITOR = -2  #: victim id of a visitor (tourist, seasonal worker)
BURGLARY, THEFT, VIOLENCE, VANDALISM = range(4)

#: Suitability of each land use for each offence type, in [0, 1.2].
#: Rows: offence types; columns: land uses in ``layouts.LAND_USES`` order.
SUITABILITY = np.array(
    [
        # H    h    C    S    P    T    V    N    F
        [1.0, 1.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # burglary of homes
        [0.2, 0.2, 1.0, 0.3, 0.5, 1.0, 0.1, 0.8, 0.1],  # theft in public space
        [0.4, 0.2, 0.4, 0.3, 0.5, 0.6, 0.3, 1.0, 0.1],  # violence against a person
        [0.6, 0.3, 0.4, 0.6, 0.8, 0.8, 1.0, 0.6, 0.2],  # vandalism
    ]
)

#: Relative propensity of women (women commit 10–25 % of offences:
#: Steffensmeier & Allan 1996).
FEMALE_FACTOR = 0.2


def age_motivation(age: np.ndarray) -> np.ndarray:
    """Motivation by age from Moffitt's (1993) maturity gap.

    Zero before 10, rising linearly to 1 at 15, flat to 19 (the gap between
    biological and social maturity), then closing with a 5-year e-folding
    time to the life-course-persistent floor of 0.1; ×0.2 from 65.
    """
    a = np.asarray(age, dtype=float)
    rise = np.clip((a - 10.0) / 5.0, 0.0, 1.0)
    fall = 0.1 + 0.9 * np.exp(-np.clip(a - 19.0, 0.0, None) / 5.0)
    return rise * fall * np.where(a >= 65, 0.2, 1.0)


def propensity_core(pop, cfg, rng: np.random.Generator) -> np.ndarray:
    """Individual propensity before employment: log-normal trait (mean 1) × age × sex."""
    s = cfg.propensity_sigma
    trait = rng.lognormal(-0.5 * s * s, s, pop.n)
    sex = np.where(pop.female, FEMALE_FACTOR, 1.0)
    return trait * age_motivation(pop.age) * sex


def initial_motivation(pop, cfg, state: CrimeState) -> np.ndarray:
    """Per-slot motivation = motivation × core propensity × (employed factor if
    employed and aged ``stake_age`` or more: Uggen 2000 found work a turning
    point only from age 27)."""
    from clssim.population import R_EMPLOYED

    stake = (pop.role == R_EMPLOYED) & (pop.age >= cfg.stake_age)
    employed = np.where(stake, cfg.employed_factor, 1.0)
    return np.clip(cfg.motivation * state.propensity_core * employed, 0.0, 1.0)


@dataclass
class Offences:
    """Completed offences of one slot, one entry each (plus foiled arrests).

    ``reported``, ``tipped`` and ``arrested`` are filled by the later phases
    (:mod:`clssim.dark_figure`, :meth:`clssim.police.PoliceForce.investigate`).
    """

    offender: np.ndarray
    cell: np.ndarray
    kind: np.ndarray
    victim: np.ndarray  #: resident id, -1 for vandalism
    prior: np.ndarray  #: the offender's completed offences before this one
    reported: np.ndarray  #: the victim (or a place manager) told the police
    tipped: np.ndarray  #: a witness passed a tip
    arrested: np.ndarray  #: cleared by an arrest after investigation
    flagrante_arrests: np.ndarray  #: offenders arrested while attempting

    @classmethod
    def none(cls) -> Offences:
        """No offences (and no arrests in the act): one shared, empty instance."""
        return NO_OFFENCES

    def __len__(self) -> int:
        return int(self.offender.size)


_e, _b = np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
_e.flags.writeable = _b.flags.writeable = False  # shared: must never change
NO_OFFENCES = Offences(_e, _e, _e, _e, _e, _b, _b, _b, _e)


@dataclass
class CrimeState:
    """What offending leaves behind in people: memory and records."""

    p_motivated: np.ndarray  #: per-slot probability of looking for an opportunity
    propensity_core: np.ndarray  #: trait × age × sex (employment applied on top)
    reward_suitability: np.ndarray  #: reward × SUITABILITY, (offence types, land uses)
    memory: np.ndarray  #: cell of the last success, -1 if none
    offences: np.ndarray  #: completed offences per resident
    arrests: np.ndarray  #: arrests per resident
    memory_step: np.ndarray  #: slot of the last success (the boost account's clock)
    victim_step: np.ndarray  #: slot a resident was last a personal victim (theft, violence)
    home_step: np.ndarray  #: slot a household's home was last burgled


def init_state(pop, cfg, rng: np.random.Generator) -> CrimeState:
    n = pop.n
    state = CrimeState(
        np.zeros(n),
        propensity_core(pop, cfg, rng),
        per_type(cfg, "reward")[:, None] * SUITABILITY,
        np.full(n, -1, np.int64),
        np.zeros(n, np.int32),
        np.zeros(n, np.int32),
        np.full(n, -1, np.int64),
        np.full(n, NEVER, np.int64),
        np.full(pop.n_households, NEVER, np.int64),
    )
    state.p_motivated[:] = initial_motivation(pop, cfg, state)
    return state


#: the "last victimised" slot of a target never victimised (its boost is 0)
NEVER = -(10**12)


def return_chance(cfg, state: CrimeState, who: np.ndarray, now: int) -> np.ndarray:
    """Step 2's chance that residents ``who`` return to their last success."""
    if cfg.forage_days <= 0:  # the wish to return never fades
        return np.full(who.size, cfg.return_probability)
    days = (now - state.memory_step[who]) / SLOTS_PER_DAY
    return cfg.return_probability * np.exp(-days / cfg.forage_days)


def motivation_now(cfg, state: CrimeState, who: np.ndarray, now: int) -> np.ndarray:
    """Step 1's chance that residents ``who`` look for an opportunity this slot:
    their motivation, raised after a recent success (a foraging spree)."""
    p = state.p_motivated[who]
    if cfg.forage_boost <= 0 or cfg.forage_days <= 0:
        return p
    last = state.memory_step[who]
    days = (now - last) / SLOTS_PER_DAY
    spree = np.where(last >= 0, np.exp(-days / cfg.forage_days), 0.0)
    return np.minimum(p * (1.0 + cfg.forage_boost * spree), 1.0)


def forage_cell(world: World, cfg, mem: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Where returning offenders go: ``v`` (uniform in [0, 1)) below
    ``forage_same`` keeps the remembered cell, else picks one of its nine
    Moore cells (itself included; off the map: itself)."""
    same = cfg.forage_same
    if same >= 1.0 or mem.size == 0:
        return mem
    k = np.clip(((v - same) / (1.0 - same) * 9).astype(np.int64), 0, 8)
    near = world.neighbours[mem, k]
    return np.where((v >= same) & (near >= 0), near, mem)


def boost(cfg, last: np.ndarray, now: int) -> np.ndarray:
    """Weight of targets last victimised at slots ``last`` (1: never, or long ago)."""
    days = (now - last) / SLOTS_PER_DAY
    return 1.0 + cfg.repeat_boost * np.exp(-days / cfg.repeat_days)


def _pick_one(weights: np.ndarray, extra: int, u: float) -> int:
    """Index into ``weights`` picked ∝ weight by inverting ``u``, or ``len`` for
    one of ``extra`` further candidates of weight 1 (visitors)."""
    cum = np.cumsum(weights)
    total = (cum[-1] if cum.size else 0.0) + extra
    x = u * total
    return int(np.searchsorted(cum, x, side="right")) if cum.size and x < cum[-1] else cum.size


def per_type(cfg, attribute: str) -> np.ndarray:
    """One offence parameter for every type, in ``OFFENCES`` order."""
    return np.array([getattr(getattr(cfg, name), attribute) for name in OFFENCES])


def _pick_weighted(w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One column index per row of ``w`` (k, m) with probability ∝ the row, by
    inversion of the uniforms ``u`` (k,)."""
    cum = np.cumsum(w, axis=1)
    u = u * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), w.shape[1] - 1)


def homes_at(pop, away: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, ...]:
    """Which homes are empty, and the empty and occupied homes at ``cells``.

    A household's home is empty when all its members are away (``away``:
    ids of the residents not at home this slot). Returns the per-household
    mask and, per entry of ``cells``, the counts of empty and occupied homes.
    """
    members_away = np.bincount(pop.household[away], minlength=pop.n_households)
    empty_home = members_away == pop.hh_size
    empty = np.bincount(pop.hh_home[empty_home], minlength=pop.outside)[cells]
    return empty_home, empty, pop.homes_per_cell[cells] - empty


def place_value(
    world: World, cfg, state: CrimeState, cell: np.ndarray, presence: np.ndarray, dark: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 3's value of each offence type at ``cell`` before targets are
    counted: reward × suitability × (1 − perceived risk), × attractiveness for
    burglary and theft, × disorder for vandalism. Returns ``(value (4, k),
    police presence, surveillance)`` at the cells."""
    L = world.layers
    lu = world.land_use[cell]
    maint = L["maintenance"][cell]
    surv = L["surveillance"][cell]
    attr = L["attractiveness"][cell]
    police = presence[cell]
    light = L["lighting"][cell] if dark else 1.0  # lighting counts only in the dark
    risk_hazard = (
        cfg.risk_lighting * light
        + cfg.risk_maintenance * maint
        + cfg.risk_surveillance * surv
        + cfg.risk_police * police
    )
    safe = np.exp(-risk_hazard)  # 1 − perceived risk
    value = state.reward_suitability[:, lu] * safe  # (4, k)
    value[BURGLARY : THEFT + 1] *= attr  # burglary and theft: attractive targets
    value[VANDALISM] *= 1.0 - maint  # the availability of vandalism: disorder invites more
    return value, police, surv


def with_targets(value: np.ndarray, empty: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Expected utilities: ``value`` (changed in place) × the availability of
    targets (empty homes for burglary; people present for theft and violence)."""
    value[BURGLARY] *= 1.0 - np.exp(-empty)
    value[THEFT] *= 1.0 - np.exp(-others / 3.0)
    value[VIOLENCE] *= 1.0 - np.exp(-others)
    return value


def guard_hazard(
    world: World,
    cfg,
    cell: np.ndarray,
    police: np.ndarray,
    surv: np.ndarray,
    bystanders: np.ndarray,
    night: bool,
    guardianship: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Step 4's hazard of being foiled: ``(police's share, total)``."""
    police_h = cfg.guard_police * police
    other_h = cfg.guard_bystander * surv * np.log1p(bystanders)
    if not night:
        other_h = other_h + cfg.guard_place * world.layers["place_management"][cell]
    if guardianship is not None:
        other_h = other_h + guardianship[cell]
    return police_h, police_h + other_h


def crime_step(
    *,
    pop,
    world: World,
    cfg,
    state: CrimeState,
    loc: np.ndarray,
    away: np.ndarray,
    out: np.ndarray,
    presence: np.ndarray,
    dark: bool,
    night: bool,
    draws: SlotDraws,
    guardianship: np.ndarray | None = None,
    visitors: np.ndarray | None = None,
    now: int = 0,
) -> Offences:
    """Run one slot of offending; updates ``loc``, ``state`` and maintenance in place.

    ``away`` and ``out`` hold the ids of the residents not at home and of those
    out in public space (local or leisure activity: the only ones who offend).
    ``guardianship`` (per cell, hazard units) adds informal guardianship such
    as collective efficacy or field workers. ``visitors`` (per cell) are
    people present who are not residents (tourists, seasonal workers): they
    are targets and bystanders; a visitor victim has id ``VISITOR`` (−2).

    After step 1 only the few motivated residents are looked at, and after
    step 3 only the attempts; cells are read only where someone is.

    Every decision draws the deciding resident's own number for this slot
    (``draws``, ODD §4.10): the motivated offenders' numbers for steps 2–5 are
    drawn together, and those of steps 3–5 (``later``) are carried along with
    the offenders still in play.
    """
    # 1. motivation: only residents out in public space look for an opportunity
    cand = out[draws.uniform(Decision.MOTIVATION, out) < motivation_now(cfg, state, out, now)]
    if cand.size == 0:
        return Offences.none()
    drawn = draws.uniforms(CRIME_DECISIONS, cand)  # one row per decision
    u_back, u, later = drawn[0], drawn[1], drawn[2:]  # u: the attempt's

    # 2. return to a remembered success, or near it; the wish fades (the boost account)
    mem = state.memory[cand]
    p_back = return_chance(cfg, state, cand, now)
    back = (mem >= 0) & (u_back < p_back)
    dest = mem.copy()
    if back.any() and cfg.forage_same < 1.0:  # u_back / p_back: uniform again
        dest[back] = forage_cell(world, cfg, mem[back], u_back[back] / p_back[back])
    cell = np.where(back, dest, loc[cand])
    loc[cand] = cell

    # 3. rational choice among offence types, at the offenders' cells.
    # EU_k = value_k × availability_k: the value of the place for type k, and
    # whether targets are there (empty homes, people present). An attempt needs
    # u < max_k EU_k; availability is at most 1, so u ≥ max_k value_k rules the
    # attempt out without counting anyone: people are counted for the rest only.
    value, police, surv = place_value(world, cfg, state, cell, presence, dark)
    maybe = u < value.max(axis=0)
    if not maybe.any():
        return Offences.none()
    cand, cell, u, value = cand[maybe], cell[maybe], u[maybe], value[:, maybe]
    later = later[:, maybe]
    police, surv = police[maybe], surv[maybe]
    others = np.bincount(loc, minlength=world.ncells + 1)[cell] - 1  # residents present
    guests = np.round(visitors[cell]).astype(np.int64) if visitors is not None else 0
    others = others + guests
    if value[BURGLARY].any():  # a burglary is possible: count the empty and occupied homes
        empty_home, empty, occupied = homes_at(pop, away, cell)
    else:
        empty_home, empty, occupied = None, 0, np.zeros(cell.size, np.int64)
    eu = with_targets(value, empty, others)
    attempt = u < eu.max(axis=0)
    if not attempt.any():
        return Offences.none()
    # from here on, the attempts only
    offender, cell, kind_eu = cand[attempt], cell[attempt], eu[:, attempt]
    police, surv = police[attempt], surv[attempt]
    others, occupied = others[attempt], occupied[attempt]
    u_kind, u_foiled, u_caught, u_victim = later[:, attempt]
    kind = _pick_weighted(kind_eu.T, u_kind)

    # 4. guardianship
    bystanders = np.where(kind == BURGLARY, occupied, np.maximum(others - 1, 0))
    police_h, hazard = guard_hazard(world, cfg, cell, police, surv, bystanders, night, guardianship)
    foiled = u_foiled < 1.0 - np.exp(-hazard)
    # arrested in the act: in_flagrante × the police's share of the hazard
    caught = foiled & (u_caught * hazard < cfg.in_flagrante_arrest * police_h)
    caught_ids = offender[caught]
    done = ~foiled
    offender, cell, kind, u_pick = offender[done], cell[done], kind[done], u_victim[done]

    # 5. victims and targets
    victim = np.full(offender.size, -1, dtype=np.int64)
    n_guests = guests[attempt][done] if visitors is not None else np.zeros(offender.size, np.int64)
    boosted = cfg.repeat_boost > 0  # targets remember (else every target weighs the same)
    for j in np.flatnonzero((kind == THEFT) | (kind == VIOLENCE)):
        present = np.flatnonzero(loc == cell[j])
        present = present[present != offender[j]]
        count = present.size + n_guests[j]
        if boosted and count:
            pick = _pick_one(boost(cfg, state.victim_step[present], now), n_guests[j], u_pick[j])
        else:
            pick = int(u_pick[j] * count) if count else -1
        if pick >= present.size:
            victim[j] = VISITOR
        elif pick >= 0:
            victim[j] = present[pick]
    for j in np.flatnonzero(kind == BURGLARY):
        homes = np.flatnonzero((pop.hh_home == cell[j]) & empty_home)
        if boosted:
            pick = _pick_one(boost(cfg, state.home_step[homes], now), 0, u_pick[j])
        else:
            pick = int(u_pick[j] * homes.size)
        victim[j] = pop.hh_start[homes[pick]]
    ok = (victim != -1) | (kind == VANDALISM)  # a personal target may have left
    offender, cell, kind, victim = offender[ok], cell[ok], kind[ok], victim[ok]
    vandalised = cell[kind == VANDALISM]
    if vandalised.size:
        maintenance = world.layers["maintenance"]
        np.subtract.at(maintenance, vandalised, cfg.vandalism_damage)
        maintenance[vandalised] = np.maximum(maintenance[vandalised], 0.0)

    prior = state.offences[offender].copy()
    state.memory[offender] = cell
    state.memory_step[offender] = now
    personal = (victim >= 0) & (kind != BURGLARY)
    state.victim_step[victim[personal]] = now
    state.home_step[pop.household[victim[(victim >= 0) & (kind == BURGLARY)]]] = now
    np.add.at(state.offences, offender, 1)
    np.add.at(state.arrests, caught_ids, 1)
    no = np.zeros(offender.size, dtype=bool)
    return Offences(offender, cell, kind, victim, prior, no, no.copy(), no.copy(), caught_ids)


# ------------------------------------------------------------ expected offences
@dataclass
class ExpectedOffences:
    """The offences the crime step's chances expect, summed over slots.

    A conditional (Rao–Blackwell) estimate of the offences counted at each
    cell and by each resident: in each slot it adds, for every resident out
    in public space, the probability that they commit an offence of each type
    this slot, given where everyone is (:func:`expected_offences`). It has the
    same expectation as the realised counts without their Poisson noise, so a
    virtual trial (:mod:`clssim.trials`) resolves an effect on a few dozen
    cells. It draws no random number: the realised run is unchanged.
    """

    cell: np.ndarray  #: (cells, offence types) expected offences at each cell
    person: np.ndarray  #: (residents,) expected offences committed by each

    @classmethod
    def zeros(cls, ncells: int, n: int) -> ExpectedOffences:
        return cls(np.zeros((ncells, len(OFFENCES))), np.zeros(n))

    def add(self, who: np.ndarray, cell: np.ndarray, p: np.ndarray) -> None:
        """Add ``p`` (offence types, m): the chances of residents ``who`` at ``cell``."""
        np.add.at(self.cell, cell, p.T)
        np.add.at(self.person, who, p.sum(axis=0))


def expected_offences(
    *,
    pop,
    world: World,
    cfg,
    state: CrimeState,
    loc: np.ndarray,
    away: np.ndarray,
    out: np.ndarray,
    presence: np.ndarray,
    dark: bool,
    night: bool,
    guardianship: np.ndarray | None = None,
    visitors: np.ndarray | None = None,
    now: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chance that each resident out in public space commits an offence of
    each type in this slot, by the rules of :func:`crime_step`, given where
    everyone is at its start (call it first: the step moves offenders).

    Returns ``(who, cell, p)``: each resident at their cell and at the cell of
    their last success (weighted by the chance of returning there), and, when
    returns spread to neighbours (``forage_same < 1``), at each Moore cell of
    it; and
    ``p`` (offence types, entries) = P(motivated) × P(that cell) ×
    P(attempt) × P(type | attempt) × P(not foiled). Offenders who move to a
    remembered cell this slot are not counted among the others present there:
    a second-order difference.
    """
    if out.size == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, np.zeros((len(OFFENCES), 0))
    mem = state.memory[out]
    back = np.where(mem >= 0, return_chance(cfg, state, out, now), 0.0)
    here = loc[out]
    whos, cells, shares = [out, out], [here, np.where(mem >= 0, mem, here)], [1.0 - back, back]
    same = cfg.forage_same
    if same < 1.0:  # returns near the remembered cell: each Moore cell 1/9 of the rest
        has = np.flatnonzero(mem >= 0)
        shares[1] = back * same
        near = world.neighbours[mem[has]]
        for k in range(near.shape[1]):
            whos.append(out[has])
            cells.append(np.where(near[:, k] >= 0, near[:, k], mem[has]))
            shares.append(back[has] * (1.0 - same) / near.shape[1])
    who = np.concatenate(whos)
    cell = np.concatenate(cells)
    weight = motivation_now(cfg, state, who, now) * np.concatenate(shares)
    keep = weight > 0
    who, cell, weight = who[keep], cell[keep], weight[keep]
    if who.size == 0:
        return who, cell, np.zeros((len(OFFENCES), 0))
    value, police, surv = place_value(world, cfg, state, cell, presence, dark)
    count = np.bincount(loc, minlength=world.ncells + 1)
    others = count[cell] - (loc[who] == cell)  # everyone there but the offender
    if visitors is not None:
        others = others + np.round(visitors[cell]).astype(np.int64)
    _, empty, occupied = homes_at(pop, away, cell)
    eu = with_targets(value, empty, others)
    total = eu.sum(axis=0)
    attempt = np.minimum(eu.max(axis=0), 1.0)
    share = np.divide(eu, total, out=np.zeros_like(eu), where=total > 0)
    p = weight * attempt * share
    # not foiled: the bystanders of a burglary are the occupied homes, else the others
    for types, bystanders in (
        (BURGLARY, occupied),
        (slice(THEFT, None), np.maximum(others - 1, 0)),
    ):
        _, hazard = guard_hazard(world, cfg, cell, police, surv, bystanders, night, guardianship)
        p[types] *= np.exp(-hazard)
    return who, cell, p
