"""The tasks service's HTTP app: `uvicorn services.tasks.main:app`."""
from services.tasks.api import admin, agenda, audit, day, summaries, tasks
from services.tasks.config import Settings
from services.tasks.problems import ANSWERS
from services.tasks.service.agenda import AgendaCache
from services.tasks.service.agenda_versions import AgendaVersions
from shared.app import create_service_app


async def agenda_reads(app):
    """Per app, not per module: two apps in one process (tests) never share rendered pages."""
    app.state.agenda_pages, app.state.agenda_versions = AgendaCache(), AgendaVersions(app.state.settings.database_url)
    return app.state.agenda_versions.close


def create_app(settings: Settings | None = None):
    return create_service_app(settings or Settings(), title="Tasks service", problems=ANSWERS, on_startup=agenda_reads,
                              routers=[audit.router, tasks.router, agenda.router, admin.router, day.router,
                                       summaries.router])


app = create_app()
