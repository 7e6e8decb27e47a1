"""One-enterprise-one-policy planning engines over the technology catalogue (pure)."""
