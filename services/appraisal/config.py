"""Appraisal service settings, and the name it signs its events with."""
from shared.settings import ServiceSettings

SOURCE = "appraisal-service"   # the envelope `source` of every event this service publishes


class Settings(ServiceSettings):
    service_name: str = "appraisal"
    database_url: str = "sqlite+aiosqlite:///var/appraisal.db"
