"""carbonpeak — the carbon-peak programme platform for a province's nonferrous-metals sector.

Layers (imports only point down): faces (cli, api, web) → service → store / io → engines
(accounting, benchmark, targets, scenarios, reporting) →
refdata, units, model. See ARCHITECTURE.md.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
