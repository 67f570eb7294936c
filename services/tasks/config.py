"""Tasks service settings."""
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "tasks"
    database_url: str = "sqlite+aiosqlite:///var/tasks.db"
