"""Projection to 2060, peak finder, Monte Carlo, LMDI and MACC engines (pure NumPy).

Modules (each takes arrays or frames and returns them; none imports store/, io/, a
service or a face):

* :mod:`~carbonpeak.scenarios.projection` — base year by metal, route and city projected to
  2060 under a scenario's driver paths (LEAP-style inheritance), output, energy by carrier
  and CO2 by source.
* :mod:`~carbonpeak.scenarios.montecarlo` — distributions on drivers with a Gaussian copula,
  N trajectories in seeded chunks (NumPy or Dask), P(peak ≤ 2030), fan percentiles.
* :mod:`~carbonpeak.scenarios.demo_scenarios` — a synthetic base year and the baseline,
  plan-policy and accelerated scenarios.
* :mod:`~carbonpeak.scenarios.lmdi` — additive and multiplicative LMDI-I for any identity
  V = Σ_i Π_k x_ik, chained or base-to-end, zeros by the analytical limits (Ang 2005;
  Ang & Liu 2007).
* :mod:`~carbonpeak.scenarios.macc` — capital recovery factor, annualised cost, and the
  marginal abatement cost curve with interaction between measures.
* :mod:`~carbonpeak.scenarios.peak` — peak year and level with a plateau tolerance, and
  the "peak before 2030" verdict, for one trajectory or many.
"""
