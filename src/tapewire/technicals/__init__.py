"""technicals package."""
