"""NPL responsibility routes: a risk manager or branch head charging a new NPL's loss to an RM."""
from fastapi import APIRouter, Request

from services.appraisal.api import cards_changed
from services.appraisal.schemas import Responsibility
from services.appraisal.scope import may_record_responsibility, require, require_visible
from services.appraisal.service.responsibility import record_responsibility
from shared.app import SessionDep
from shared.auth import CurrentUser

router = APIRouter(tags=["appraisal"])


@router.post("/appraisal/responsibilities", status_code=201)
async def responsibility(body: Responsibility, user: CurrentUser, session: SessionDep, request: Request):
    require(may_record_responsibility(user))
    await require_visible(session, user, body.username)
    row = await record_responsibility(session, user, **body.model_dump())
    await session.commit()
    cards_changed(request)
    return row
