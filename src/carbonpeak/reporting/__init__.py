"""Report assembly engines: tables and figures authorities ask for (pure, no I/O)."""
