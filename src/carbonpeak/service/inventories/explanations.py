"""The explanation of one inventory line (formula, factors with source and clause, the
arithmetic), as :func:`carbonpeak.service.inventories.inventory.explain` returns it: the engine's types,
named here so that a face never imports :mod:`carbonpeak.accounting`."""

from __future__ import annotations

from carbonpeak.accounting.explain import Explanation, FactorUse

__all__ = ["Explanation", "FactorUse"]
