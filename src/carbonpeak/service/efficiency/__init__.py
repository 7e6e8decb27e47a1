"""Efficiency: benchmark levels and limit grades, the energy-saving review, projects."""
