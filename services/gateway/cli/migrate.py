"""`python -m services.gateway.cli.migrate`: bring the gateway's database (the idempotency store) to the latest schema."""
from pathlib import Path

from services.gateway.config import Settings
from shared.migrations import upgrade_to_head

if __name__ == "__main__":
    upgrade_to_head(str(Path(__file__).parent.parent / "alembic"), Settings().database_url)
