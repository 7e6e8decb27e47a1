"""Factor tables for one accounting run, assembled from a refdata factor set.

:func:`load_factors` picks, for a method and the choices that are parameters (GWP set,
grid-factor series and region, GB/T 2589 edition), the rows the engine needs and returns
them as small frames keyed by item id, each row carrying its refdata id so every result can
cite the factor it used. The engine itself (:mod:`carbonpeak.accounting.engine`) only sees
these frames.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from carbonpeak import units
from carbonpeak.errors import InputError, Problem, RefdataError
from carbonpeak.refdata.loader import FactorSet, RefTable, factor_set

__all__ = [
    "AccountingChoices",
    "FactorTables",
    "Method",
    "grid_region_of",
    "gwp_set_of",
    "load_factors",
    "method_for_metal",
    "methods",
    "user_equal_value_row",
]

T_ITEMS = "accounting/items"
T_FUELS = "accounting/fuels"
T_REDUCTANTS = "accounting/reductants"
T_CARBONATES = "accounting/carbonates"
T_ALUMINIUM = "accounting/aluminium"
T_GWP = "accounting/gwp"
T_GRID = "accounting/grid_factors"
T_HEAT = "accounting/heat_factors"
T_TCE = "accounting/tce_coefficients"
T_EQUAL = "accounting/electricity_equal_value"
T_METHODS = "accounting/methods"
T_PFC = "accounting/pfc_coefficients"

#: GB/T 2589: 1 kgce = 29 307 kJ, so 1 GJ = 1/0.029307 kgce (used only for untabulated fuels)
KGCE_PER_GJ = 1.0 / 0.029307


@dataclass(frozen=True)
class Method:
    """An accounting method (a guideline) and the parameters it prescribes."""

    id: str
    name_zh: str
    name_en: str
    version: str
    applies_to: tuple[str, ...]
    excludes: tuple[str, ...]
    gwp_set: str
    grid_series: str
    heat_method: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    source_id: str
    clause: str


@dataclass(frozen=True)
class AccountingChoices:
    """The parameters of a run: the method's defaults unless overridden."""

    method: str = "other_nonferrous_2015"
    gwp_set: str | None = None
    grid_series: str | None = None
    grid_region: str = "430000"  # Hunan
    residual_series: str = "mee_nbs_excl_market_nonfossil"
    tce_edition: str = "gbt2589_2008"
    factor_set: str | None = None
    #: "nearest": a data year without a published grid factor uses the nearest published
    #: year (earlier preferred) and the result names the row used; "strict": an error.
    grid_year_policy: str = "nearest"
    #: the same for the residual-mix (market-based) series; None: as ``grid_year_policy``
    residual_year_policy: str | None = None
    #: 等价值 of electricity set by the user [kgce/kWh], as (data year, value) pairs; year 0 =
    #: every year without its own pair. It replaces the refdata row of that year; a year with
    #: neither has no 等价值 (reported unavailable, never electricity left out).
    equal_value: tuple[tuple[int, float], ...] = ()
    #: GB/T 2589 coefficient variants chosen instead of the default row of their item, by the
    #: part of the row id after the edition: ``natural_gas:oil_field`` (油田天然气 38 931 kJ/m3
    #: instead of 气田天然气), ``coke_oven_gas:lower``
    tce_variants: tuple[str, ...] = ()
    #: aluminium PFCs of a line with a known potline technology but no anode-effect data:
    #: False (default) the method's own default factors, as the 2013 电解铝 guideline and
    #: CETS-AG-04.01 prescribe; True the IPCC 2006 Tier 1 factors of the technology (Vol. 3
    #: Table 4.15). Anode-effect data always select the slope or overvoltage method.
    pfc_tier1_by_technology: bool = False


@dataclass(frozen=True)
class FactorTables:
    """Everything the engine needs, as frames indexed by item (or year for the grid)."""

    method: Method
    factor_set: str
    gwp_set: str
    grid_series: str
    grid_region: str
    grid_year_policy: str
    items: pd.DataFrame  # index item: kind, canonical_unit, sign, row_id
    fuels: pd.DataFrame  # index item: ncv_gj, cc_tc_per_tj, oxidation, row_id
    reductants: pd.DataFrame  # index item: ef_tco2, row_id
    carbonates: pd.DataFrame  # index item: ef_tco2_per_t, default_purity, row_id
    grid: pd.DataFrame  # index year: ef_tco2_per_mwh, row_id
    residual_grid: pd.DataFrame  # index year: ef_tco2_per_mwh, row_id
    heat_ef: float
    heat_row: str
    tce: pd.DataFrame  # index item: tce_per_unit, row_id  (当量值)
    equal_value: pd.DataFrame  # index year: tce_per_mwh, row_id   (等价值 electricity)
    gwp: Mapping[str, float]
    gwp_rows: Mapping[str, str]
    aluminium: Mapping[str, float] = field(default_factory=dict)
    aluminium_rows: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    residual_series: str = "mee_nbs_excl_market_nonfossil"  # the market-based factor series
    residual_year_policy: str = "nearest"
    #: per potline technology (CWPB …): the PFC coefficients of IPCC 2006 Vol. 3 Tables 4.15
    #: and 4.16 (empty in a factor set without them) and their row ids
    pfc: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    pfc_rows: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    pfc_tier1_by_technology: bool = False


def _rid(table: str, row_id: str) -> str:
    return f"{table}#{row_id}"


def _table(fs: FactorSet, name: str) -> RefTable:
    try:
        return fs.tables[name]
    except KeyError:
        raise RefdataError("refdata_missing", table=f"{name} (factor set {fs.version})") from None


def methods(version: str | None = None) -> dict[str, Method]:
    """The accounting methods of a factor set, by id."""
    fs = factor_set(version)
    out = {}
    for r in _table(fs, T_METHODS):
        out[r["id"]] = Method(
            id=r["id"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            version=r["version"],
            applies_to=tuple(r["applies_to"]),
            excludes=tuple(r["excludes"]),
            gwp_set=r["gwp_set"],
            grid_series=r["grid_series"],
            heat_method=r["heat_method"],
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            source_id=r["source_id"],
            clause=r["clause"],
        )
    return out


def method_for_metal(metal: str, version: str | None = None) -> Method:
    """The method that applies to an enterprise of *metal* (Al → aluminium, else 其他有色)."""
    ms = methods(version)
    for m in ms.values():
        if metal in m.applies_to:
            return m
    for m in ms.values():
        if "*" in m.applies_to and metal not in m.excludes:
            return m
    raise RefdataError("not_found", object="method", key=metal)


def load_factors(choices: AccountingChoices | None = None) -> FactorTables:
    """Assemble the factor tables for *choices* from the refdata factor set."""
    c = choices or AccountingChoices()
    fs = factor_set(c.factor_set)
    ms = methods(fs.version)
    if c.method not in ms:
        raise RefdataError("not_found", object="method", key=c.method)
    method = ms[c.method]
    gwp_set = gwp_set_of(c.gwp_set or method.gwp_set, fs)
    grid_series = c.grid_series or method.grid_series

    items_t = _table(fs, T_ITEMS)
    items = pd.DataFrame(
        [
            {
                "item": r["id"],
                "kind": r["kind"],
                "canonical_unit": r["canonical_unit"],
                "sign": int(r["sign"]),
                "name_zh": r["name_zh"],
                "name_en": r["name_en"],
                "row_id": _rid(T_ITEMS, r["id"]),
            }
            for r in items_t
        ]
    ).set_index("item")
    aliases: dict[str, str] = {}
    for r in items_t:
        for a in (r["id"], r["name_zh"], r["name_en"], *r["aliases"]):
            aliases[str(a).strip().lower()] = r["id"]
    canonical = items["canonical_unit"].to_dict()
    kinds = items["kind"].to_dict()

    fuels = pd.DataFrame(
        [
            {
                "item": r["item"],
                # NCV [GJ per ncv_unit's denominator] → GJ per the item's canonical unit
                "ncv_gj": r["ncv"]
                * units.conversion_factor(canonical[r["item"]], r["ncv_unit"].split("/", 1)[1]),
                "cc_tc_per_tj": r["cc_tc_per_tj"],
                "oxidation": r["oxidation"],
                "row_id": _rid(T_FUELS, r["id"]),
            }
            for r in _table(fs, T_FUELS)
            if r["method"] == _fuel_method(method)
        ],
        columns=["item", "ncv_gj", "cc_tc_per_tj", "oxidation", "row_id"],
    ).set_index("item")
    reductants = pd.DataFrame(
        [
            {
                "item": r["item"],
                "ef_tco2": r["ef"]
                * units.conversion_factor(canonical[r["item"]], r["ef_unit"].split("/", 1)[1]),
                "row_id": _rid(T_REDUCTANTS, r["id"]),
            }
            for r in _table(fs, T_REDUCTANTS)
            if r["method"] == _fuel_method(method)
        ],
        columns=["item", "ef_tco2", "row_id"],
    ).set_index("item")
    carbonates = pd.DataFrame(
        [
            {
                "item": r["item"],
                "ef_tco2_per_t": r["ef_tco2_per_t"],
                "default_purity": r["default_purity"] if r["default_purity"] is not None else 1.0,
                "row_id": _rid(T_CARBONATES, r["id"]),
            }
            for r in _table(fs, T_CARBONATES)
        ],
        columns=["item", "ef_tco2_per_t", "default_purity", "row_id"],
    ).set_index("item")

    def grid_frame(series: str, region: str) -> pd.DataFrame:
        rows = [
            {
                "year": int(r["year"]),
                "ef_tco2_per_mwh": r["ef"] * units.conversion_factor("MWh", r["ef_unit"].split("/", 1)[1]),
                "row_id": _rid(T_GRID, r["id"]),
            }
            for r in _table(fs, T_GRID)
            if r["series"] == series and r["region"] == region
        ]
        return (
            pd.DataFrame(rows, columns=["year", "ef_tco2_per_mwh", "row_id"])
            .sort_values("year")
            .set_index("year")
        )

    grid_region = grid_region_of(grid_series, c.grid_region, fs)
    grid = grid_frame(grid_series, grid_region)
    residual = grid_frame(c.residual_series, "CN")

    heat_rows = [r for r in _table(fs, T_HEAT) if r["method"] == method.heat_method]
    if not heat_rows:
        raise RefdataError("not_found", object="heat factor", key=method.heat_method)

    tce_rows = _tce_rows(_table(fs, T_TCE), c.tce_edition, tuple(c.tce_variants or ()))
    tce = (
        pd.DataFrame(
            [
                {
                    "item": r["item"],
                    "tce_per_unit": _tce_per_canonical(r, canonical[r["item"]]),
                    "row_id": _rid(T_TCE, r["id"]),
                }
                for r in tce_rows
                if r["item"] in canonical
                # energy carriers at 当量值; energy-working media (耗能工质) at their 等价值 (GB/T 2589)
                and r["basis"] == ("equal_value" if kinds.get(r["item"]) == "energy_medium" else "equivalent")
            ],
            columns=["item", "tce_per_unit", "row_id"],
        )
        .drop_duplicates("item")
        .set_index("item")
    )
    equal = (
        pd.DataFrame(
            # kgce/kWh × 1000 kWh/MWh ÷ 1000 kgce/tce = tce/MWh: the same number
            [
                {
                    "year": int(r["year"]),
                    "tce_per_mwh": float(r["coefficient"]),
                    "row_id": _rid(T_EQUAL, r["id"]),
                }
                for r in fs.tables.get(T_EQUAL, ())
            ],
            columns=["year", "tce_per_mwh", "row_id"],
        )
        .sort_values("year")
        .set_index("year")
    )
    equal = _with_user_equal_value(equal, c.equal_value)

    gwp_rows = {r["gas"]: r for r in _table(fs, T_GWP) if r["gwp_set"] == gwp_set}
    alu = {r["parameter"]: r for r in fs.tables.get(T_ALUMINIUM, ()) if r["method"] == method.id}
    pfc: dict[str, dict[str, float]] = {}
    pfc_rows: dict[str, dict[str, str]] = {}
    for r in fs.tables.get(T_PFC, ()):
        pfc.setdefault(str(r["technology"]), {})[str(r["parameter"])] = float(r["value"])
        pfc_rows.setdefault(str(r["technology"]), {})[str(r["parameter"])] = _rid(T_PFC, r["id"])
    return FactorTables(
        method=method,
        factor_set=fs.version,
        gwp_set=gwp_set,
        grid_series=grid_series,
        grid_region=grid_region,
        grid_year_policy=c.grid_year_policy,
        items=items,
        fuels=fuels,
        reductants=reductants,
        carbonates=carbonates,
        grid=grid,
        residual_grid=residual,
        heat_ef=float(heat_rows[0]["ef"]),
        heat_row=_rid(T_HEAT, heat_rows[0]["id"]),
        tce=tce,
        equal_value=equal,
        gwp={g: float(r["gwp100"]) for g, r in gwp_rows.items()},
        gwp_rows={g: _rid(T_GWP, r["id"]) for g, r in gwp_rows.items()},
        aluminium={p: float(r["value"]) for p, r in alu.items()},
        aluminium_rows={p: _rid(T_ALUMINIUM, r["id"]) for p, r in alu.items()},
        aliases=aliases,
        residual_series=c.residual_series,
        residual_year_policy=c.residual_year_policy or c.grid_year_policy,
        pfc=pfc,
        pfc_rows=pfc_rows,
        pfc_tier1_by_technology=c.pfc_tier1_by_technology,
    )


#: row-id prefix of a user-set 等价值 (``accounting/electricity_equal_value#user:<year>:<value>``)
USER_EQUAL_VALUE = "user:"
#: the data years a year-0 ("every year") user 等价值 covers
_EQUAL_YEARS = range(1990, 2101)


def _with_user_equal_value(equal: pd.DataFrame, pairs: Any) -> pd.DataFrame:
    """*equal* (index year: tce_per_mwh, row_id) with the user's (year, kgce/kWh) *pairs*
    replacing the refdata rows of their years; year 0 fills every year not given its own."""
    given = {int(y): float(v) for y, v in (pairs or ())}
    if not given:
        return equal
    bad = [v for v in given.values() if not 0 < v < 1]  # kgce/kWh; a gce/kWh slip gives 305.5
    if bad:
        raise InputError([Problem("equal_value_out_of_range", column="equal_value", value=v) for v in bad])
    every = given.pop(0, None)
    years = dict.fromkeys(_EQUAL_YEARS, every) if every is not None else {}
    years.update(given)
    user = pd.DataFrame(
        [
            {
                "year": y,
                "tce_per_mwh": v,
                "row_id": _rid(T_EQUAL, f"{USER_EQUAL_VALUE}{y if y in given else 0}:{v:g}"),
            }
            for y, v in years.items()
        ],
        columns=["year", "tce_per_mwh", "row_id"],
    ).set_index("year")
    return pd.concat([equal.drop(index=user.index, errors="ignore"), user]).sort_index()


def user_equal_value_row(row_id: str) -> dict[str, Any] | None:
    """The row a user-set 等价值 id (``user:<year>:<value>``) stands for, for explanations;
    None for any other id."""
    if not row_id.startswith(USER_EQUAL_VALUE):
        return None
    year, _, value = row_id[len(USER_EQUAL_VALUE) :].partition(":")
    return {
        "id": row_id,
        "name_zh": "用户设定的电力等价值",
        "name_en": "User-set electricity equal value",
        "source_id": "user",
        "clause": "用户设定参数 / user-set parameter",
        "read_in": "",
        "confidence": "",
        "year": int(year) or None,
        "coefficient": float(value),
    }


def grid_region_of(series: str, region: str, fs: FactorSet) -> str:
    """The region of grid-factor *series* to use for *region* (a province code such as
    ``430000``, or a region id of the series such as ``central``).

    The region itself when the series has it; the series' only region when it has one (a
    national series: ``CN``).

    Raises
    ------
    InputError
        ``unknown_grid_series`` (naming the series shipped) or ``unknown_grid_region``
        (naming the series' regions): never an empty series that would refuse every
        electricity line as "outside validity".
    """
    regions: dict[str, set[str]] = {}
    for r in _table(fs, T_GRID):
        regions.setdefault(str(r["series"]), set()).add(str(r["region"]))
    if series not in regions:
        raise InputError(
            [
                Problem(
                    "unknown_grid_series",
                    column="grid",
                    value=series,
                    fields={"series": ", ".join(sorted(regions))},
                )
            ]
        )
    have = regions[series]
    if region in have:
        return region
    if len(have) == 1:
        return next(iter(have))
    raise InputError(
        [
            Problem(
                "unknown_grid_region",
                column="region",
                value=region,
                fields={"series": series, "regions": ", ".join(sorted(have))},
            )
        ]
    )


def gwp_set_of(name: str, fs: FactorSet) -> str:
    """The GWP set *name* as the factor set spells it (``ar4`` → ``AR4``; case, width and
    surrounding space ignored).

    Raises
    ------
    InputError
        ``unknown_gwp_set``, naming the sets the factor set ships, when none matches: a set
        without rows would give CO2e = NaN.
    """
    available = sorted({str(r["gwp_set"]) for r in _table(fs, T_GWP)}, key=_gwp_order)
    key = unicodedata.normalize("NFKC", str(name)).strip().upper()
    if key in available:
        return key
    raise InputError(
        [Problem("unknown_gwp_set", column="gwp", value=name, fields={"sets": ", ".join(available)})]
    )


def _gwp_order(name: str) -> tuple[int, str]:
    # assessment order: SAR (1995), AR4, AR5, AR6 …
    return (0, name) if name == "SAR" else (1, name)


def _fuel_method(method: Method) -> str:
    # CETS-AG-04.01 Appendix A was not found; its enterprise-level combustion uses the
    # 2013 aluminium table until it is (methodology-data §0b.2).
    return "aluminium_2013" if method.id == "cets_al_2024" else method.id


def _tce_rows(table: RefTable, edition: str, variants: tuple[str, ...]) -> list[Mapping[str, Any]]:
    """The GB/T 2589 rows of *edition* in use: each item's default row, or the variant chosen.

    Raises
    ------
    InputError
        ``unknown_tce_variant`` for a variant the edition does not ship (naming those it does).
    """
    rows = [r for r in table if r["edition"] == edition]
    suffix = {str(r["id"]).split(":", 1)[1]: r for r in rows if ":" in str(r["id"])}
    shipped = sorted(k for k, r in suffix.items() if not r.get("default", True))
    bad = [v for v in variants if v not in shipped]
    if bad:
        raise InputError(
            [
                Problem(
                    "unknown_tce_variant",
                    column="tce_variant",
                    value=v,
                    fields={"variants": ", ".join(shipped)},
                )
                for v in bad
            ]
        )
    chosen = {suffix[v]["item"]: suffix[v] for v in variants}
    return [r for r in rows if r["item"] not in chosen and r.get("default", True)] + list(chosen.values())


def _tce_per_canonical(row: Mapping[str, Any], canonical: str) -> float:
    """tce per canonical unit from a coefficient in kgce per (kg | Nm3 | kWh | MJ | t)."""
    per = str(row["coefficient_unit"]).split("/", 1)[1]
    return float(row["coefficient"]) * units.conversion_factor(canonical, per) / 1000.0
