"""Indicator engines for the plan's targets (recycled share, intensity, capacity at benchmark)."""
