"""The plan's outlook: targets and indicators, scenarios, peak, LMDI and MACC."""
