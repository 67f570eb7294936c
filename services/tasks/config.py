"""Tasks service settings."""
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "tasks"
    database_url: str = "sqlite+aiosqlite:///var/tasks.db"
    scheduler_poll_seconds: float = 300.0   # the scheduler's tick; a day's work is done once, so ticks are cheap
