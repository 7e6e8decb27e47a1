"""Energy-consumption levels as frames, and the level that applies to each production line.

:func:`load_levels` reads two refdata tables of a factor set into frames the classifier
(:mod:`carbonpeak.benchmark.classify`) works on, each row carrying its refdata id
(``benchmark/limit_levels#<id>``) so a result can cite the row it used:

* ``limits`` — the mandatory limit grades 1级/2级/3级 of the national standards
  (GB 25323-2023, GB 21346-2022/-2013, GB 21347-2023, GB 29448-2022, GB 21350-2023,
  GB 29435-2012/-2025, GB 29141-2012, GB 21248-2007), one row per (edition, product,
  indicator), with the edition's validity;
* ``efficiency`` — the 能效标杆/基准 levels of the NDRC benchmark documents (only
  electrolytic aluminium is sourced; flagged unverified).

:func:`levels_for` chooses, in one vectorised pass, the limit row that applies to each
line: rows are matched by ``product`` when the line names one, else by ``route`` (a line's
process route in the row's route list); of those, the rows whose validity contains the
evaluation date; of those, the indicator of highest priority (:data:`INDICATOR_PRIORITY`)
unless the line names one, and the newest edition. A line whose product or route has rows,
none of them in force on its date, gets ``level_status = "no_level_in_force"``; a line
with no row at all, ``"no_level"``. A zinc line evaluated on 2023-12-31 is in the first
case (GB 21249-2014 is not shipped); on 2024-06-01 GB 25323-2023 applies.

A line's ``product`` is a product of ``sector/products`` (or a limit row's product code):
the products table says which limit products grade it (``graded_by``, e.g. a GB 29435-2025
rare-earth product is graded by the 2012 row of the same product until 2026-12-31) — an
empty list means no limit standard for the product is shipped (``"no_level"``).

The edition in force: ``benchmark/limit_editions`` lists the editions whose values are not
shipped (GB 21248-2014, GB 21249-2014 …) with their dates. A line whose product such an
edition governs on the date is never graded against another edition: it gets
``level_reason = "values_not_sourced"`` and ``edition_in_force`` (the edition's number), and
is not graded — also when an older row's ``valid_to`` was left open.

References
----------
.. [1] GB 25323-2023 有色重金属冶炼企业单位产品能源消耗限额 (effective 2024-06-01).
.. [2] GB 21346-2022 电解铝和氧化铝单位产品能源消耗限额 (effective 2024-01-01).
.. [3] GB 21248-2007 铜冶炼企业单位产品能源消耗限额 (superseded; in force for no date after
   2015-01-01: the 2014 editions of GB 21248/21249/21250 replaced the 2007 ones,
   shared/reference/research-2026-12.md §2).
.. [4] 发改产业〔2023〕723号《工业重点领域能效标杆水平和基准水平（2023年版）》.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError, Problem, RefdataError
from carbonpeak.refdata import loader
from carbonpeak.refdata.loader import FactorSet, RefTable

__all__ = [
    "EDITIONS_TABLE",
    "EFFICIENCY_TABLE",
    "INDICATOR_PRIORITY",
    "LEVEL_COLUMNS",
    "LIMIT_TABLE",
    "PRODUCTS_TABLE",
    "VALUES_NOT_SOURCED",
    "Levels",
    "levels_for",
    "load_levels",
]

LIMIT_TABLE = "benchmark/limit_levels"
EFFICIENCY_TABLE = "benchmark/efficiency_levels"
ROUTES_TABLE = "sector/process_routes"
EDITIONS_TABLE = "benchmark/limit_editions"
PRODUCTS_TABLE = "sector/products"
#: ``level_reason`` of a line whose in-force edition's values are not shipped.
VALUES_NOT_SOURCED = "values_not_sourced"

#: Where several indicators of one product are in force, the one a line is compared with
#: unless it names its own: the whole-product comprehensive figure first.
INDICATOR_PRIORITY = ("comprehensive_energy", "ac_power", "comprehensive_ac_power", "process_energy")

#: Columns :func:`levels_for` adds to the lines.
LEVEL_COLUMNS = [
    "level_status",
    "level_id",
    "standard",
    "level_product",
    "indicator",
    "grade1",
    "grade2",
    "grade3",
    "value_unit",
    "lower_is_better",
    "level_confidence",
    "efficiency_id",
    "efficiency_benchmark",
    "efficiency_baseline",
    "efficiency_unverified",
    "level_reason",
    "edition_in_force",
]


@dataclass(frozen=True, eq=False)
class Levels:
    """The level frames of one factor set.

    Attributes
    ----------
    factor_set : str
        Version of the refdata factor set the frames come from.
    limits : DataFrame
        One row per limit row: ``level_id``, ``standard``, ``metal``, ``product``,
        ``route`` (tuple of route ids), ``indicator``, ``grade1``/``grade2``/``grade3``
        [value_unit; NaN where not published], ``value_unit`` (kgce/t or kWh/t),
        ``lower_is_better``, ``valid_from``/``valid_to`` (Timestamp, NaT = open),
        ``confidence``, ``clause``.
    efficiency : DataFrame
        One row per 标杆/基准 row: ``efficiency_id``, ``document``, ``metal``, ``product``,
        ``indicator``, ``benchmark``, ``baseline`` [value_unit], ``value_unit``,
        ``unverified``, ``valid_from``/``valid_to``, ``confidence``.
    routes : Mapping[str, str]
        Known process-route ids → metal (sector/process_routes).
    graded_by : Mapping[str, tuple[str, ...]]
        Line product (sector/products) → the limit products that grade it; every limit
        product also grades itself.
    editions : DataFrame
        The editions whose values are not shipped (benchmark/limit_editions): ``edition_id``,
        ``standard``, ``product`` (one row per governed product), ``valid_from``/``valid_to``.
    """

    factor_set: str
    limits: pd.DataFrame
    efficiency: pd.DataFrame
    routes: dict[str, str]
    graded_by: dict[str, tuple[str, ...]] | None = None
    editions: pd.DataFrame | None = None


def _table(fs: FactorSet, name: str) -> RefTable:
    try:
        return fs.tables[name]
    except KeyError:
        raise RefdataError("refdata_missing", table=f"{name} (factor set {fs.version})") from None


def _ts(d: dt.date | None) -> pd.Timestamp | None:
    return pd.Timestamp(d) if d is not None else None


def _num(v: float | None) -> float:
    return float(v) if v is not None else np.nan


def load_levels(factor_set: str | None = None) -> Levels:
    """The limit and efficiency levels of a refdata factor set, as frames.

    Parameters
    ----------
    factor_set : str, optional
        Factor-set version (default: the latest released that ships the benchmark tables).

    Returns
    -------
    Levels
        ``limits`` and ``efficiency`` frames (see :class:`Levels`), with row ids
        ``benchmark/limit_levels#<id>`` and ``benchmark/efficiency_levels#<id>``.

    Raises
    ------
    RefdataError
        The factor set does not ship the benchmark tables.

    References
    ----------
    .. [1] GB 25323-2023, GB 21346-2022 and the other standards listed in the table's
       ``source_id`` column (refdata/sources.toml).
    """
    fs = loader.factor_set(factor_set)
    limits = pd.DataFrame(
        [
            {
                "level_id": f"{LIMIT_TABLE}#{r['id']}",
                "standard": r["standard"],
                "metal": r["metal"],
                "product": r["product"],
                "route": tuple(r["route"]),
                "indicator": r["indicator"],
                "grade1": _num(r["grade1"]),
                "grade2": _num(r["grade2"]),
                "grade3": _num(r["grade3"]),
                "value_unit": r["value_unit"],
                "lower_is_better": bool(r["lower_is_better"]),
                "valid_from": _ts(r["valid_from"]),
                "valid_to": _ts(r["valid_to"]),
                "confidence": r["confidence"],
                "clause": r["clause"],
            }
            for r in _table(fs, LIMIT_TABLE)
        ]
    )
    efficiency = pd.DataFrame(
        [
            {
                "efficiency_id": f"{EFFICIENCY_TABLE}#{r['id']}",
                "document": r["document"],
                "metal": r["metal"],
                "product": r["product"],
                "indicator": r["indicator"],
                "benchmark": _num(r["benchmark"]),
                "baseline": _num(r["baseline"]),
                "value_unit": r["value_unit"],
                "unverified": bool(r["unverified"]),
                "valid_from": _ts(r["valid_from"]),
                "valid_to": _ts(r["valid_to"]),
                "confidence": r["confidence"],
            }
            for r in _table(fs, EFFICIENCY_TABLE)
        ],
        columns=[
            "efficiency_id",
            "document",
            "metal",
            "product",
            "indicator",
            "benchmark",
            "baseline",
            "value_unit",
            "unverified",
            "valid_from",
            "valid_to",
            "confidence",
        ],
    )
    routes = {str(r["id"]): str(r["metal"]) for r in _table(fs, ROUTES_TABLE)}
    graded_by: dict[str, tuple[str, ...]] = {str(p): (str(p),) for p in limits["product"]}
    if PRODUCTS_TABLE in fs.tables:
        graded_by.update({str(r["id"]): tuple(r["graded_by"]) for r in fs.tables[PRODUCTS_TABLE]})
    editions = pd.DataFrame(
        [
            {
                "edition_id": f"{EDITIONS_TABLE}#{r['id']}",
                "standard": r["standard"],
                "product": p,
                "valid_from": _ts(r["valid_from"]),
                "valid_to": _ts(r["valid_to"]),
            }
            for r in fs.tables.get(EDITIONS_TABLE, ())
            if not r["values_sourced"]
            for p in r["products"]
        ],
        columns=["edition_id", "standard", "product", "valid_from", "valid_to"],
    )
    return Levels(
        factor_set=fs.version,
        limits=limits,
        efficiency=efficiency,
        routes=routes,
        graded_by=graded_by,
        editions=editions,
    )


#: The columns of a line that decide its level.
_KEY_FIELDS = ("route", "product", "metal", "indicator", "date")


def _text(s: pd.Series) -> pd.Series:
    """A text column as object strings, missing and blank as None."""
    vals = [
        None if v is None or (not isinstance(v, str) and pd.isna(v)) or not str(v).strip() else str(v).strip()
        for v in s.tolist()
    ]
    return pd.Series(vals, index=s.index, dtype=object)


def _row_numbers(lines: pd.DataFrame) -> np.ndarray:
    if "row" in lines:
        return lines["row"].to_numpy()
    return np.arange(1, len(lines) + 1)


def _in_force(frame: pd.DataFrame, date: pd.Series) -> pd.Series:
    return (frame["valid_from"].isna() | (frame["valid_from"] <= date)) & (
        frame["valid_to"].isna() | (date <= frame["valid_to"])
    )


def levels_for(
    lines: pd.DataFrame, on: dt.date | str | None = None, *, levels: Levels | None = None
) -> pd.DataFrame:
    """The limit row (and the 标杆/基准 row, if any) that applies to each production line.

    Parameters
    ----------
    lines : DataFrame
        One row per line and evaluation date: ``metal`` (sector/metals id; optional),
        ``route`` (sector/process_routes id) and/or ``product`` (a sector/products id or a
        product code of benchmark/limit_levels, which takes precedence over the route; e.g.
        ``zn_hydro_without_residue`` for a plant without residue treatment), ``date``
        (evaluation date; optional when *on* is given), optional ``indicator`` and ``row``
        (for error locations). Other columns are carried through.
    on : date or str, optional
        Evaluation date for lines without a ``date`` column (or with a missing date).
    levels : Levels, optional
        From :func:`load_levels` (default: the latest factor set).

    Returns
    -------
    DataFrame
        The lines (same index and order) plus :data:`LEVEL_COLUMNS`: ``level_status``
        (``"in_force"``, ``"no_level_in_force"`` — the product or route has rows but none
        valid on the date — or ``"no_level"``), ``level_id``, ``standard``, the grade values
        [``value_unit``], and the efficiency level of the same product and indicator in force
        (``efficiency_benchmark``/``efficiency_baseline``, NaN where none is sourced),
        ``level_reason`` (``"values_not_sourced"`` where an edition whose values are not
        shipped is in force for the line's product, else None) and ``edition_in_force``
        (that edition's number).

    Raises
    ------
    InputError
        One located problem per line with an unknown route, a route of another metal, an
        unknown product, or a missing or unparseable date.

    References
    ----------
    .. [1] GB 25323-2023 §4 (1级/2级/3级) and the superseded editions it replaced.
    """
    lv = levels if levels is not None else load_levels()
    a = lines.reset_index(drop=True)
    n = len(a)
    rows = _row_numbers(a)
    none = pd.Series([None] * n, dtype=object)
    given = pd.DataFrame({c: a[c].astype(object) if c in a else none for c in _KEY_FIELDS})
    if on is not None:
        given["date"] = given["date"].where(given["date"].notna(), pd.Timestamp(on))
    # a province holds thousands of lines but a few dozen distinct (route, product, metal,
    # indicator, date) keys: validate and choose the level once per key (``group``: each
    # line's key), then give it to every line of the key
    group = given.groupby(list(_KEY_FIELDS), dropna=False, sort=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    u = given.iloc[first].reset_index(drop=True)
    n_keys = len(u)
    route, product, metal, indicator = (_text(u[c]) for c in ("route", "product", "metal", "indicator"))
    raw_date = u["date"]
    date = pd.to_datetime(raw_date, errors="coerce")

    # validation: masks over the keys; Problems are built only for the offending lines
    has_r, has_p, has_m = route.notna().to_numpy(), product.notna().to_numpy(), metal.notna().to_numpy()
    route_metal = route.map(lv.routes)
    unknown_r = has_r & route_metal.isna().to_numpy()
    mismatch = has_r & ~unknown_r & has_m & (route_metal != metal).to_numpy()
    graded_by = lv.graded_by if lv.graded_by is not None else {p: (p,) for p in lv.limits["product"]}
    unknown_p = has_p & ~product.isin(set(graded_by)).to_numpy()
    no_date = date.isna().to_numpy()
    given_date = raw_date.notna().to_numpy()
    checks = [
        (~has_r & ~has_p, "required", "route", route),
        (unknown_r, "unknown_route", "route", route),
        (mismatch, "route_metal_mismatch", "route", route),
        (unknown_p, "unknown_product", "product", product),
        (no_date & given_date, "bad_date", "date", raw_date),
        (no_date & ~given_date, "required", "date", raw_date),
    ]
    metals = metal.tolist()
    found = [
        (int(i), code, col, values)
        for mask, code, col, vals in checks
        if mask.any()
        for values in [vals.tolist()]
        for i in np.flatnonzero(mask[group])
    ]
    problems = [
        Problem(
            code,
            column=col,
            value=vals[group[i]],
            row=int(rows[i]),
            fields={"metal": metals[group[i]]} if code == "route_metal_mismatch" else {},
        )
        for i, code, col, vals in sorted(found, key=lambda t: t[0])
    ]
    if problems:
        raise InputError(problems)

    # candidate rows: by product where given, else by route (a row lists the routes it governs)
    keys = pd.DataFrame(
        {"_product": product, "_route": route, "_metal": metal, "_indicator": indicator, "_date": date}
    )
    keys.insert(0, "_pos", np.arange(n_keys))
    lim = lv.limits
    by_route = lim.explode("route").dropna(subset=["route"])
    # a line product is graded by the limit products of sector/products (itself, and for a
    # product renamed by a new edition the old edition's product)
    named = keys[keys["_product"].notna()]
    named = named.assign(_limit_product=named["_product"].map(lambda p: list(graded_by.get(p, ()))))
    named = named.explode("_limit_product").dropna(subset=["_limit_product"])
    cand = pd.concat(
        [
            named.merge(lim, left_on="_limit_product", right_on="product"),
            keys[keys["_product"].isna()].merge(by_route, left_on="_route", right_on="route"),
        ],
        ignore_index=True,
    )
    cand = cand[cand["_indicator"].isna() | (cand["_indicator"] == cand["indicator"])]
    has_any = np.zeros(n_keys, dtype=bool)
    has_any[cand["_pos"].to_numpy(dtype=np.int64)] = True
    # an edition without shipped values in force on the date for a candidate product
    # (GB 21248-2014 for copper in 2015–2024): the key is not graded, never against another
    # edition; unless a row in force took effect after that edition did
    eds = lv.editions if lv.editions is not None else pd.DataFrame(columns=["standard", "product"])
    unsourced = (
        cand[["_pos", "_date", "product"]]
        .drop_duplicates()
        .merge(eds, on="product", suffixes=("", "_ed"))
    )
    unsourced = unsourced[_in_force(unsourced, unsourced["_date"])]
    cand = cand[_in_force(cand, cand["_date"])]
    if len(unsourced):
        newest = unsourced.groupby("_pos")["valid_from"].max()
        ed_from = cand["_pos"].map(newest)
        superseded = cand["_pos"].isin(newest.index) & (
            cand["valid_from"].isna() | (ed_from.notna() & (cand["valid_from"] < ed_from))
        )
        cand = cand[~superseded]
    ed_std = (
        unsourced.sort_values("valid_from", ascending=False, na_position="last")
        .drop_duplicates("_pos")
        .set_index("_pos")["standard"]
    )
    prio = {k: i for i, k in enumerate(INDICATOR_PRIORITY)}
    cand = cand.assign(_prio=cand["indicator"].map(prio).fillna(len(prio)))
    # newest edition first; an open valid_from (NaT) counts as the oldest
    chosen = (
        cand.sort_values(
            ["_pos", "_prio", "valid_from"], ascending=[True, True, False], na_position="last", kind="stable"
        )
        .drop_duplicates("_pos")
        .set_index("_pos")
    )

    # the efficiency level of the same product and indicator in force on the date
    eff = (
        chosen[["product", "indicator", "_date"]]
        .reset_index()
        .merge(lv.efficiency, on=["product", "indicator"], how="inner")
    )
    eff = eff[_in_force(eff, eff["_date"])].drop_duplicates("_pos").set_index("_pos")

    pos = pd.RangeIndex(n_keys)
    got = chosen.reindex(pos)
    e = eff.reindex(pos)
    status = np.where(pos.isin(chosen.index), "in_force", np.where(has_any, "no_level_in_force", "no_level"))
    not_sourced = (status == "no_level_in_force") & pos.isin(ed_std.index)
    edition = ed_std.reindex(pos).astype(object).where(not_sourced, None)
    per_key = pd.DataFrame(
        {
            "level_status": status,
            "level_id": got["level_id"].astype(object),
            "standard": got["standard"].astype(object),
            "level_product": got["product"].astype(object),
            "indicator": got["indicator"].astype(object),
            "grade1": got["grade1"].astype(float),
            "grade2": got["grade2"].astype(float),
            "grade3": got["grade3"].astype(float),
            "value_unit": got["value_unit"].astype(object),
            "lower_is_better": got["lower_is_better"].astype(object),
            "level_confidence": got["confidence"].astype(object),
            "efficiency_id": e["efficiency_id"].astype(object),
            "efficiency_benchmark": e["benchmark"].astype(float),
            "efficiency_baseline": e["baseline"].astype(float),
            "efficiency_unverified": e["unverified"].astype(object),
            "level_reason": pd.Series(VALUES_NOT_SOURCED, index=pos, dtype=object).where(not_sourced, None),
            "edition_in_force": edition.to_numpy(dtype=object),
        }
    )
    out = per_key.iloc[group]
    out.index = lines.index
    keep = [c for c in lines.columns if c not in LEVEL_COLUMNS]
    return pd.concat([lines[keep], out], axis=1)
