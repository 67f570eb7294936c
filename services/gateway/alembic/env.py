"""Alembic environment of the gateway (shared async plumbing)."""
from shared.migrations import run_env

run_env()
