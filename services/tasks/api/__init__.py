"""HTTP routes of the tasks service (mounted under /api/v1)."""
