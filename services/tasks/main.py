"""The tasks service's HTTP app: `uvicorn services.tasks.main:app`."""
from services.tasks.api import tasks
from services.tasks.config import Settings
from shared.app import create_service_app

app = create_service_app(Settings(), title="Tasks service", routers=[tasks.router])
