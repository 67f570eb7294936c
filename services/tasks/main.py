"""The tasks service's HTTP app: `uvicorn services.tasks.main:app`."""
from services.tasks.api import admin, agenda, tasks
from services.tasks.config import Settings
from shared.app import create_service_app


def create_app(settings: Settings | None = None):
    return create_service_app(settings or Settings(), title="Tasks service", routers=[tasks.router, agenda.router, admin.router])


app = create_app()
