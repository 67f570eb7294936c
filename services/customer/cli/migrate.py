"""`python -m services.customer.cli.migrate`: bring the customer database to the latest schema."""
from pathlib import Path

from services.customer.config import Settings
from shared.migrations import upgrade_to_head

if __name__ == "__main__":
    upgrade_to_head(str(Path(__file__).parents[1] / "alembic"), Settings().database_url)
