"""The appraisal service's HTTP app: `uvicorn services.appraisal.main:app`."""
from services.appraisal import texts  # noqa: F401 - registers the service's problem texts
from services.appraisal.api import kpi_definitions, periods, qualitative, responsibilities, scorecards, targets
from services.appraisal.config import Settings
from services.appraisal.problems import ANSWERS
from services.appraisal.service.freshness import CardCache, StampBoard
from shared.app import create_service_app


async def card_caches(app) -> None:
    """Per app, not per module: two apps in one process (tests) never share rendered cards."""
    app.state.rendered_cards, app.state.stamp_board = CardCache(), StampBoard()


def create_app(settings: Settings | None = None):
    return create_service_app(settings or Settings(), title="Appraisal service", problems=ANSWERS, on_startup=card_caches,
                              routers=[scorecards.router, periods.router, kpi_definitions.router, targets.router,
                                       qualitative.router, responsibilities.router])


app = create_app()
