"""KPI definition routes: the set a period scores with, and an admin's new version."""
from fastapi import APIRouter, Request

from services.appraisal.api import cards_changed
from services.appraisal.schemas import KpiDefinitions, KpiSet, KpiVersionSaved, PeriodQuery
from services.appraisal.scope import may_version_kpis, require
from services.appraisal.service.kpi_sets import kpi_set, save_kpi_set
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today

router = APIRouter(tags=["appraisal"])


@router.get("/appraisal/kpi-definitions", response_model=KpiDefinitions)
async def kpi_definitions(user: CurrentUser, session: SessionDep, period: PeriodQuery):
    version, definitions = await kpi_set(session, period or business_today().strftime("%Y-%m"))
    return {"version": version, "definitions": definitions}


@router.post("/appraisal/kpi-definitions", status_code=201, response_model=KpiVersionSaved)
async def new_kpi_version(body: KpiSet, user: CurrentUser, session: SessionDep, request: Request):
    require(may_version_kpis(user))
    row = await save_kpi_set(session, user, body.effective_from, body.definitions)
    await session.commit()
    cards_changed(request)
    return {"version": row.version, "effective_from": row.effective_from}
