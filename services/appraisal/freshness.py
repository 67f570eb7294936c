"""Provisional cards computed once and served until the book behind them changes.

Writers bump a stamp per person whose card they may change (handlers: the owners of the customer
concerned; HTTP writes: "*", for KPI sets, targets, scores and close that can touch anyone). A reader
compares two stamps (one indexed lookup) with those its cached card was computed under."""
from collections import OrderedDict

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import CardStamp, OwnershipInterval
from shared.db import insert

EVERYONE = "*"


async def bump(session: AsyncSession, *scopes: str | None) -> None:
    # Sorted, so two transactions touching the same people lock them in one order (no deadlock).
    for scope in sorted({s for s in scopes if s}):
        stmt = insert(session, CardStamp).values(scope=scope, seq=1)
        await session.execute(stmt.on_conflict_do_update(index_elements=["scope"],
                                                         set_={"seq": CardStamp.seq + 1}))


async def bump_owners_of(session: AsyncSession, cif: str, *also: str | None) -> None:
    owners = (await session.exec(select(OwnershipInterval.owner).where(OwnershipInterval.cif == cif,
                                                                       OwnershipInterval.owner.is_not(None))
                                 .distinct())).all()
    await bump(session, *owners, *also)


async def stamps(session: AsyncSession, username: str) -> tuple[int, int]:
    rows = dict((await session.execute(text("SELECT scope, seq FROM card_stamp WHERE scope IN (:who, :all)"),
                                       {"who": username, "all": EVERYONE})).all())
    return rows.get(username, 0), rows.get(EVERYONE, 0)


class CardCache:
    """A bounded LRU of (username, period) -> (stamps, card) in this process."""

    def __init__(self, size: int = 20_000):
        self.size, self.cards = size, OrderedDict()

    def get(self, key: tuple[str, str], current: tuple[int, int]) -> dict | None:
        hit = self.cards.get(key)
        if hit is None or hit[0] != current:
            return None
        self.cards.move_to_end(key)
        return hit[1]

    def put(self, key: tuple[str, str], current: tuple[int, int], card: dict) -> None:
        self.cards[key] = (current, card)
        self.cards.move_to_end(key)
        while len(self.cards) > self.size:
            self.cards.popitem(last=False)


provisional_cards = CardCache()
