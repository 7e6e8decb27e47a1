"""Grade each production line against the limit standard in force, and against the benchmark.

The grade rule (GB 25323-2023 §4 and the other current standards; old editions mapped
先进值 → 1, 准入值 → 2, 限定值 → 3)::

    lower_is_better:  E ≤ grade1 → 1;  E ≤ grade2 → 2;  E ≤ grade3 → 3;  else "below_limit"

A value exactly at a level meets it. A grade the edition does not publish (GB 21248-2007
gives only 限定值) is never met, so such a line is graded 3 or below the limit: the best
grade that can be shown. ``gap_to_limit`` = max(E − grade3, 0) [value_unit];
``gap_tce_per_a`` = gap [kgce/t] × capacity [t/a] ÷ 1000 (NaN where the level is not in
kgce/t, e.g. aluminium AC power in kWh/t).

Benchmark and baseline (能效标杆/基准)
--------------------------------------
* Where the benchmark documents' level is sourced (refdata ``benchmark/efficiency_levels``:
  only electrolytic aluminium, 13 000 / 13 350 kWh/t), it is used:
  ``benchmark_basis = "efficiency_level"``.
* Otherwise (Cu, Pb, Zn and the rest: their 标杆/基准 values are recalled only and not
  shipped) the limit standard stands in: 1级 for the benchmark and 3级 for the baseline,
  ``benchmark_basis = "limit_grade1_standin"``; the result is a limit-standard grade and is
  labelled so (methodology-data §0b.5).
* In both cases the stricter of that level and the mandatory limit in force (3级) governs
  (issue 5 acceptance; §0b.5): a recalled or older benchmark or baseline looser than the
  current 限定值 never lets a line below the limit count as at benchmark or above baseline.
* ``benchmark_unverified`` is True for a stand-in (it is not the benchmark document's
  value) and where the efficiency row itself is flagged unverified.
* A line whose stand-in 1级 is not published (GB 21248-2007) has ``at_benchmark`` = NA
  (``benchmark_basis = "unavailable"``) and is left out of the capacity share.

``band``: ``"at_benchmark"``, ``"between"`` or ``"below_baseline"``.

References
----------
.. [1] GB 25323-2023 有色重金属冶炼企业单位产品能源消耗限额, tables 1–12.
.. [2] GB 21346-2022 电解铝和氧化铝单位产品能源消耗限额, table 1.
.. [3] 发改产业〔2023〕723号《工业重点领域能效标杆水平和基准水平（2023年版）》, 电解铝.
.. [4] 湖南省有色金属行业碳达峰实施方案, 一(三): ≥ 50 % of Cu/Pb/Zn smelting capacity at
   benchmark by 2025.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carbonpeak.benchmark.levels import Levels, levels_for
from carbonpeak.errors import InputError, Problem

__all__ = [
    "BELOW_LIMIT",
    "CLASSIFY_COLUMNS",
    "capacity_share_at_benchmark",
    "classify_unit_energy",
    "lines_below_limit",
]

BELOW_LIMIT = "below_limit"
REQUIRED = ("line_id", "unit_energy", "capacity_t_per_a")

#: Columns :func:`classify_unit_energy` adds (after those of ``levels_for``).
CLASSIFY_COLUMNS = [
    "grade",
    "below_limit",
    "gap_to_limit",
    "gap_tce_per_a",
    "benchmark_value",
    "baseline_value",
    "benchmark_basis",
    "benchmark_unverified",
    "at_benchmark",
    "below_baseline",
    "band",
]


def _problems(
    a: pd.DataFrame, unit: np.ndarray, cap: np.ndarray, negative_ok: np.ndarray, rows: np.ndarray
) -> list[Problem]:
    out: list[Problem] = []
    for col, x in (("unit_energy", unit), ("capacity_t_per_a", cap)):
        raw = a[col].tolist()
        given = a[col].notna().to_numpy()
        for i in np.flatnonzero(~np.isfinite(x)):
            out.append(
                Problem(
                    "not_finite" if given[i] else "required", column=col, value=raw[int(i)], row=int(rows[i])
                )
            )
        bad = np.isfinite(x) & (x < 0) & (~negative_ok if col == "unit_energy" else True)
        out += [
            Problem("negative", column=col, value=float(x[i]), row=int(rows[i])) for i in np.flatnonzero(bad)
        ]
    return out


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)


def classify_unit_energy(lines: pd.DataFrame, levels: Levels) -> pd.DataFrame:
    """Limit-standard grade, gap to the limit and benchmark status of every line.

    Parameters
    ----------
    lines : DataFrame
        One row per line and evaluation date: ``line_id``, ``metal``, ``route`` (and/or
        ``product``), ``date`` (evaluation date), ``unit_energy`` [the level's unit: kgce/t
        for comprehensive energy, kWh/t for aluminium AC power], ``capacity_t_per_a``
        [t/a], and optionally ``city``, ``park``, ``indicator``, ``row``; other columns are
        carried through.
    levels : Levels
        From :func:`carbonpeak.benchmark.levels.load_levels`.

    Returns
    -------
    DataFrame
        The lines with the level columns of :func:`~carbonpeak.benchmark.levels.levels_for`
        and :data:`CLASSIFY_COLUMNS`: ``grade`` (1, 2, 3, ``"below_limit"``, or None where no
        level is in force), ``below_limit`` (bool), ``gap_to_limit`` [value_unit],
        ``gap_tce_per_a`` [tce/a], ``benchmark_value`` and ``baseline_value`` [value_unit]
        (the thresholds that governed), ``benchmark_basis``, ``benchmark_unverified``,
        ``at_benchmark`` and ``below_baseline`` (nullable booleans), ``band``.

    Raises
    ------
    InputError
        One located problem per line with a missing column, a missing, infinite or negative
        unit energy (negative is accepted only where the level in force has a negative grade:
        acid plants exporting steam, GB 29141), a missing, infinite or negative capacity, an
        unknown route or product, or a bad date.

    References
    ----------
    .. [1] GB 25323-2023, tables 1–12 (e.g. 湿法炼锌 含渣处理 1 010 / 1 040 / 1 260 kgce/t).
    .. [2] GB 21346-2022 and 发改产业〔2023〕723号 (electrolytic aluminium).

    Examples
    --------
    >>> from carbonpeak.benchmark.levels import load_levels
    >>> lines = pd.DataFrame({"line_id": ["a", "b"], "metal": "Zn", "route": "zn_hydro",
    ...                       "date": "2025-12-31", "unit_energy": [1040.0, 1260.5],
    ...                       "capacity_t_per_a": 100_000.0})
    >>> out = classify_unit_energy(lines, load_levels())
    >>> out["grade"].tolist(), out["gap_tce_per_a"].tolist()
    ([2, 'below_limit'], [0.0, 50.0])
    """
    missing = [c for c in REQUIRED if c not in lines]
    if missing:
        raise InputError([Problem("missing_column", column=c) for c in missing])
    lv = levels_for(lines, levels=levels)
    rows = lv["row"].to_numpy() if "row" in lv else np.arange(1, len(lv) + 1)
    unit = _num(lv, "unit_energy")
    cap = _num(lv, "capacity_t_per_a")
    g1, g2, g3 = (lv[c].to_numpy(dtype=float) for c in ("grade1", "grade2", "grade3"))
    with np.errstate(invalid="ignore"):
        negative_ok = np.fmin(np.fmin(g1, g2), g3) < 0
    problems = _problems(lv, unit, cap, negative_ok, rows)
    if problems:
        raise InputError(problems)

    in_force = (lv["level_status"] == "in_force").to_numpy()
    # s·E ≤ s·level means "meets": s = +1 when lower is better, −1 otherwise
    s = np.where(lv["lower_is_better"].fillna(True).to_numpy(dtype=bool), 1.0, -1.0)
    v = s * unit

    def meets(level: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.asarray(v <= s * level)  # NaN (unpublished) level: never met

    m1, m2, m3 = meets(g1), meets(g2), meets(g3)
    code = np.select([m1, m2, m3], [1, 2, 3], 4)
    grade = pd.Series(
        np.where(in_force, np.asarray([None, 1, 2, 3, BELOW_LIMIT], dtype=object)[code], None),
        index=lv.index,
        dtype=object,
    )
    gap = np.where(in_force, np.maximum(v - s * g3, 0.0), np.nan)
    kgce = (lv["value_unit"] == "kgce/t").to_numpy()
    gap_tce = np.where(kgce, gap * cap / 1000.0, np.nan)

    # benchmark / baseline: the efficiency level where sourced, else the limit grades; the
    # stricter of that and the mandatory limit in force (3级) governs
    eff_b = lv["efficiency_benchmark"].to_numpy(dtype=float)
    eff_l = lv["efficiency_baseline"].to_numpy(dtype=float)
    has_eff = ~np.isnan(eff_b)
    raw_b = np.where(has_eff, eff_b, g1)
    raw_l = np.where(~np.isnan(eff_l), eff_l, g3)
    bench = s * np.fmin(s * raw_b, s * g3)
    bench = np.where(np.isnan(raw_b), np.nan, bench)
    base = s * np.fmin(s * raw_l, s * g3)
    basis = np.where(
        has_eff, "efficiency_level", np.where(np.isnan(g1), "unavailable", "limit_grade1_standin")
    )
    basis_col = pd.Series(basis, index=lv.index, dtype=object).where(in_force, None)
    eff_unver = lv["efficiency_unverified"].fillna(False).to_numpy(dtype=bool)
    unverified = np.where(has_eff, eff_unver, True)

    known_b = in_force & ~np.isnan(bench)
    at_b = meets(bench)
    below_base = ~meets(base)
    band = np.where(at_b, "at_benchmark", np.where(below_base, "below_baseline", "between"))
    out = pd.DataFrame(
        {
            "grade": grade,
            "below_limit": in_force & (code == 4),
            "gap_to_limit": gap,
            "gap_tce_per_a": gap_tce,
            "benchmark_value": np.where(in_force, bench, np.nan),
            "baseline_value": np.where(in_force, base, np.nan),
            "benchmark_basis": basis_col,
            "benchmark_unverified": pd.array(np.where(in_force, unverified, False), dtype="boolean"),
            "at_benchmark": pd.array(at_b, dtype="boolean"),
            "below_baseline": pd.array(below_base, dtype="boolean"),
            "band": pd.Series(band, index=lv.index, dtype=object).where(known_b, None),
        },
        index=lv.index,
    )
    out.loc[~known_b, "at_benchmark"] = pd.NA
    out.loc[~in_force, ["below_baseline", "benchmark_unverified"]] = pd.NA
    keep = [c for c in lv.columns if c not in CLASSIFY_COLUMNS]
    return pd.concat([lv[keep], out], axis=1)


def capacity_share_at_benchmark(classified: pd.DataFrame, by: Sequence[str] = ("metal",)) -> pd.DataFrame:
    """Capacity-weighted share of lines at benchmark, by group (computed, never stored).

    Parameters
    ----------
    classified : DataFrame
        From :func:`classify_unit_energy`; select the lines first (e.g. Cu/Pb/Zn smelting
        routes, one evaluation date).
    by : sequence of str
        Grouping columns, e.g. ``["metal"]``, ``["city", "metal"]``; ``[]`` for one total.

    Returns
    -------
    DataFrame
        Indexed by *by* (a single row ``"total"`` when empty): ``capacity_t_per_a``
        [t/a] (lines whose benchmark status is known), ``capacity_at_benchmark_t_per_a``
        [t/a], ``share`` (0–1; NaN for no assessed capacity), ``lines``, ``lines_unassessed``
        (no level in force or no benchmark level), ``unverified`` (True when any assessed
        line's benchmark is a stand-in or unverified: say so next to the figure).

    Notes
    -----
    A total's share is the capacity-weighted mean of its parts' shares (weights: assessed
    capacity), so a province figure equals the combination of its cities'.

    References
    ----------
    .. [1] 湖南省有色金属行业碳达峰实施方案 一(三): 铅、锌、铜冶炼能效标杆水平以上产能比例达到50%.
    """
    keys = list(by)
    known = classified["at_benchmark"].notna().to_numpy()
    cap = pd.to_numeric(classified["capacity_t_per_a"], errors="coerce").to_numpy(dtype=float)
    at_b = classified["at_benchmark"].fillna(False).to_numpy(dtype=bool)
    unver = classified["benchmark_unverified"].fillna(False).to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            "capacity_t_per_a": np.where(known, cap, 0.0),
            "capacity_at_benchmark_t_per_a": np.where(known & at_b, cap, 0.0),
            "lines": 1,
            "lines_unassessed": (~known).astype(int),
            "unverified": known & unver,
        },
        index=classified.index,
    )
    if keys:
        g = pd.concat([classified[keys], frame], axis=1).groupby(keys, dropna=False, sort=True)
        agg = g.agg(
            capacity_t_per_a=("capacity_t_per_a", "sum"),
            capacity_at_benchmark_t_per_a=("capacity_at_benchmark_t_per_a", "sum"),
            lines=("lines", "sum"),
            lines_unassessed=("lines_unassessed", "sum"),
            unverified=("unverified", "any"),
        )
    else:
        agg = pd.DataFrame(
            {
                "capacity_t_per_a": [frame["capacity_t_per_a"].sum()],
                "capacity_at_benchmark_t_per_a": [frame["capacity_at_benchmark_t_per_a"].sum()],
                "lines": [int(frame["lines"].sum())],
                "lines_unassessed": [int(frame["lines_unassessed"].sum())],
                "unverified": [bool(frame["unverified"].any())],
            },
            index=pd.Index(["total"]),
        )
    total = agg["capacity_t_per_a"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(
            total > 0,
            agg["capacity_at_benchmark_t_per_a"].to_numpy(dtype=float) / np.where(total > 0, total, 1.0),
            np.nan,
        )
    agg.insert(2, "share", share)
    return agg


def lines_below_limit(classified: pd.DataFrame) -> pd.DataFrame:
    """The lines worse than the limit in force (3级): those that must exit or retrofit.

    Parameters
    ----------
    classified : DataFrame
        From :func:`classify_unit_energy`.

    Returns
    -------
    DataFrame
        The rows with ``below_limit``, sorted by ``gap_tce_per_a`` [tce/a] descending
        (lines whose gap is not in kgce/t last), then ``gap_to_limit`` [value_unit].

    References
    ----------
    .. [1] GB 25323-2023 §4: 3级 is the limit existing plants must meet.
    """
    sel = classified[classified["below_limit"].to_numpy(dtype=bool)]
    return sel.sort_values(
        ["gap_tce_per_a", "gap_to_limit"], ascending=False, na_position="last", kind="stable"
    )
