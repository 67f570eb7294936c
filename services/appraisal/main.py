"""The appraisal service's HTTP app: `uvicorn services.appraisal.main:app`."""
from services.appraisal import texts  # noqa: F401 - registers the service's problem texts
from services.appraisal.api import periods, planning, scorecards
from services.appraisal.config import Settings
from shared.app import create_service_app


def create_app(settings: Settings | None = None):
    return create_service_app(settings or Settings(), title="Appraisal service",
                              routers=[scorecards.router, periods.router, planning.router])


app = create_app()
