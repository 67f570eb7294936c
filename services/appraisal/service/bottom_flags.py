"""末尾淘汰 decisions: a proposal the annual close made is confirmed or cleared, with a reason, by the
person's team lead or a branch head over them — never by the person concerned, and never by the system."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import ScorecardSnapshot
from services.appraisal.scope import may_decide_bottom_flag, require, require_visible
from services.appraisal.service.audit import audit
from shared.auth import Principal
from shared.errors import Problem

DECISIONS = {"confirm": "confirmed", "clear": "cleared"}


async def decide_bottom_flag(session: AsyncSession, actor: Principal, period: str, username: str, decision: str,
                             reason: str) -> ScorecardSnapshot:
    if username == actor.username:
        raise Problem(403, "decide_own_flag")
    require(may_decide_bottom_flag(actor))
    await require_visible(session, actor, username)
    snapshot = await session.get(ScorecardSnapshot, (period, username))
    if snapshot is None or (snapshot.card.get("bottom_flag") or {}).get("status") != "proposed":
        raise Problem(409, "no_bottom_flag_proposed", period=period, username=username)
    status = DECISIONS[decision]
    snapshot.card = {**snapshot.card, "bottom_flag": {"status": status, "reason": reason, "by": actor.username}}
    snapshot.flagged = status == "confirmed"
    session.add(snapshot)
    await audit(session, actor.username, f"bottom_flag.{status}", username, period=period, reason=reason)
    return snapshot
