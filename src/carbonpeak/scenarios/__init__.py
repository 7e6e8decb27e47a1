"""Projection to 2060, peak finder, Monte Carlo, LMDI and MACC engines (pure NumPy).

Modules (each takes arrays or frames and returns them; none imports store/, io/, a
service or a face):

* :mod:`~carbonpeak.scenarios.lmdi` — additive and multiplicative LMDI-I for any identity
  V = Σ_i Π_k x_ik, chained or base-to-end, zeros by the analytical limits (Ang 2005;
  Ang & Liu 2007).
* :mod:`~carbonpeak.scenarios.macc` — capital recovery factor, annualised cost, and the
  marginal abatement cost curve with interaction between measures.
* :mod:`~carbonpeak.scenarios.peak` — peak year and level with a plateau tolerance, and
  the "peak before 2030" verdict, for one trajectory or many.
"""
