"""Alembic environment of the appraisal service (shared async plumbing)."""
from shared.migrations import run_env

run_env()
