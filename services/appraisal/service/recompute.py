"""Recompute (重算): every card in scope rebuilt from the ledger and compared with the live one."""
import json
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.service.cards import scorecards


def canonical(value: Any) -> Any:
    """A card with every list in one order: the ledger replays events in another order than they arrived,
    so its lists (KPI lines, qualitative items, notes) may come out in another order with the same content."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


async def recompute(session: AsyncSession, period: str, people: set[str] | None, as_of: date | None = None) -> dict:
    only = sorted(people) if people is not None else None
    replayed = await scorecards(session, period, only, source="ledger", as_of=as_of)
    live = await scorecards(session, period, only, as_of=as_of)
    differences = [{"username": who, "live": live.get(who, {}).get("total"),
                    "recomputed": replayed.get(who, {}).get("total")}
                   for who in sorted(set(live) | set(replayed))
                   if canonical(live.get(who)) != canonical(replayed.get(who))]
    return {"period": period, "scorecards": list(replayed.values()), "matches_live": not differences,
            "differences": differences}
