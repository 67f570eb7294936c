"""Command-line entry points of the appraisal service: consumer, migrate, close_period."""
