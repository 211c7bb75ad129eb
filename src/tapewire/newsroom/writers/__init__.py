"""newsroom writers package."""
