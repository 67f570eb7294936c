"""HTTP routes of the customer service (mounted under /api/v1)."""
