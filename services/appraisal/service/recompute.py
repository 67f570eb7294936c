"""Recompute (重算): every card in scope rebuilt from the ledger and compared with the live one."""
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.service.cards import scorecards


async def recompute(session: AsyncSession, period: str, people: set[str] | None, as_of: date | None = None) -> dict:
    only = sorted(people) if people is not None else None
    replayed = await scorecards(session, period, only, source="ledger", as_of=as_of)
    live = await scorecards(session, period, only, as_of=as_of)
    differences = [{"username": who, "live": live.get(who, {}).get("total"),
                    "recomputed": replayed.get(who, {}).get("total")}
                   for who in sorted(set(live) | set(replayed)) if live.get(who) != replayed.get(who)]
    return {"period": period, "scorecards": list(replayed.values()), "matches_live": not differences,
            "differences": differences}
