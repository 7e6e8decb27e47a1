"""One-enterprise-one-policy plans: the technology catalogue (later: plans, versions, outputs)."""
