"""Alembic environment of the tasks service (shared async plumbing)."""
from shared.migrations import run_env

run_env()
