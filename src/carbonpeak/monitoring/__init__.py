"""Energy-management-centre engines: meter data quality and alert rules (pure)."""
