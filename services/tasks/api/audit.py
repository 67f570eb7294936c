"""`GET /tasks/audit`: the trail of writes made through the tasks service, for auditors (their unit subtree)
and admins (all of it)."""
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import select

from services.tasks.models import AuditEntry
from services.tasks.schemas import AuditPublic
from services.tasks.scope import may_read_audit, visible_audit
from services.tasks.texts import AUDIT_MESSAGES
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.errors import Problem, register_messages

router = APIRouter(tags=["audit"])
register_messages(AUDIT_MESSAGES)
MAX_SEQ = 2**63 - 1


@router.get("/tasks/audit", response_model=list[AuditPublic], summary="任务服务审计记录")
async def audit_trail(user: CurrentUser, session: SessionDep, actor: str | None = None,
                      subject: Annotated[str | None, Query(description="a task or appointment id, or `rm:date`")] = None,
                      action: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                      after_seq: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None):
    """Oldest first; page with `after_seq` (the last entry's `seq`)."""
    if not may_read_audit(user):
        raise Problem(403, "auditors_only")
    stmt = select(AuditEntry).where(visible_audit(user)).order_by(AuditEntry.seq).limit(limit)
    for column, value in ((AuditEntry.actor, actor), (AuditEntry.subject, subject), (AuditEntry.action, action)):
        if value is not None:
            stmt = stmt.where(column == value)
    if after_seq is not None:
        stmt = stmt.where(AuditEntry.seq > after_seq)
    return [AuditPublic.model_validate(r) for r in (await session.exec(stmt)).all()]
