"""Energy-efficiency benchmark/baseline and GB limit classification engines (pure)."""
