"""Indicators of the plan's targets, computed from yearly series, and their traffic-light status.

Functions take yearly :class:`pandas.Series` (indexed by year) and return frames or small
frozen records; nothing is read from storage. The indicators:

* :func:`intensity_change` — quantity per 万元 value added (energy [tce] or CO2 [t]) by
  year, and its change against a base year [%] (Hunan plan 一(三): −14 % on 2020 by 2025);
* :func:`recycled_share` — recycled output over total output, by year and any other key
  (plan 一(三): ≥ 24 % by 2025);
* :func:`status` — red / amber / green against a target, with the rule that set it;
* :func:`peak_status` — the sector's peak year and the "peak before 2030" verdict, via
  :func:`carbonpeak.scenarios.peak.find_peak`.

The status rule
---------------
For a value *v* in year *y*, a target *T* due in year *Y* with comparison ``at_least``
(≥ T) or ``at_most`` (≤ T), and a trend *b* (change per year, e.g. from
:func:`linear_trend`; None when unknown)::

    projected p = v + b·(Y − y)   if y < Y and b is known,  else  p = v
    green  — v meets T ("met"), or p meets T ("on_track": on a linear track to meet it by Y)
    amber  — otherwise, when p falls short of T by at most 10 % of |T| ("near_track")
    red    — otherwise ("off_track")

"Meets" is inclusive (v = T meets). The margin is :data:`AMBER_MARGIN` = 0.10.

References
----------
.. [1] 湖南省有色金属行业碳达峰实施方案, 一(三) and 二(五)11 (refdata benchmark/targets).
.. [2] 国务院《2030年前碳达峰行动方案》(国发〔2021〕23号).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from carbonpeak import catalogue
from carbonpeak.errors import InputError, Problem
from carbonpeak.scenarios.peak import DEFAULT_TOLERANCE, find_peak

__all__ = [
    "AMBER_MARGIN",
    "COMPARISONS",
    "PeakStatus",
    "Status",
    "intensity_change",
    "linear_trend",
    "peak_status",
    "recycled_share",
    "status",
]

#: Amber band: a projection short of the target by at most this fraction of |target|.
AMBER_MARGIN = 0.10
COMPARISONS = ("at_least", "at_most")

#: From catalogue/target_rules.toml (key -> zh, en); new entries go there.
_RULES: dict[str, tuple[str, str]] = catalogue.pairs("target_rules")


@dataclass(frozen=True)
class Status:
    """A target's traffic light and the rule that set it.

    Attributes
    ----------
    status : str
        ``"green"``, ``"amber"`` or ``"red"``.
    rule : str
        Rule code: ``met``, ``on_track``, ``near_track``, ``off_track``.
    rule_zh, rule_en : str
        The rule in words.
    projected : float
        Value projected to the target year [unit of the indicator].
    gap : float
        Shortfall of the current value against the target (≥ 0; 0 when met) [unit].
    """

    status: str
    rule: str
    rule_zh: str
    rule_en: str
    projected: float
    gap: float


@dataclass(frozen=True)
class PeakStatus:
    """The peak verdict: peak year and level, traffic light and rule.

    Attributes
    ----------
    status : str
        ``"green"`` (peaked by the deadline), ``"amber"`` (not yet peaked, the last year is
        before the deadline) or ``"red"`` (peak after the deadline, or still rising at or
        after it).
    rule, rule_zh, rule_en : str
        ``peaked``, ``rising_before_deadline`` or ``late``, in words.
    year : int
        Peak year (the last year when not peaked) [a].
    value : float
        Level in that year [unit of the series, e.g. tCO2e/a].
    peaked : bool
        False when the series is still rising at its end.
    deadline : int
        The year the peak must not come after [a].
    """

    status: str
    rule: str
    rule_zh: str
    rule_en: str
    year: int
    value: float
    peaked: bool
    deadline: int


def _series(
    values: pd.Series, column: str, problems: list[Problem], *, allow_negative: bool = False
) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce").astype(float)
    for year, x in v.items():
        if not np.isfinite(x):
            problems.append(
                Problem(
                    "not_a_number",
                    column=column,
                    value=values.get(year),
                    fields={"year": year},
                    row=_year(year),
                )
            )
        elif x < 0 and not allow_negative:
            problems.append(Problem("negative", column=column, value=float(x), row=_year(year)))
    return v


def _year(year: object) -> int | None:
    try:
        return int(str(year))
    except ValueError:
        return None


def intensity_change(energy_tce: pd.Series, value_added_wan_yuan: pd.Series, base_year: int) -> pd.DataFrame:
    """Quantity per 万元 value added by year and its change against the base year.

    Parameters
    ----------
    energy_tce : Series
        Energy [tce/a] by year (index). Pass CO2 [t/a] for the carbon-intensity indicator:
        the arithmetic is the same.
    value_added_wan_yuan : Series
        Value added [万元/a] by year, > 0 (enterprise-reported; constant prices are the
        caller's choice).
    base_year : int
        Base year [a] (the plan: 2020).

    Returns
    -------
    DataFrame
        Indexed by the years both series share: ``quantity``, ``value_added_wan_yuan``,
        ``intensity_per_wan_yuan`` [quantity unit / 万元], ``change_vs_base_pct`` [%]
        = 100 × (I_y / I_base − 1).

    Raises
    ------
    InputError
        A NaN or negative quantity, a value added that is not > 0, or no base-year value.

    References
    ----------
    .. [1] Hunan plan 一(三): 规模以上工业单位增加值能耗较2020年下降14%.
    """
    problems: list[Problem] = []
    q = _series(energy_tce, "energy_tce", problems)
    va = _series(value_added_wan_yuan, "value_added_wan_yuan", problems)
    problems += [
        Problem("must_be_positive", column="value_added_wan_yuan", value=float(x), row=_year(y))
        for y, x in va.items()
        if np.isfinite(x) and x <= 0
    ]
    years = q.index.intersection(va.index).sort_values()
    if base_year not in years:
        problems.append(Problem("base_year_missing", column="year", value=base_year))
    if problems:
        raise InputError(problems)
    q, va = q.reindex(years), va.reindex(years)
    intensity = q / va
    base = float(intensity.loc[base_year])
    change = 100.0 * (intensity / base - 1.0) if base > 0 else intensity * np.nan
    return pd.DataFrame(
        {
            "quantity": q,
            "value_added_wan_yuan": va,
            "intensity_per_wan_yuan": intensity,
            "change_vs_base_pct": change,
        },
        index=years,
    )


def recycled_share(output_t: pd.Series, is_secondary: pd.Series) -> pd.DataFrame:
    """Recycled output over total output, by the levels of ``output_t``'s index.

    Parameters
    ----------
    output_t : Series
        Metal output [t/a], one entry per line and year; its index levels are the groups
        (e.g. a MultiIndex (year, metal), or (year, city, metal)); repeated keys are summed.
    is_secondary : Series of bool
        Aligned with *output_t* (same length and order): True for output of a secondary
        (recycled) route (sector/process_routes ``kind = secondary``).

    Returns
    -------
    DataFrame
        One row per group: ``output_t``, ``recycled_output_t`` [t/a], ``recycled_share``
        (0–1; NaN for zero output).

    Raises
    ------
    InputError
        A NaN or negative output, or lengths that differ.

    References
    ----------
    .. [1] Hunan plan 一(三): 再生金属供应占比达到24%以上.
    """
    problems: list[Problem] = []
    if len(output_t) != len(is_secondary):
        raise InputError(
            [
                Problem(
                    "length_mismatch",
                    column="is_secondary",
                    fields={"what": f"{len(output_t)} outputs, {len(is_secondary)} flags"},
                )
            ]
        )
    out = pd.to_numeric(pd.Series(output_t.to_numpy(), dtype=object), errors="coerce").to_numpy(dtype=float)
    raw = output_t.tolist()
    problems += [
        Problem("not_a_number", column="output_t", value=raw[int(i)], row=int(i) + 1)
        for i in np.flatnonzero(~np.isfinite(out))
    ]
    problems += [
        Problem("negative", column="output_t", value=float(out[i]), row=int(i) + 1)
        for i in np.flatnonzero(np.isfinite(out) & (out < 0))
    ]
    if problems:
        raise InputError(problems)
    sec = np.asarray(is_secondary, dtype=bool)
    frame = pd.DataFrame(
        {"output_t": out, "recycled_output_t": np.where(sec, out, 0.0)}, index=output_t.index
    )
    g = frame.groupby(level=list(range(frame.index.nlevels)), sort=True).sum()
    total = g["output_t"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        g["recycled_share"] = np.where(
            total > 0, g["recycled_output_t"].to_numpy(dtype=float) / np.where(total > 0, total, 1.0), np.nan
        )
    return g


def linear_trend(years: ArrayLike, values: ArrayLike) -> float:
    """Least-squares slope of *values* over *years* [unit per year]; NaN for < 2 points.

    Parameters
    ----------
    years : array_like of int
        Years [a].
    values : array_like
        The indicator [unit]; NaN entries are ignored.

    Returns
    -------
    float
        Slope [unit/a].
    """
    y = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(y) & np.isfinite(v)
    if ok.sum() < 2 or np.ptp(y[ok]) == 0:
        return float("nan")
    return float(np.polyfit(y[ok], v[ok], 1)[0])


def status(
    value: float, target: float, comparison: str, year: int, target_year: int, trend: float | None = None
) -> Status:
    """Red / amber / green for one indicator against its target (rule in the module docstring).

    Parameters
    ----------
    value : float
        The indicator in *year* [unit of the target].
    target : float
        Target value [unit].
    comparison : {"at_least", "at_most"}
        ``at_least``: value ≥ target meets it; ``at_most``: value ≤ target.
    year : int
        Year of *value* [a].
    target_year : int
        Year the target is due [a].
    trend : float, optional
        Change per year [unit/a] (e.g. :func:`linear_trend` over recent years); None or NaN:
        no projection.

    Returns
    -------
    Status
        ``status``, ``rule`` (code), ``rule_zh``/``rule_en``, ``projected``, ``gap``.

    Raises
    ------
    InputError
        An unknown comparison, or a value or target that is not finite.

    References
    ----------
    .. [1] Issue 5 of this project: "each indicator shows value, target, gap, trend and a
       red/amber/green status with the rule that set it".

    Examples
    --------
    Recycled share 20 % in 2023, rising 2.5 points a year, target ≥ 24 % in 2025:

    >>> status(20.0, 24.0, "at_least", 2023, 2025, trend=2.5).status
    'green'
    >>> status(20.0, 24.0, "at_least", 2023, 2025, trend=1.0).rule
    'near_track'
    """
    problems: list[Problem] = []
    if comparison not in COMPARISONS:
        problems.append(
            Problem(
                "bad_enum", column="comparison", value=comparison, fields={"allowed": ", ".join(COMPARISONS)}
            )
        )
    for col, x in (("value", value), ("target", target)):
        if x is None or not np.isfinite(float(x)):
            problems.append(Problem("not_finite", column=col, value=x))
    if problems:
        raise InputError(problems)
    s = 1.0 if comparison == "at_least" else -1.0
    v, t = float(value), float(target)
    slope = float("nan") if trend is None else float(trend)
    projected = v + slope * (target_year - year) if np.isfinite(slope) and year < target_year else v
    shortfall = max(s * (t - v), 0.0)
    proj_short = s * (t - projected)
    if shortfall == 0.0:
        rule = "met"
    elif proj_short <= 0.0:
        rule = "on_track"
    elif proj_short <= AMBER_MARGIN * abs(t):
        rule = "near_track"
    else:
        rule = "off_track"
    colour = {"met": "green", "on_track": "green", "near_track": "amber", "off_track": "red"}
    zh, en = _RULES[rule]
    return Status(
        status=colour[rule],
        rule=rule,
        rule_zh=zh,
        rule_en=en,
        projected=float(projected),
        gap=float(shortfall),
    )


def peak_status(
    years: ArrayLike, emissions: ArrayLike, deadline: int = 2030, tolerance: float = DEFAULT_TOLERANCE
) -> PeakStatus:
    """The sector's peak and its traffic light against "peak before *deadline*".

    Parameters
    ----------
    years : array_like of int
        Strictly increasing years [a] (history, or history and projection).
    emissions : array_like
        Emissions [tCO2e/a] (any unit, the same throughout).
    deadline : int
        The plan's deadline year [a]; a peak in that year counts (default 2030).
    tolerance : float
        Plateau tolerance [fraction] of :func:`carbonpeak.scenarios.peak.find_peak`.

    Returns
    -------
    PeakStatus
        green — peaked by the deadline; amber — not yet peaked and the series ends before
        the deadline; red — otherwise.

    Raises
    ------
    InputError
        As :func:`carbonpeak.scenarios.peak.find_peak`.

    References
    ----------
    .. [1] Hunan plan 一(三): 确保2030年前有色金属行业实现碳达峰.
    .. [2] 国发〔2021〕23号《2030年前碳达峰行动方案》.
    """
    p = find_peak(years, emissions, tolerance, deadline=deadline)
    last = int(np.asarray(years, dtype=float)[-1])
    if p.before_2030:
        rule, colour = "peaked", "green"
    elif not p.peaked and last < deadline:
        rule, colour = "rising_before_deadline", "amber"
    else:
        rule, colour = "late", "red"
    zh, en = _RULES[rule]
    return PeakStatus(
        status=colour,
        rule=rule,
        rule_zh=zh,
        rule_en=en,
        year=p.year,
        value=p.value,
        peaked=p.peaked,
        deadline=deadline,
    )
