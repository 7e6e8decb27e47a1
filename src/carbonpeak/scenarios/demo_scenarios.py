"""Demo data for the projection: a synthetic base year and three scenarios.

**Everything in this module is synthetic.** The outputs, unit energy uses, emission
factors and driver paths are round, plausible-looking numbers chosen to exercise the
engine (22 metal × route × city groups; a baseline that keeps rising for years, a plan
that bends it, an accelerated case that bends it sooner). They are not statistics of
Hunan or of any enterprise, not the plan's targets and not a forecast; do not quote them.

* ``baseline`` — output grows 3 %/a to 2030, then slower; 0.5 %/a intensity gain; a
  slowly cleaner grid; 5 % green power; base-year recycled shares.
* ``plan_policy`` (parent ``baseline``) — higher recycled shares, 1.5 %/a intensity gain
  to 2030, some electrification, a faster-decarbonising grid, more green power, an
  imperial-smelting (ISP) zinc line retired.
* ``accelerated`` (parent ``plan_policy``) — lower growth, 2.5 %/a intensity gain,
  deeper electrification, coal→gas, 50 % green power by 2030.

:data:`DEMO_UNCERTAINTY` is a small, equally **synthetic** set of Monte Carlo
distributions for ``carbonpeak scenario montecarlo`` (independent; no correlation):

======================= ============ ======================================= =========
driver                  kind         parameters                              applied
======================= ============ ======================================= =========
output_growth           normal       mean 0, sd 0.005 [1/a]                  added
grid_ef                 lognormal    mu 0, sigma 0.10 (of the log)           × path
electrification         triangular   left −0.05, mode 0, right 0.10 [share]  added
======================= ============ ======================================= =========

One draw per trajectory shifts (or scales) the whole path: ±0.5 %/a on output growth
every year, a grid factor about ±10 % off its path throughout, an electrification
share up to 5 points lower or 10 higher (clipped to [0, 1]).
"""

from __future__ import annotations

import pandas as pd

from carbonpeak.scenarios.montecarlo import Distribution
from carbonpeak.scenarios.projection import Scenario

__all__ = ["DEMO_BASE_YEAR", "DEMO_SCENARIOS", "DEMO_UNCERTAINTY", "demo_base_frame"]

#: Base year of the demo table [a].
DEMO_BASE_YEAR = 2020

# metal, route (refdata/sector/process_routes.csv), kind, city (division code), output [t/a],
# per tonne: coal [tce], gas [tce], oil [tce], electricity [MWh], heat [GJ], process CO2 [t]
_ROWS: list[tuple[str, str, str, str, float, float, float, float, float, float, float]] = [
    ("Zn", "zn_hydro", "primary", "430200", 600_000, 0.30, 0.02, 0.01, 3.6, 1.0, 0.05),
    ("Zn", "zn_hydro", "primary", "431000", 250_000, 0.32, 0.02, 0.01, 3.7, 1.0, 0.05),
    ("Zn", "zn_isp", "primary", "430400", 120_000, 1.50, 0.05, 0.02, 0.8, 0.5, 0.20),
    ("Zn", "zn_secondary", "secondary", "431000", 80_000, 0.20, 0.05, 0.01, 0.5, 0.2, 0.02),
    ("Pb", "pb_bottom_blown", "primary", "431000", 300_000, 0.30, 0.02, 0.02, 0.4, 0.3, 0.10),
    ("Pb", "pb_bottom_blown", "primary", "430400", 100_000, 0.32, 0.02, 0.02, 0.4, 0.3, 0.10),
    ("Pb", "pb_secondary", "secondary", "430900", 250_000, 0.10, 0.03, 0.01, 0.2, 0.1, 0.02),
    ("Cu", "cu_bottom_blown", "primary", "431000", 150_000, 0.25, 0.03, 0.02, 1.2, 0.4, 0.10),
    ("Cu", "cu_flash", "primary", "430600", 100_000, 0.22, 0.03, 0.02, 1.1, 0.4, 0.10),
    ("Cu", "cu_secondary", "secondary", "430200", 60_000, 0.25, 0.05, 0.01, 0.3, 0.1, 0.01),
    ("Cu", "cu_secondary", "secondary", "430900", 40_000, 0.25, 0.05, 0.01, 0.3, 0.1, 0.01),
    ("Al", "al_electrolysis", "primary", "430700", 300_000, 0.05, 0.02, 0.01, 13.5, 0.5, 1.60),
    ("Al", "al_electrolysis", "primary", "431200", 150_000, 0.05, 0.02, 0.01, 13.6, 0.5, 1.60),
    ("Al", "al_secondary", "secondary", "430100", 120_000, 0.02, 0.10, 0.01, 0.3, 0.1, 0.01),
    ("Sb", "sb_blast_volatilization", "primary", "431300", 60_000, 1.20, 0.05, 0.05, 0.8, 0.2, 0.15),
    ("Sb", "sb_bath", "primary", "430900", 30_000, 1.00, 0.05, 0.05, 0.9, 0.2, 0.12),
    ("Sb", "sb_secondary", "secondary", "431300", 5_000, 0.30, 0.05, 0.02, 0.3, 0.1, 0.02),
    ("W", "w_apt", "primary", "431000", 40_000, 1.80, 0.30, 0.05, 3.0, 8.0, 0.05),
    ("W", "w_apt", "primary", "430200", 20_000, 1.70, 0.30, 0.05, 3.0, 8.0, 0.05),
    ("Bi", "bi_smelting", "primary", "431000", 10_000, 1.20, 0.05, 0.05, 1.5, 0.5, 0.10),
    ("Sn", "sn_smelting", "primary", "431000", 15_000, 1.50, 0.05, 0.05, 2.0, 0.5, 0.10),
    ("In", "in_smelting", "primary", "430200", 100, 5.00, 0.50, 0.20, 20.0, 5.0, 0.50),
]


def demo_base_frame() -> pd.DataFrame:
    """The synthetic 2020 base-year table (22 groups), in the columns of ``base_year``.

    Returns
    -------
    DataFrame
        ``metal``, ``route``, ``route_kind``, ``city``, ``output_t`` [t/a], energy
        [tce/a, MWh/a, GJ/a], emission factors [tCO2/tce, tCO2/MWh, tCO2/GJ] and
        ``process_co2_t_per_t`` [tCO2/t]. Synthetic (module docstring).
    """
    cols = [
        "metal",
        "route",
        "route_kind",
        "city",
        "output_t",
        "coal",
        "gas",
        "oil",
        "elec",
        "heat",
        "process_co2_t_per_t",
    ]
    d = pd.DataFrame(_ROWS, columns=cols)
    q = d["output_t"]
    return pd.DataFrame(
        {
            "metal": d["metal"],
            "route": d["route"],
            "route_kind": d["route_kind"],
            "city": d["city"],
            "output_t": q.astype(float),
            "coal_tce": q * d["coal"],
            "gas_tce": q * d["gas"],
            "oil_tce": q * d["oil"],
            "electricity_mwh": q * d["elec"],
            "heat_gj": q * d["heat"],
            "ef_coal_tco2_per_tce": 2.66,
            "ef_gas_tco2_per_tce": 1.64,
            "ef_oil_tco2_per_tce": 2.12,
            "ef_electricity_tco2_per_mwh": 0.58,
            "ef_heat_tco2_per_gj": 0.11,
            "process_co2_t_per_t": d["process_co2_t_per_t"],
        }
    )


_BASELINE = Scenario(
    name="baseline",
    description="Synthetic baseline: growth continues, slow efficiency and grid gains.",
    paths={
        "output_growth": {"*": {2021: 0.03, 2030: 0.03, 2031: 0.015, 2040: 0.015, 2041: 0.005}},
        "energy_intensity_improvement": {"*": {2021: 0.005}},
        "grid_ef": {"*": {2020: 0.58, 2030: 0.55, 2060: 0.45}},
        "green_power_share": {"*": {2020: 0.05}},
    },
)

_PLAN = Scenario(
    name="plan_policy",
    parent="baseline",
    description="Synthetic plan-policy case: recycling, efficiency, electrification, cleaner grid.",
    paths={
        "recycled_share": {
            "metal=Cu": {2020: 0.28, 2030: 0.40, 2060: 0.55},
            "metal=Pb": {2020: 0.38, 2030: 0.55, 2060: 0.70},
            "metal=Zn": {2020: 0.08, 2030: 0.15, 2060: 0.30},
            "metal=Al": {2020: 0.21, 2030: 0.30, 2060: 0.50},
        },
        "energy_intensity_improvement": {"*": {2021: 0.01, 2030: 0.01, 2031: 0.015}},
        "electrification": {"*": {2020: 0.0, 2030: 0.05, 2060: 0.30}},
        "grid_ef": {"*": {2020: 0.58, 2030: 0.53, 2060: 0.25}},
        "green_power_share": {"*": {2020: 0.05, 2030: 0.10, 2060: 0.50}},
        "capacity_exit": {"metal=Zn,route=zn_isp": {2020: 0.0, 2026: 0.0, 2027: 120_000.0}},
    },
)

_ACCELERATED = Scenario(
    name="accelerated",
    parent="plan_policy",
    description="Synthetic accelerated case: slower growth, deep electrification, green power.",
    paths={
        "output_growth": {"*": {2021: 0.02, 2030: 0.02, 2031: 0.01, 2040: 0.01, 2041: 0.0}},
        "energy_intensity_improvement": {"*": {2021: 0.015, 2030: 0.02, 2031: 0.02}},
        "electrification": {"*": {2020: 0.0, 2023: 0.0, 2030: 0.15, 2060: 0.60}},
        "coal_to_gas": {"*": {2020: 0.0, 2030: 0.20, 2060: 0.50}},
        "green_power_share": {"*": {2020: 0.05, 2025: 0.08, 2030: 0.30, 2060: 0.90}},
    },
)

#: The three demo scenarios by name (synthetic; see the module docstring).
DEMO_SCENARIOS: dict[str, Scenario] = {s.name: s for s in (_BASELINE, _PLAN, _ACCELERATED)}

#: Synthetic Monte Carlo distributions for the demo (module docstring): growth, grid, electrification.
DEMO_UNCERTAINTY: tuple[Distribution, ...] = (
    Distribution("output_growth", "normal", {"mean": 0.0, "sd": 0.005}),
    Distribution("grid_ef", "lognormal", {"mu": 0.0, "sigma": 0.10}, mode="scale"),
    Distribution("electrification", "triangular", {"left": -0.05, "mode": 0.0, "right": 0.10}),
)
