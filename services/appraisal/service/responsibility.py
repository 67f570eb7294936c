"""NPL responsibility (责任认定): a new NPL's loss charged to an RM who originated or monitored it, and
deducted from their year-end score."""
from collections import defaultdict
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import NplResponsibility
from services.appraisal.rules import period_kind
from services.appraisal.service.audit import audit
from shared.auth import Principal
from shared.errors import Problem


async def record_responsibility(session: AsyncSession, actor: Principal, **fields) -> NplResponsibility:
    if await session.get(NplResponsibility, (fields["loan_id"], fields["username"])) is not None:
        raise Problem(409, "responsibility_recorded", loan_id=fields["loan_id"], username=fields["username"])
    row = NplResponsibility(**fields, recorded_by=actor.username)
    session.add(row)
    await audit(session, actor.username, "npl.responsibility", row.username, loan_id=row.loan_id,
                loss_amount=str(row.loss_amount), year=row.year)
    return row


async def year_end_losses(session: AsyncSession, period: str) -> dict[str, Decimal]:
    if period_kind(period) != "year":
        return {}  # responsibility is deducted from the year-end (annual) score only
    rows = (await session.exec(select(NplResponsibility).where(NplResponsibility.year == int(period[:4])))).all()
    losses: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        losses[r.username] += Decimal(str(r.loss_amount))
    return losses
