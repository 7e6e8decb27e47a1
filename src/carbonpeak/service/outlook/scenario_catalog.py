"""The scenario vocabulary the faces speak, so that a face never imports :mod:`carbonpeak.scenarios`:
the synthetic demo scenarios' names, the peak tolerance, the LMDI methods, and Monte Carlo
distributions built from a request's fields.

The use cases themselves (projections, Monte Carlo, LMDI, MACC, IAMC) are
:mod:`carbonpeak.service.outlook.scenarios`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, cast

from carbonpeak.scenarios.demo_scenarios import DEMO_SCENARIOS
from carbonpeak.scenarios.lmdi import Method
from carbonpeak.scenarios.montecarlo import Distribution, Kind
from carbonpeak.scenarios.peak import DEFAULT_TOLERANCE
from carbonpeak.scenarios.projection import Scenario

__all__ = [
    "DEFAULT_TOLERANCE",
    "DEMO_SCENARIO_NAMES",
    "Distribution",
    "Method",
    "Scenario",
    "distribution",
    "is_synthetic",
]

#: The synthetic demo scenarios, in their display order (baseline, plan_policy, accelerated).
DEMO_SCENARIO_NAMES: Final[tuple[str, ...]] = tuple(DEMO_SCENARIOS)


def is_synthetic(name: str) -> bool:
    """Whether *name* is one of the synthetic demo scenarios."""
    return name in DEMO_SCENARIOS


def distribution(
    driver: str, kind: str, params: Mapping[str, float], mode: str = "add", selector: str = "*"
) -> Distribution:
    """A Monte Carlo distribution of *driver* from a request's fields (checked by the engine
    when it samples: an unknown *kind* or *mode* is an ``InputError`` there)."""
    return Distribution(driver, cast(Kind, kind), dict(params), cast(Literal["add", "scale"], mode), selector)
