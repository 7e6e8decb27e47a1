"""Command-line faces of the scenario engines: ``carbonpeak decompose lmdi`` and ``carbonpeak macc``.

``carbonpeak.cli`` registers the two Typer apps defined here::

    app.add_typer(decompose_app, name="decompose")
    app.add_typer(macc_app, name="macc")

They read a CSV, call the pure engines of :mod:`carbonpeak.scenarios`, and print a rich
table (or JSON). Errors print in Chinese and English with their location (the file name
is added to every problem) and the command exits with status 2, through the printer
shared with the rest of the CLI (:mod:`carbonpeak.cli_support`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.table import Table as RichTable

from carbonpeak.cli_support import console, handles_errors
from carbonpeak.errors import InputError, Problem
from carbonpeak.scenarios.lmdi import Method, lmdi_frame
from carbonpeak.scenarios.macc import macc

__all__ = ["decompose_app", "macc_app"]

decompose_app = typer.Typer(help="Decomposition analysis / 因素分解（LMDI）", no_args_is_help=True)
# A group with only a callback, so ``carbonpeak macc MEASURES.csv --baseline …`` works;
# interspersed options let the options follow the file name.
macc_app = typer.Typer(help="Marginal abatement cost curve / 边际减排成本曲线",
                       context_settings={"allow_interspersed_args": True})


def _in_file(exc: InputError, name: str) -> InputError:
    """The same error with ``file`` set on every problem."""
    problems = [dataclasses.replace(p, file=p.file or name) for p in exc.problems]
    return InputError(problems, code=exc.code, **exc.fields)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError([Problem("bad_file", file=path.name,
                                  fields={"reason": str(exc)})]) from exc


def _num(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:,.6g}"


@decompose_app.command("lmdi")
@handles_errors
def lmdi(
    data: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="CSV: year, category, one column per factor")],
    multiplicative: Annotated[bool, typer.Option(
        "--multiplicative", help="multiplicative effects D_k instead of additive ΔV_k")] = False,
    base_to_end: Annotated[bool, typer.Option(
        "--base-to-end", help="one period, first year to last (default: chained)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the effects as JSON")] = False,
) -> None:
    """LMDI-I decomposition of V = Σ_category Π_factor x (Ang 2005; zeros: Ang & Liu 2007)."""
    frame = _read_csv(data)
    factors = [c for c in frame.columns if c not in ("year", "category", "row")]
    method: Method = "multiplicative" if multiplicative else "additive"
    try:
        out = lmdi_frame(frame.assign(category=frame["category"].astype(str))
                         if "category" in frame else frame,
                         factors, method=method, chained=not base_to_end)
    except InputError as exc:
        raise _in_file(exc, data.name) from exc
    n_k = len(factors)
    effect = out["effect"].to_numpy(dtype=float).reshape(-1, n_k)  # periods × factors
    first_of = slice(None, None, n_k)
    y0s = out["year_from"].to_numpy(dtype=np.int64)[first_of]
    y1s = out["year_to"].to_numpy(dtype=np.int64)[first_of]
    v0s = out["v_from"].to_numpy(dtype=float)[first_of]
    v1s = out["v_to"].to_numpy(dtype=float)[first_of]
    change = v1s / v0s if multiplicative else v1s - v0s
    closed = effect.prod(axis=1) if multiplicative else effect.sum(axis=1)
    records: list[dict[str, Any]] = [
        {"year_from": int(y0s[p]), "year_to": int(y1s[p]), "v_from": float(v0s[p]),
         "v_to": float(v1s[p]), "effects": dict(zip(factors, effect[p].tolist(), strict=True)),
         "change": float(change[p]), "residual": float(closed[p] - change[p])}
        for p in range(effect.shape[0])]
    if as_json:
        console.print_json(json.dumps({"method": method, "chained": not base_to_end,
                                       "factors": factors, "periods": records},
                                      ensure_ascii=False))
        return
    label = "D (V_T/V_0)" if multiplicative else "ΔV"
    t = RichTable("period / 时期", *factors, label, "closure residual",
                  title=f"LMDI-I {method} effects / 分解效应"
                        f" ({'base-to-end' if base_to_end else 'chained'})")
    for r in records:
        t.add_row(f"{r['year_from']}→{r['year_to']}", *(_num(r["effects"][f]) for f in factors),
                  _num(r["change"]), f"{r['residual']:.2e}")
    console.print(t)
    first, last = records[0]["v_from"], records[-1]["v_to"]
    if multiplicative:
        total = float(np.prod([np.prod(list(r["effects"].values())) for r in records]))
        console.print(f"V {_num(first)} → {_num(last)}: Π effects = {total:.9g}, "
                      f"V_T/V_0 = {last / first:.9g} (closes / 闭合)")
    else:
        total = float(sum(sum(r["effects"].values()) for r in records))
        console.print(f"V {_num(first)} → {_num(last)}: Σ effects = {total:,.9g}, "
                      f"ΔV = {last - first:,.9g} (closes / 闭合)")


@macc_app.callback(invoke_without_command=True)
@handles_errors
def macc_curve(
    measures: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False,
        help="CSV: id, capex_yuan, delta_opex_yuan_per_a, energy_saving_value_yuan_per_a, "
             "lifetime_a, abatement_tco2e_per_a or abatement_share, discount_rate")],
    baseline: Annotated[float | None, typer.Option(
        help="baseline emissions, tCO2e/a (else a baseline_tco2e column, per group)")] = None,
    discount_rate: Annotated[float | None, typer.Option(
        help="discount rate for measures without one, 1/a")] = None,
    by: Annotated[str | None, typer.Option(
        help="column grouping the measures (enterprise, city…); one curve per group")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the curve as JSON")] = False,
) -> None:
    """Marginal abatement cost curve: measures sorted by cost per tCO2e, with interaction."""
    frame = _read_csv(measures)
    try:
        if baseline is not None:
            base: float | dict[Any, float] = baseline
        elif "baseline_tco2e" in frame:
            key = frame[by] if by else pd.Series(None, index=frame.index, dtype=object)
            firsts = frame.groupby(key, dropna=False, sort=False)["baseline_tco2e"].first()
            base = {(None if by is None else k): float(v) for k, v in firsts.items()}
        else:
            raise InputError([Problem("missing_column", column="baseline_tco2e")])
        curve = macc(frame, base, discount_rate=discount_rate, by=by)
    except InputError as exc:
        raise _in_file(exc, measures.name) from exc
    if as_json:
        console.print_json(curve.to_json(orient="records", force_ascii=False))
        return
    t = RichTable(title="边际减排成本曲线 / marginal abatement cost curve")
    for head in [*([by] if by else []), "rank", "id", "cost yuan/a", "MAC yuan/t",
                 "alone t/a", "realised t/a", "cumul. t/a"]:
        t.add_column(head, overflow="fold")
    cols = {c: curve[c].to_numpy(dtype=float) for c in (
        "annualised_cost_yuan_per_a", "mac_yuan_per_tco2e", "abatement_standalone_tco2e_per_a",
        "abatement_realised_tco2e_per_a", "cumulative_abatement_tco2e_per_a")}
    groups = curve[by].astype(str).tolist() if by else []
    for j, (rank, mid) in enumerate(zip(curve["rank"].tolist(), curve["id"].astype(str).tolist(),
                                        strict=True)):
        t.add_row(*([groups[j]] if by else []), str(rank), mid,
                  *(_num(float(a[j])) for a in cols.values()))
    console.print(t)
    abated = float(curve["abatement_realised_tco2e_per_a"].sum())
    baselines = curve.drop_duplicates(by)["baseline_tco2e_per_a"] if by else \
        curve["baseline_tco2e_per_a"].iloc[:1]
    console.print(f"{len(curve)} measures: {_num(abated)} of {_num(float(baselines.sum()))} "
                  "tCO2e/a abated / 合计减排")
