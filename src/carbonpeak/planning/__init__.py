"""One-enterprise-one-policy (一企一策) plan engines (pure: frames in, frames out).

Modules (none imports store/, io/, a service or a face):

* :mod:`~carbonpeak.planning.technologies` — the technology catalogue
  (``refdata/planning/technologies``) as a frame, and which measures apply to which line
  (metal, process route, product).
* :mod:`~carbonpeak.planning.generator` — size the applicable measures to each line's output
  and energy by carrier, order them by marginal abatement cost and apply each to what the
  previous left (interaction); per measure the savings (tce, tCO2), investment, annual saving
  and payback, per line the unit energy after each step and the gap to the benchmark value.

The rules are written out in ``docs/plans.md``.
"""
