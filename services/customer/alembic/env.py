"""Alembic environment of the customer service (shared async plumbing)."""
from shared.migrations import run_env

run_env()
