"""The plan generator: applicable measures sized to each line and ordered by MAC with interaction.

For every production line the generator takes its output, its energy by carrier and the
benchmark value it is held to, and the catalogue measures that apply to it
(:func:`~carbonpeak.planning.technologies.applicable_measures`). The rules
(``docs/plans.md``):

Sizing (one measure on an energy vector E [tce] by carrier)
    The measure acts on the carriers of its ``carrier`` scope (``all``; ``fuel`` = every carrier
    but electricity, green electricity and heat; ``electricity`` = electricity and green
    electricity; or one carrier). With S the scope's energy still used:

    * ``saving_kgce_per_t`` k: saves min(k · output / 1000, S) tce, taken from the scope's
      carriers in proportion to what each still uses (it takes precedence over the share);
    * else ``saving_pct`` p: saves p/100 of each scope carrier;
    * then a switch moves ``switch_share``/100 of ``switch_from`` to ``switch_to`` at equal tce
      (the carrier changes, the energy does not; a switch's own efficiency gain is its saving
      figure).

    A measure with none of these figures is *unquantified*: listed for the line, not sized.

Order and interaction
    Each measure's stand-alone effect on the line's baseline gives its marginal abatement cost
    MAC = (CRF(r, n) · capex + Δopex − value of energy saved) / tCO2 saved
    (:func:`carbonpeak.scenarios.macc.annualised_cost`). Measures are ranked per line by MAC
    (measures without capex or lifetime, or saving no CO2, after the costed ones, by energy
    saved), ties by id, and applied **in that order, each to what the previous ones left**, as
    the MAC curve does (Kesicki 2012). Hence the savings of a line add up to at most its
    baseline energy, and its unit energy never rises along the steps.

Economics per measure
    investment [yuan] = ``capex_yuan_per_t_a`` · capacity; annual saving [yuan/a] = value of the
    energy saved at the carrier prices − ``opex_change_yuan_per_t`` · output; payback [a] =
    investment / annual saving (only where both are known and the saving is positive).

Outputs carry no NaN: a figure that cannot be computed (no capex in the catalogue, no benchmark
for the line) is ``<NA>`` in a nullable ``Float64`` column.

References
----------
.. [1] F. Kesicki, "Marginal abatement cost curves: a call for caution", Climate Policy 12
   (2012) 219–236 (ranking and interaction of measures).
.. [2] 湖南省有色金属行业碳达峰实施方案, 二(三)8 and 专栏3 (一企一策 against the benchmark).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from carbonpeak.errors import InputError, Problem
from carbonpeak.planning.technologies import applicable_measures
from carbonpeak.scenarios.macc import annualised_cost, crf

__all__ = [
    "LINE_SUMMARY_COLUMNS",
    "STEP_COLUMNS",
    "Plan",
    "apply_measures",
    "plan_lines",
]

FloatArray = NDArray[np.float64]

#: Carriers a ``fuel`` scope leaves out.
_NOT_FUEL = frozenset({"electricity", "green_electricity", "heat"})
_ELECTRIC = frozenset({"electricity", "green_electricity"})
#: Below this CO2 saving [tCO2/a] a measure counts as saving no CO2 (no MAC: a rounding remainder).
_TINY_TCO2 = 1e-6

#: Columns of :attr:`Plan.steps` (one row per line and quantified measure, in order).
STEP_COLUMNS = [
    "line_id",
    "step",
    "measure_id",
    "name_zh",
    "name_en",
    "status",
    "mac_yuan_per_tco2",
    "saving_tce",
    "saving_tco2",
    "investment_yuan",
    "annual_saving_yuan",
    "payback_a",
    "unit_energy_before_kgce_per_t",
    "unit_energy_after_kgce_per_t",
    "reaches_benchmark",
]
#: Columns of :attr:`Plan.lines`.
LINE_SUMMARY_COLUMNS = [
    "line_id",
    "output_t",
    "baseline_tce",
    "baseline_tco2",
    "baseline_unit_energy_kgce_per_t",
    "final_unit_energy_kgce_per_t",
    "benchmark_kgce_per_t",
    "saving_tce",
    "saving_tco2",
    "investment_yuan",
    "measures",
    "unquantified_measures",
    "reaches_benchmark",
    "benchmark_step",
    "gap_kgce_per_t",
    "gap_tce",
]


@dataclass(frozen=True)
class Plan:
    """What :func:`plan_lines` returns: the ordered steps, the line summary, the unsized measures."""

    steps: pd.DataFrame
    lines: pd.DataFrame
    unquantified: pd.DataFrame


def _scope_mask(scopes: NDArray[np.object_], carriers: list[str]) -> FloatArray:
    """[k × C] 1 where carrier c is in measure k's scope."""
    c = np.asarray(carriers, dtype=object)
    is_fuel = np.array([x not in _NOT_FUEL for x in carriers])
    is_elec = np.array([x in _ELECTRIC for x in carriers])
    s = scopes[:, None]
    mask = (s == "all") | ((s == "fuel") & is_fuel) | ((s == "electricity") & is_elec) | (s == c[None, :])
    out: FloatArray = mask.astype(float)
    return out


def apply_measures(
    energy_tce: FloatArray,
    output_t: FloatArray,
    scope_mask: FloatArray,
    saving_kgce_per_t: FloatArray,
    saving_pct: FloatArray,
    switch_from: NDArray[np.int64],
    switch_to: NDArray[np.int64],
    switch_share: FloatArray,
) -> FloatArray:
    """Energy by carrier after one measure per row (vectorised over rows).

    Parameters
    ----------
    energy_tce : ndarray, shape (k, C)
        Energy still used before the measure, by carrier [tce]; ≥ 0.
    output_t : ndarray, shape (k,)
        Line output [t].
    scope_mask : ndarray, shape (k, C)
        1 for the carriers the saving acts on.
    saving_kgce_per_t : ndarray, shape (k,)
        Saving per tonne of product [kgce/t]; NaN: none given.
    saving_pct : ndarray, shape (k,)
        Saving as a share of the scope's energy [%]; used where ``saving_kgce_per_t`` is NaN.
    switch_from, switch_to : ndarray of int, shape (k,)
        Carrier column indices of a switch; −1: no switch.
    switch_share : ndarray, shape (k,)
        Share of ``switch_from`` energy moved [%]; NaN: no switch.

    Returns
    -------
    ndarray, shape (k, C)
        Energy by carrier after the measure [tce]; never above the input, carrier by carrier,
        except the switch target; its total never above the input total.
    """
    e = np.asarray(energy_tce, dtype=float)
    scope_e = e * scope_mask
    total = scope_e.sum(axis=1)
    by_t = np.minimum(np.nan_to_num(saving_kgce_per_t) * output_t / 1000.0, total)
    ratio = np.where(
        np.isfinite(saving_kgce_per_t),
        np.divide(by_t, total, out=np.zeros_like(total), where=total > 0),
        np.clip(np.nan_to_num(saving_pct), 0.0, 100.0) / 100.0,
    )
    after = e - scope_e * ratio[:, None]
    rows = np.flatnonzero((switch_from >= 0) & (switch_to >= 0) & np.isfinite(switch_share))
    if rows.size:
        moved = np.clip(switch_share[rows], 0.0, 100.0) / 100.0 * after[rows, switch_from[rows]]
        after[rows, switch_from[rows]] -= moved
        after[rows, switch_to[rows]] += moved
    return np.maximum(after, 0.0)


def _check(lines: pd.DataFrame, energy: pd.DataFrame, params: pd.DataFrame) -> None:
    problems: list[Problem] = []
    for frame, cols in (
        (lines, ("line_id", "metal", "route", "product", "output_t")),
        (energy, ("line_id", "carrier", "energy_tce")),
        (params, ("carrier", "ef_tco2_per_tce", "price_yuan_per_tce")),
    ):
        problems += [Problem("missing_column", column=c) for c in cols if c not in frame.columns]
    if problems:
        raise InputError(problems)
    out = pd.to_numeric(lines["output_t"], errors="coerce").to_numpy(dtype=float)
    for j in np.flatnonzero(~(np.isfinite(out) & (out > 0))):
        problems.append(Problem("must_be_positive", row=int(j), column="output_t", value=float(out[j])))
    en = pd.to_numeric(energy["energy_tce"], errors="coerce").to_numpy(dtype=float)
    for j in np.flatnonzero(~(np.isfinite(en) & (en >= 0))):
        problems.append(Problem("not_finite", row=int(j), column="energy_tce", value=float(en[j])))
    known = set(params["carrier"])
    for i, c in enumerate(energy["carrier"]):
        if c not in known:
            problems.append(Problem("plan_unpriced_carrier", row=i, column="carrier", value=c))
    if problems:
        raise InputError(problems)


def _nullable(x: FloatArray) -> pd.arrays.FloatingArray:
    return pd.array(np.where(np.isfinite(x), x, np.nan), dtype="Float64")


def plan_lines(
    lines: pd.DataFrame,
    energy: pd.DataFrame,
    carrier_params: pd.DataFrame,
    catalogue: pd.DataFrame,
    *,
    discount_rate: float = 0.08,
    include_research: bool = False,
) -> Plan:
    """Generate the plan of each line: measures by MAC with interaction, and the path to benchmark.

    Parameters
    ----------
    lines : DataFrame
        One row per line: ``line_id``, ``metal``, ``route``, ``product``, ``output_t`` [t] (> 0),
        optional ``capacity_t_per_a`` [t/a] (default the output) and ``benchmark_kgce_per_t``
        [kgce/t] (the value the line is held to; NaN: none).
    energy : DataFrame
        Long: ``line_id``, ``carrier``, ``energy_tce`` [tce] (≥ 0); a carrier missing for a line
        is 0.
    carrier_params : DataFrame
        ``carrier``, ``ef_tco2_per_tce`` [tCO2/tce] (location- or market-based, as the caller
        chooses; green electricity 0 for the market view) and ``price_yuan_per_tce``
        [yuan/tce]. Every carrier used or switched to must be here; a switch to a carrier that
        is not makes the measure unquantified.
    catalogue : DataFrame
        From :func:`~carbonpeak.planning.technologies.catalogue_frame`.
    discount_rate : float
        For the capital recovery factor [1/a].
    include_research : bool
        Also plan technologies listed for research only.

    Returns
    -------
    Plan
        ``steps`` (:data:`STEP_COLUMNS`), ``lines`` (:data:`LINE_SUMMARY_COLUMNS`) and
        ``unquantified`` (``line_id``, ``measure_id``, ``name_zh``, ``name_en``, ``status``:
        applicable measures without figures).

    Raises
    ------
    InputError
        A missing column, an output ≤ 0, a negative or non-finite energy, a carrier without
        parameters (each located by row and column).
    """
    _check(lines, energy, carrier_params)
    lines = lines.reset_index(drop=True)
    carriers = list(carrier_params["carrier"])
    cidx = {c: i for i, c in enumerate(carriers)}
    ef = carrier_params["ef_tco2_per_tce"].to_numpy(dtype=float)
    price = carrier_params["price_yuan_per_tce"].to_numpy(dtype=float)
    n_lines = len(lines)
    lpos = {lid: i for i, lid in enumerate(lines["line_id"])}
    e0 = np.zeros((n_lines, len(carriers)))
    li = energy["line_id"].map(lpos)
    ok = li.notna().to_numpy()
    np.add.at(
        e0,
        (li[ok].astype(int).to_numpy(), energy["carrier"][ok].map(cidx).astype(int).to_numpy()),
        energy["energy_tce"][ok].to_numpy(dtype=float),
    )
    output = lines["output_t"].to_numpy(dtype=float)
    capacity = (
        pd.to_numeric(lines["capacity_t_per_a"], errors="coerce")
        .fillna(lines["output_t"])
        .to_numpy(dtype=float)
        if "capacity_t_per_a" in lines
        else output.copy()
    )
    bench = (
        pd.to_numeric(lines["benchmark_kgce_per_t"], errors="coerce").to_numpy(dtype=float)
        if "benchmark_kgce_per_t" in lines
        else np.full(n_lines, np.nan)
    )

    pairs = applicable_measures(lines, catalogue, include_research=include_research)
    sf = pairs["switch_from"].map(cidx).fillna(-1).astype(int).to_numpy()
    st = pairs["switch_to"].map(cidx).fillna(-1).astype(int).to_numpy()
    share = pairs["switch_share"].to_numpy(dtype=float)
    has_switch = (sf >= 0) & (st >= 0) & np.isfinite(share)
    quantified = (
        np.isfinite(pairs["saving_kgce_per_t"].to_numpy(dtype=float))
        | np.isfinite(pairs["saving_pct"].to_numpy(dtype=float))
        | has_switch
    )
    unq = pairs.loc[~quantified, ["line_id", "measure_id", "name_zh", "name_en", "status"]].reset_index(
        drop=True
    )
    q = pairs[quantified].reset_index(drop=True)
    k = len(q)
    row_line = q["line_id"].map(lpos).astype(int).to_numpy() if k else np.zeros(0, dtype=int)
    mask = _scope_mask(q["carrier"].to_numpy(dtype=object), carriers) if k else np.zeros((0, len(carriers)))
    kgce = q["saving_kgce_per_t"].to_numpy(dtype=float)
    pct = q["saving_pct"].to_numpy(dtype=float)
    sw_from = np.where(has_switch[quantified], sf[quantified], -1).astype(np.int64)
    sw_to = np.where(has_switch[quantified], st[quantified], -1).astype(np.int64)
    sw_share = share[quantified]
    capex = q["capex_yuan_per_t_a"].to_numpy(dtype=float) * capacity[row_line]
    opex = np.nan_to_num(q["opex_change_yuan_per_t"].to_numpy(dtype=float)) * output[row_line]
    life = q["lifetime_a"].to_numpy(dtype=float)

    # stand-alone effect on the baseline, for the ranking
    alone = apply_measures(e0[row_line], output[row_line], mask, kgce, pct, sw_from, sw_to, sw_share)
    d_alone = e0[row_line] - alone
    co2_alone = d_alone @ ef
    value_alone = d_alone @ price
    costed = np.isfinite(capex) & np.isfinite(life) & (life > 0) & (co2_alone > _TINY_TCO2)
    mac_alone = np.full(k, np.inf)
    if costed.any():
        ann = annualised_cost(capex[costed], opex[costed], value_alone[costed], discount_rate, life[costed])
        mac_alone[costed] = ann / co2_alone[costed]
    order = np.lexsort((q["measure_id"].to_numpy(dtype=str), -d_alone.sum(axis=1), mac_alone, row_line))
    step = np.zeros(k, dtype=int)
    if k:
        sorted_lines = row_line[order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_lines)) + 1]
        first = np.repeat(starts, np.diff(np.r_[starts, k]))
        step[order] = np.arange(k) - first + 1

    # sequential application: step s of every line at once
    e = e0.copy()
    before = np.zeros((k, len(carriers)))
    after = np.zeros((k, len(carriers)))
    for s in range(1, int(step.max(initial=0)) + 1):
        rows = np.flatnonzero(step == s)
        lr = row_line[rows]
        before[rows] = e[lr]
        after[rows] = apply_measures(
            e[lr],
            output[lr],
            mask[rows],
            kgce[rows],
            pct[rows],
            sw_from[rows],
            sw_to[rows],
            sw_share[rows],
        )
        e[lr] = after[rows]

    delta = before - after
    saving_tce = delta.sum(axis=1)
    saving_tco2 = delta @ ef
    annual = delta @ price - opex
    with np.errstate(over="ignore"):  # a vanishing saving: payback beyond float range is <NA>
        payback = np.divide(capex, annual, out=np.full(k, np.nan), where=np.isfinite(capex) & (annual > 0))
    mac = np.full(k, np.nan)
    real = costed & (saving_tco2 > _TINY_TCO2)
    if real.any():
        mac[real] = (
            crf(discount_rate, life[real]) * capex[real] + opex[real] - (delta @ price)[real]
        ) / saving_tco2[real]
    unit_before = before.sum(axis=1) / output[row_line] * 1000.0
    unit_after = after.sum(axis=1) / output[row_line] * 1000.0
    reaches = unit_after <= bench[row_line] + 1e-9

    steps = pd.DataFrame(
        {
            "line_id": q["line_id"].to_numpy(),
            "step": step,
            "measure_id": q["measure_id"].to_numpy(),
            "name_zh": q["name_zh"].to_numpy(),
            "name_en": q["name_en"].to_numpy(),
            "status": q["status"].to_numpy(),
            "mac_yuan_per_tco2": _nullable(mac),
            "saving_tce": saving_tce,
            "saving_tco2": saving_tco2,
            "investment_yuan": _nullable(capex),
            "annual_saving_yuan": annual,
            "payback_a": _nullable(payback),
            "unit_energy_before_kgce_per_t": unit_before,
            "unit_energy_after_kgce_per_t": unit_after,
            "reaches_benchmark": pd.array(
                np.where(np.isfinite(bench[row_line]), reaches, False), dtype="boolean"
            ),
        },
        columns=STEP_COLUMNS,
    )
    steps.loc[~np.isfinite(bench[row_line]), "reaches_benchmark"] = pd.NA
    steps = steps.sort_values(["line_id", "step"], kind="stable").reset_index(drop=True)

    base_tce = e0.sum(axis=1)
    final_unit = e.sum(axis=1) / output * 1000.0
    base_unit = base_tce / output * 1000.0
    gap = np.maximum(final_unit - bench, 0.0)
    # first step at which the line is at or below its benchmark (0: already there)
    first_hit = np.full(n_lines, np.inf)
    np.minimum.at(first_hit, row_line[reaches], step[reaches])
    bstep = np.where(base_unit <= bench + 1e-9, 0.0, np.where(np.isfinite(first_hit), first_hit, np.nan))
    inv = np.zeros(n_lines)
    np.add.at(inv, row_line, np.nan_to_num(capex))
    inv_known = np.ones(n_lines, dtype=bool)
    np.logical_and.at(inv_known, row_line, np.isfinite(capex))
    summary = pd.DataFrame(
        {
            "line_id": lines["line_id"].to_numpy(),
            "output_t": output,
            "baseline_tce": base_tce,
            "baseline_tco2": e0 @ ef,
            "baseline_unit_energy_kgce_per_t": base_unit,
            "final_unit_energy_kgce_per_t": final_unit,
            "benchmark_kgce_per_t": _nullable(bench),
            "saving_tce": base_tce - e.sum(axis=1),
            "saving_tco2": (e0 - e) @ ef,
            "investment_yuan": _nullable(np.where(inv_known, inv, np.nan)),
            "measures": np.bincount(row_line, minlength=n_lines),
            "unquantified_measures": unq["line_id"]
            .map(lpos)
            .value_counts()
            .reindex(range(n_lines), fill_value=0)
            .to_numpy(),
            "reaches_benchmark": pd.array(final_unit <= bench + 1e-9, dtype="boolean"),
            "benchmark_step": pd.array(np.where(np.isfinite(bstep), bstep, np.nan), dtype="Int64"),
            "gap_kgce_per_t": _nullable(np.where(np.isfinite(bench), gap, np.nan)),
            "gap_tce": _nullable(np.where(np.isfinite(bench), gap * output / 1000.0, np.nan)),
        },
        columns=LINE_SUMMARY_COLUMNS,
    )
    summary.loc[~np.isfinite(bench), "reaches_benchmark"] = pd.NA
    return Plan(steps=steps, lines=summary, unquantified=unq)
