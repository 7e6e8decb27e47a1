"""Projection to 2060, peak finder, Monte Carlo, LMDI and MACC engines (pure NumPy)."""
