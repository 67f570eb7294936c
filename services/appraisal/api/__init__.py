"""HTTP routes of the appraisal service (mounted under /api/v1)."""
