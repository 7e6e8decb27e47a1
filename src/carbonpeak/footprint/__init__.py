"""Product carbon-footprint engines (pure)."""
