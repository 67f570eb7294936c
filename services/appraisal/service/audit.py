"""The audit trail: who did what to whose score, when and from which request."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import AuditEntry
from services.appraisal.service.freshness import EVERYONE, bump
from shared.logging import request_id_var


async def audit(session: AsyncSession, actor: str, action: str, subject: str, **detail) -> None:
    """Every appraisal decision is audited, and any of them can change cards someone has rendered."""
    session.add(AuditEntry(actor=actor, action=action, subject=subject, detail=detail, request_id=request_id_var.get()))
    await bump(session, EVERYONE)
