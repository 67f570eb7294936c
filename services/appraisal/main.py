"""The appraisal service's HTTP app: `uvicorn services.appraisal.main:app`."""
from services.appraisal.api import scorecards
from services.appraisal.config import Settings
from shared.app import create_service_app

app = create_service_app(Settings(), title="Appraisal service", routers=[scorecards.router])
