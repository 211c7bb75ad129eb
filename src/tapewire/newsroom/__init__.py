"""newsroom package."""
