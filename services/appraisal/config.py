"""Appraisal service settings."""
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "appraisal"
    database_url: str = "sqlite+aiosqlite:///var/appraisal.db"
