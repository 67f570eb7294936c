"""Command-line entry points of the tasks service: consumer, migrate, scheduler."""
