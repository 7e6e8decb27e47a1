"""Scenarios in and out: IAMC long format (as pyam reads it) and driver paths from xlsx.

IAMC variables written by :func:`to_iamc` (summed over routes and cities; ``<Metal>`` is the
English name of the metal code, e.g. ``Zn`` → ``Zinc``)::

    Emissions|CO2|Nonferrous                          Mt CO2/yr  = Σ metals
    Emissions|CO2|Nonferrous|<Metal>                  Mt CO2/yr  = Σ its sources
    Emissions|CO2|Nonferrous|<Metal>|<Source>         Mt CO2/yr  Combustion, Process, Electricity, Heat
    Final Energy|Nonferrous                           EJ/yr      = Σ metals
    Final Energy|Nonferrous|<Metal>                   EJ/yr      = Σ its carriers
    Final Energy|Nonferrous|<Metal>|<Carrier>         EJ/yr      Coal, Gas, Oil, Electricity, Heat
    Production|Nonferrous|<Metal>                     Mt/yr

Every parent equals the sum of its children, so pyam's ``check_aggregate`` passes.

Driver paths (:func:`read_driver_paths_xlsx`) come one row per point: ``scenario``,
``driver``, ``selector``, ``year``, ``value`` and an optional ``parent`` (the same on
every row of a scenario that has one).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError, Problem
from carbonpeak.io.numbers import number_text
from carbonpeak.io.tabular import read_rows
from carbonpeak.scenarios.projection import DRIVERS, Scenario, validate_scenario

__all__ = [
    "IAMC_COLUMNS",
    "METAL_NAMES",
    "read_driver_paths",
    "read_driver_paths_xlsx",
    "to_iamc",
    "write_iamc_csv",
    "write_iamc_xlsx",
]

#: The columns of an IAMC long table, in order.
IAMC_COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
#: Metal code → IAMC name (codes of ``refdata/sector/metals.csv``).
METAL_NAMES: dict[str, str] = {
    "Cu": "Copper",
    "Al": "Aluminium",
    "Pb": "Lead",
    "Zn": "Zinc",
    "Sb": "Antimony",
    "W": "Tungsten",
    "RE": "Rare Earths",
    "Bi": "Bismuth",
    "Au": "Gold",
    "Be": "Beryllium",
    "In": "Indium",
    "Ti": "Titanium",
    "Mg": "Magnesium",
    "Sn": "Tin",
    "Ni": "Nickel",
    "Hg": "Mercury",
    "Ag": "Silver",
    "Mo": "Molybdenum",
}
_GJ_PER_TCE = 29.3076
# quantity → (variable prefix, leaf, unit, factor to the IAMC unit)
_LEAVES: dict[str, tuple[str, str, str, float]] = {
    "combustion_co2_t": ("Emissions|CO2|Nonferrous", "Combustion", "Mt CO2/yr", 1e-6),
    "process_co2_t": ("Emissions|CO2|Nonferrous", "Process", "Mt CO2/yr", 1e-6),
    "electricity_co2_t": ("Emissions|CO2|Nonferrous", "Electricity", "Mt CO2/yr", 1e-6),
    "heat_co2_t": ("Emissions|CO2|Nonferrous", "Heat", "Mt CO2/yr", 1e-6),
    "coal_tce": ("Final Energy|Nonferrous", "Coal", "EJ/yr", _GJ_PER_TCE * 1e-9),
    "gas_tce": ("Final Energy|Nonferrous", "Gas", "EJ/yr", _GJ_PER_TCE * 1e-9),
    "oil_tce": ("Final Energy|Nonferrous", "Oil", "EJ/yr", _GJ_PER_TCE * 1e-9),
    "electricity_mwh": ("Final Energy|Nonferrous", "Electricity", "EJ/yr", 3.6e-9),
    "heat_gj": ("Final Energy|Nonferrous", "Heat", "EJ/yr", 1e-9),
}


def to_iamc(
    long_frame: pd.DataFrame,
    model: str = "carbonpeak",
    scenario: str | None = None,
    region: str = "Hunan",
    metal_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A projection's long table in IAMC format.

    Parameters
    ----------
    long_frame : DataFrame
        ``Projection.frame``: ``metal``, ``year``, ``variable`` (a quantity of
        :data:`~carbonpeak.scenarios.projection.QUANTITIES`), ``value`` [unit in the
        quantity name], and ``scenario`` unless *scenario* is given.
    model : str
    scenario : str, optional
        Overrides the frame's ``scenario`` column.
    region : str
    metal_names : mapping, optional
        Metal code → name in the variable; default :data:`METAL_NAMES` (unknown codes as is).

    Returns
    -------
    DataFrame
        Exactly :data:`IAMC_COLUMNS`; units Mt CO2/yr, EJ/yr and Mt/yr.

    Raises
    ------
    InputError
        A missing column.
    """
    need = ["metal", "year", "variable", "value", *([] if scenario else ["scenario"])]
    missing = [c for c in need if c not in long_frame.columns]
    if missing:
        raise InputError([Problem("missing_column", column=c) for c in missing])
    names = {**METAL_NAMES, **(metal_names or {})}
    d = long_frame.assign(scenario=scenario) if scenario else long_frame
    d = d.assign(metal_name=d["metal"].map(lambda m: names.get(str(m), str(m))))
    parts: list[pd.DataFrame] = []
    leaf = d[d["variable"].isin(list(_LEAVES))]
    info = pd.DataFrame.from_dict(_LEAVES, orient="index", columns=["prefix", "leaf", "unit", "factor"])
    leaf = leaf.join(info, on="variable")
    leaf = leaf.assign(value=leaf["value"] * leaf["factor"])
    keys = ["scenario", "prefix", "unit", "metal_name", "leaf", "year"]
    by_leaf = leaf.groupby(keys, as_index=False, sort=True)["value"].sum()
    parts.append(
        by_leaf.assign(variable=by_leaf["prefix"] + "|" + by_leaf["metal_name"] + "|" + by_leaf["leaf"])
    )
    by_metal = by_leaf.groupby([*keys[:4], "year"], as_index=False)["value"].sum()
    parts.append(by_metal.assign(variable=by_metal["prefix"] + "|" + by_metal["metal_name"]))
    total = by_metal.groupby(["scenario", "prefix", "unit", "year"], as_index=False)["value"].sum()
    parts.append(total.assign(variable=total["prefix"]))
    prod = (
        d[d["variable"] == "output_t"]
        .groupby(["scenario", "metal_name", "year"], as_index=False)["value"]
        .sum()
    )
    parts.append(
        prod.assign(
            variable="Production|Nonferrous|" + prod["metal_name"], unit="Mt/yr", value=prod["value"] * 1e-6
        )
    )
    out = pd.concat([p.assign(model=model, region=region) for p in parts], ignore_index=True)
    out["year"] = out["year"].astype(np.int64)
    out = out[IAMC_COLUMNS].sort_values(["scenario", "variable", "year"], kind="stable")
    return out.reset_index(drop=True)


def write_iamc_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write an IAMC table as CSV (UTF-8, long format, one row per value).

    Parameters
    ----------
    frame : DataFrame
        From :func:`to_iamc`.
    path : str or Path
    """
    frame[IAMC_COLUMNS].to_csv(path, index=False)


def write_iamc_xlsx(frame: pd.DataFrame, path: str | Path, sheet: str = "data") -> None:
    """Write an IAMC table as xlsx in the wide layout pyam reads (one column per year).

    Parameters
    ----------
    frame : DataFrame
        From :func:`to_iamc`.
    path : str or Path
    sheet : str
        Sheet name; pyam's default is ``data``.
    """
    wide = frame.pivot_table(
        index=IAMC_COLUMNS[:5], columns="year", values="value", aggfunc="sum", sort=True
    ).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    wide.to_excel(path, sheet_name=sheet, index=False)


def read_driver_paths_xlsx(path: str | Path, sheet: str | None = None) -> dict[str, Scenario]:
    """Read driver paths (one row per scenario, driver, selector and year) into scenarios.

    Parameters
    ----------
    path : str or Path
        An xlsx (or csv) file with columns ``scenario``, ``driver``, ``selector``,
        ``year`` [a], ``value`` [unit of the driver, see ``DRIVERS``] and optionally
        ``parent``. A blank selector means ``*``.
    sheet : str, optional
        Sheet to read; the first by default.

    Returns
    -------
    dict
        Scenario name → :class:`~carbonpeak.scenarios.projection.Scenario` (paths sorted
        by year; not yet resolved against parents).

    Raises
    ------
    InputError
        Every problem, located by file, sheet and row: missing columns, an unknown driver,
        a year that is not whole, a value that is not a finite number, a repeated
        (scenario, driver, selector, year), conflicting parents, and each problem of
        ``validate_scenario`` (share outside [0, 1], negative intensity, …) on the row
        of the offending point.
    """
    p = Path(path)
    return read_driver_paths(p.read_bytes(), p.name, sheet)


def read_driver_paths(data: bytes, filename: str, sheet: str | None = None) -> dict[str, Scenario]:
    """:func:`read_driver_paths_xlsx` on the bytes of an upload named *filename* (xlsx or csv).

    A blank value is a gap in the path (``scenario_path_missing_value``) and a value that is
    not a number ``scenario_not_finite``, both naming scenario, driver, selector and year.
    """
    table = read_rows(
        data, filename, ["scenario", "driver", "selector", "year", "value"], ["parent"], sheet=sheet
    )
    loc: dict[str, Any] = {"file": table.file, "sheet": table.sheet}
    problems: list[Problem] = []
    paths: dict[str, dict[str, dict[str, dict[int, float]]]] = {}
    parents: dict[str, str] = {}
    rows_of: dict[tuple[str, str, str, int], int] = {}
    for row, cells in table.rows:
        name, driver = cells["scenario"], cells["driver"]
        selector = cells["selector"] or "*"
        if not name:
            problems.append(Problem("required", column="scenario", row=row, **loc))
            continue
        if driver not in DRIVERS:
            problems.append(
                Problem(
                    "scenario_unknown_driver",
                    column="driver",
                    value=driver,
                    row=row,
                    fields={"scenario": name, "allowed": ", ".join(DRIVERS)},
                    **loc,
                )
            )
            continue
        try:
            year_f = float(cells["year"])
        except ValueError:
            year_f = float("nan")
        if not (np.isfinite(year_f) and year_f.is_integer()):
            problems.append(Problem("not_a_number", column="year", value=cells["year"], row=row, **loc))
            continue
        year = int(year_f)
        try:
            value = float(number_text(cells["value"]) or "nan")  # "1,5" and "1_5" are not 15
        except ValueError:
            value = float("nan")
        if not np.isfinite(value):
            where = {"scenario": name, "driver": driver, "selector": selector, "year": year}
            code = "scenario_path_missing_value" if not cells["value"].strip() else "scenario_not_finite"
            problems.append(Problem(code, column="value", value=cells["value"], row=row, fields=where, **loc))
            continue
        key = (name, driver, selector, year)
        if key in rows_of:
            problems.append(
                Problem(
                    "duplicate",
                    column="year",
                    value=f"{name}/{driver}/{selector}/{year}",
                    row=row,
                    fields={"first_row": rows_of[key]},
                    **loc,
                )
            )
            continue
        rows_of[key] = row
        parent = cells.get("parent", "")
        if parent and parents.setdefault(name, parent) != parent:
            problems.append(
                Problem(
                    "scenario_unknown_parent",
                    column="parent",
                    value=parent,
                    row=row,
                    fields={"scenario": name},
                    **loc,
                )
            )
        paths.setdefault(name, {}).setdefault(driver, {}).setdefault(selector, {})[year] = value
    scenarios = {
        name: Scenario(
            name=name,
            parent=parents.get(name),
            paths={d: {s: dict(sorted(pt.items())) for s, pt in by_s.items()} for d, by_s in by_d.items()},
        )
        for name, by_d in paths.items()
    }
    for s in scenarios.values():
        for pr in validate_scenario(s):
            f = dict(pr.fields)
            at = rows_of.get((s.name, str(f.get("driver")), str(f.get("selector")), f.get("year", -1)))
            problems.append(Problem(pr.code, column=pr.column, value=pr.value, row=at, fields=f, **loc))
    if problems:
        raise InputError(problems)
    return scenarios
