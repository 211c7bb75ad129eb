"""scorecard package."""
