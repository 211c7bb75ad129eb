"""Routes: pages (HTML) and api (JSON)."""
