"""Alert channels: webhook (signed JSON or a preset) and email (SMTP)."""
