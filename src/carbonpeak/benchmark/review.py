"""Energy-saving review (节能审查) of proposed projects against the limit standard in force (pure).

A proposed plant passes when its design unit-product comprehensive energy meets the
**advanced value (1级, 先进值)** of the national limit standard in force on the review date
for its product or route; a new electrolytic-aluminium plant must, in addition, reach the
**能效标杆水平** (benchmark) of the NDRC benchmark document. The method::

    E_design   = Σ_carriers Q_c × k_c                        [tce/a]   (GB/T 2589, 当量值)
    e          = 1000 × E_design / P                         [kgce/t]  (P = design output, t/a)
    verdict    = pass  ⇔  e ≤ 1级 (and, for Al electrolysis, AC power ≤ 标杆)
    margin     = 1级 − e                                     [kgce/t]  (≥ 0 passes)

The edition is the one in force on the review date
(:func:`carbonpeak.benchmark.levels.levels_for`): where that edition's values are not
shipped (GB 21248-2014 for copper between 2015-01-01 and 2024-05-31) the verdict is
``no_level`` and the citation names the edition and says its values are not sourced —
never a withdrawn edition's value. Where the edition in force does not publish (or the
platform does not hold) a 1级 (GB 21248-2007 gives only 限定值), the verdict is ``no_level``
too: the review criterion cannot be applied. No citation prints ``nan`` or ``None``.

"Meets" is inclusive, as in :mod:`carbonpeak.benchmark.classify`. Electrolytic aluminium is
limited on AC power per tonne of molten aluminium [kWh/t] (GB 21346-2022), so its review
compares that figure, not kgce/t.

Functions (frames in, frames out; no storage, no clock):

* :func:`unit_product_energy_kgce_per_t` — e from carrier energy and design output;
* :func:`review_against_limits` — the verdict of each proposal, with the clause cited
  (standard, table and row, edition and the date it took effect);
* :func:`totals_with_project` — a city's or the province's energy and CO2 with the project;
* :func:`share_with_project` — the capacity share at benchmark with and without it.

References
----------
.. [1] GB 25323-2023 有色重金属冶炼企业单位产品能源消耗限额, 表1–表12 (1级/2级/3级).
.. [2] GB 21346-2022 电解铝和氧化铝单位产品能源消耗限额, 表1.
.. [3] 发改产业〔2023〕723号《工业重点领域能效标杆水平和基准水平（2023年版）》, 电解铝.
.. [4] 《固定资产投资项目节能审查办法》(国家发展改革委令2023年第2号) — review of new projects.
.. [5] 国务院《2024—2025年节能降碳行动方案》: new or expanded electrolytic-aluminium projects
   must reach the benchmark level (methodology-data §4.1).
.. [6] GB/T 2589-2020 综合能耗计算通则 (当量值 electricity, 0.1229 kgce/kWh).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak import catalogue
from carbonpeak.benchmark.classify import capacity_share_at_benchmark, classify_unit_energy
from carbonpeak.benchmark.levels import LIMIT_TABLE, Levels, levels_for
from carbonpeak.errors import InputError, Problem
from carbonpeak.refdata import loader

__all__ = [
    "AL_BENCHMARK_ROUTES",
    "REVIEW_COLUMNS",
    "review_against_limits",
    "share_with_project",
    "totals_with_project",
    "unit_product_energy_kgce_per_t",
]

#: Routes whose review also requires the 能效标杆水平 (new electrolytic aluminium).
AL_BENCHMARK_ROUTES = frozenset({"al_electrolysis"})

#: Columns :func:`review_against_limits` adds to the proposals.
REVIEW_COLUMNS = [
    "verdict",
    "level_status",
    "level_id",
    "standard",
    "clause",
    "level_product_zh",
    "level_product_en",
    "edition_valid_from",
    "indicator",
    "value_unit",
    "advanced_value",
    "grade2",
    "grade3",
    "meets_advanced",
    "margin",
    "benchmark_required",
    "benchmark_value",
    "meets_benchmark",
    "efficiency_id",
    "grade",
    "level_reason",
    "edition_in_force",
    "citation_zh",
    "citation_en",
]


def unit_product_energy_kgce_per_t(energy_tce: Any, output_t: Any) -> np.ndarray:
    """Unit-product comprehensive energy from design energy and design output.

    Parameters
    ----------
    energy_tce : array_like
        Comprehensive energy of the plant [tce/a] (当量值; GB/T 2589).
    output_t : array_like
        Design output of the product [t/a], > 0.

    Returns
    -------
    ndarray
        e = 1000 × energy / output [kgce/t].

    Raises
    ------
    InputError
        An output that is not > 0 or an energy that is not finite.

    Examples
    --------
    >>> float(unit_product_energy_kgce_per_t(122_900.0, 122_900.0)[0])
    1000.0
    """
    e = np.atleast_1d(np.asarray(energy_tce, dtype=float))
    p = np.atleast_1d(np.asarray(output_t, dtype=float))
    problems = [
        Problem("must_be_positive", column="output_t", value=float(p[i]), row=int(i) + 1)
        for i in np.flatnonzero(~(np.isfinite(p) & (p > 0)))
    ]
    problems += [
        Problem("not_finite", column="energy_tce", value=float(e[i]), row=int(i) + 1)
        for i in np.flatnonzero(~np.isfinite(e))
    ]
    if problems:
        raise InputError(problems)
    return np.asarray(1000.0 * e / p, dtype=float)


def _fmt(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ") if float(x).is_integer() else f"{x:,.1f}".replace(",", " ")


def review_against_limits(proposals: pd.DataFrame, levels: Levels) -> pd.DataFrame:
    """The energy-saving-review verdict of each proposed plant.

    Parameters
    ----------
    proposals : DataFrame
        One row per proposal: ``metal``, ``route`` and/or ``product`` (a product code of
        benchmark/limit_levels, which takes precedence), ``date`` (review date),
        ``unit_energy`` [kgce/t; for aluminium electrolysis the AC power, kWh/t],
        ``capacity_t_per_a`` [t/a], optional ``indicator`` and ``line_id``.
    levels : Levels
        From :func:`carbonpeak.benchmark.levels.load_levels`.

    Returns
    -------
    DataFrame
        The proposals plus :data:`REVIEW_COLUMNS`: ``verdict`` (``"pass"``, ``"fail"`` or
        ``"no_level"`` — no level in force, the in-force edition's values not sourced
        (``level_reason``, ``edition_in_force``), or no 1级 in the edition), the level row
        (``level_id``, ``standard``, ``clause`` — the table and
        row of the standard —, ``edition_valid_from``), ``advanced_value`` (1级),
        ``meets_advanced``, ``margin`` = 1级 − value [value_unit], for aluminium electrolysis
        ``benchmark_value``/``meets_benchmark`` (标杆), the grade the design reaches, and the
        citation in words (``citation_zh``/``citation_en``).

    Raises
    ------
    InputError
        As :func:`carbonpeak.benchmark.levels.levels_for` and
        :func:`carbonpeak.benchmark.classify.classify_unit_energy` (located by row).

    Examples
    --------
    A hydrometallurgical zinc line (concentrate → cathode zinc, residue treatment included),
    GB 25323-2023 表3, 1级 1 010 kgce/t:

    >>> from carbonpeak.benchmark.levels import load_levels
    >>> p = pd.DataFrame({"metal": ["Zn", "Zn"], "route": ["zn_hydro"] * 2, "date": ["2025-06-30"] * 2,
    ...                   "unit_energy": [1000.0, 1100.0], "capacity_t_per_a": [1e5, 1e5]})
    >>> review_against_limits(p, load_levels())["verdict"].tolist()
    ['pass', 'fail']
    """
    a = proposals.reset_index(drop=True).copy()
    if "line_id" not in a:
        a["line_id"] = [f"proposal-{i + 1}" for i in range(len(a))]
    lv = levels_for(a, levels=levels)
    in_force = (lv["level_status"] == "in_force").to_numpy()
    graded = classify_unit_energy(a[in_force], levels) if in_force.any() else pd.DataFrame(index=a.index[:0])
    grade = pd.Series([None] * len(a), dtype=object)
    if len(graded):
        grade.iloc[np.flatnonzero(in_force)] = graded["grade"].to_numpy(dtype=object)
    rows = _level_rows(levels)
    ids = lv["level_id"].tolist()
    row = [rows.get(i) if isinstance(i, str) else None for i in ids]
    vf = lv["level_id"].map(levels.limits.set_index("level_id")["valid_from"]).tolist()
    value = pd.to_numeric(a["unit_energy"], errors="coerce").to_numpy(dtype=float)
    g1 = lv["grade1"].to_numpy(dtype=float)
    meets_adv = np.where(in_force, value <= g1, False)
    route = a["route"].astype(object).to_numpy() if "route" in a else np.array([None] * len(a))
    bench_req = np.isin(route, list(AL_BENCHMARK_ROUTES))
    bench = lv["efficiency_benchmark"].to_numpy(dtype=float)
    meets_bench = np.where(bench_req & np.isfinite(bench), value <= bench, np.nan)
    bench_ok = ~bench_req | (np.isfinite(bench) & (value <= np.where(np.isfinite(bench), bench, -np.inf)))
    has_adv = np.isfinite(g1)
    verdict = np.where(~in_force | ~has_adv, "no_level", np.where(meets_adv & bench_ok, "pass", "fail"))
    out = a.copy()
    out["verdict"] = verdict
    out["level_status"] = lv["level_status"].to_numpy()
    out["level_id"] = lv["level_id"].to_numpy(dtype=object)
    out["standard"] = lv["standard"].to_numpy(dtype=object)
    out["clause"] = [r["table"] if r else None for r in row]
    out["read_in"] = [(r["read_in"] or None) if r else None for r in row]  # where the values were read
    out["level_product_zh"] = [r["row_zh"] if r else None for r in row]
    out["level_product_en"] = [r["row_en"] if r else None for r in row]
    out["edition_valid_from"] = [None if pd.isna(d) else str(d)[:10] for d in vf]
    out["indicator"] = lv["indicator"].to_numpy(dtype=object)
    out["value_unit"] = lv["value_unit"].to_numpy(dtype=object)
    out["advanced_value"] = g1
    out["grade2"] = lv["grade2"].to_numpy(dtype=float)
    out["grade3"] = lv["grade3"].to_numpy(dtype=float)
    out["meets_advanced"] = meets_adv
    out["margin"] = np.where(in_force, g1 - value, np.nan)
    out["benchmark_required"] = bench_req
    out["benchmark_value"] = np.where(bench_req, bench, np.nan)
    out["meets_benchmark"] = pd.array(
        [None if np.isnan(m) else bool(m) for m in meets_bench.astype(float)], dtype="boolean"
    )
    out["efficiency_id"] = lv["efficiency_id"].to_numpy(dtype=object)
    out["grade"] = grade.to_numpy()
    out["level_reason"] = lv["level_reason"].to_numpy(dtype=object)
    out["edition_in_force"] = lv["edition_in_force"].to_numpy(dtype=object)
    for lang in ("zh", "en"):
        out[f"citation_{lang}"] = [_cite(out.iloc[i], lang) for i in range(len(out))]
    return out


def _level_rows(levels: Levels) -> dict[str, dict[str, str]]:
    """level id → the table of the standard, the row's name (zh/en, with its boundary) and
    where its values were read (``read_in``, "" when read in the standard)."""
    out: dict[str, dict[str, str]] = {}
    for r in loader.factor_set(levels.factor_set).tables[LIMIT_TABLE]:
        first = str(r["clause"]).split(";")[0].strip()
        token = first.split(" ", 1)[0]
        if first.startswith("表"):
            table = token
        elif token.replace(".", "").isdigit():
            table = f"§{token}"
        else:
            table = ""
        boundary = str(r["boundary"] or "")
        out[f"{LIMIT_TABLE}#{r['id']}"] = {
            "table": table,
            "row_zh": f"{r['product_zh']}（{boundary}）" if boundary else str(r["product_zh"]),
            "row_en": f"{r['product_en']} ({boundary})" if boundary else str(r["product_en"]),
            "read_in": str(r.get("read_in") or ""),
        }
    return out


def _cite(r: pd.Series, lang: str) -> str:
    """The clause cited for one reviewed design, in *lang* (catalogue/review_citation.toml);
    never ``nan`` or ``None``: a missing value or date has its own wording."""
    if r["level_status"] != "in_force":
        if r["level_reason"] == "values_not_sourced":
            return catalogue.text("review_citation.not_sourced", lang, standard=r["edition_in_force"])
        return catalogue.text("review_citation.no_standard", lang)
    where = f"{r['standard']} {r['clause'] or ''}".strip()
    product = {"product_zh": r["level_product_zh"], "product_en": r["level_product_en"]}
    if not np.isfinite(float(r["advanced_value"])):
        return catalogue.text(
            "review_citation.no_advanced", lang, where=where, value=_fmt(float(r["grade3"])),
            unit=r["value_unit"], **product,
        )
    date = r["edition_valid_from"]
    s = catalogue.text(
        "review_citation.advanced" if date else "review_citation.advanced_undated",
        lang,
        where=where,
        value=_fmt(float(r["advanced_value"])),
        unit=r["value_unit"],
        **({"valid_from": date} if date else {}),
        **product,
    )
    if r["benchmark_required"]:
        b = _fmt(float(r["benchmark_value"]))
        s += catalogue.text("review_citation.benchmark", lang, value=b, unit=r["value_unit"])
    return s


def totals_with_project(
    totals: pd.DataFrame, energy_tce: float, co2_t: float, *, keys: Sequence[str] = ("scope",)
) -> pd.DataFrame:
    """Energy and CO2 totals with a project's design figures added.

    Parameters
    ----------
    totals : DataFrame
        One row per scope (e.g. the city and the province): *keys*, ``energy_tce`` [tce/a],
        ``co2_t`` [t/a] of the latest inventoried year.
    energy_tce, co2_t : float
        The project's design comprehensive energy [tce/a] and CO2 [t/a].

    Returns
    -------
    DataFrame
        *keys*, ``energy_tce``, ``co2_t``, ``energy_with_tce``, ``co2_with_t``,
        ``energy_increase_pct`` and ``co2_increase_pct`` [%] (NaN for a zero base).
    """
    out = totals.loc[:, [*keys, "energy_tce", "co2_t"]].copy()
    e = out["energy_tce"].to_numpy(dtype=float)
    c = out["co2_t"].to_numpy(dtype=float)
    out["energy_with_tce"] = e + energy_tce
    out["co2_with_t"] = c + co2_t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out["energy_increase_pct"] = np.where(e > 0, 100.0 * energy_tce / np.where(e > 0, e, 1.0), np.nan)
        out["co2_increase_pct"] = np.where(c > 0, 100.0 * co2_t / np.where(c > 0, c, 1.0), np.nan)
    return out


def share_with_project(classified: pd.DataFrame, project: pd.DataFrame) -> dict[str, float]:
    """Capacity share at benchmark [0–1] of *classified* lines, without and with *project*.

    Parameters
    ----------
    classified : DataFrame
        Lines from :func:`carbonpeak.benchmark.classify.classify_unit_energy`, already
        selected (e.g. Cu/Pb/Zn smelting capacity in scope).
    project : DataFrame
        The project classified the same way (one row).

    Returns
    -------
    dict
        ``without`` and ``with`` (NaN where no capacity is assessed), ``unverified`` (1.0
        when a stand-in benchmark was used, else 0.0).
    """
    before = capacity_share_at_benchmark(classified, by=[])
    after = capacity_share_at_benchmark(pd.concat([classified, project], ignore_index=True), by=[])
    return {
        "without": float(before["share"].iloc[0]) if len(before) else float("nan"),
        "with": float(after["share"].iloc[0]) if len(after) else float("nan"),
        "unverified": float(bool(after["unverified"].iloc[0])) if len(after) else 0.0,
    }
