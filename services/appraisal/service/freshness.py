"""Scorecards rendered once and served until something behind them changes.

Writers bump a stamp per person whose card they may change (handlers: the owners of the customer
concerned; HTTP writes: "*", for KPI sets, targets, scores, close and adjustments that can touch
anyone). A reader compares two stamps (one indexed lookup) with those its copy was rendered under."""
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import CardStamp, OwnershipInterval
from shared.bulk import put_rows
from shared.db import one_of, table_of

EVERYONE = "*"


async def bump(session: AsyncSession, *scopes: str | None) -> None:
    await bump_counts(session, dict.fromkeys({s for s in scopes if s}, 1))


async def bump_counts(session: AsyncSession, counts: dict[str, int]) -> None:
    """Each scope's stamp moves by its count in one statement: a run of events bumps as often as its
    events one at a time would, so a stamp says the same whichever way they were applied."""
    # Sorted, so two transactions touching the same people lock them in one order (no deadlock).
    await put_rows(session, CardStamp, [{"scope": scope, "seq": counts[scope]} for scope in sorted(counts)
                                        if counts[scope]], ("scope",), add=("seq",))


async def bump_owners_of_many(session: AsyncSession, events_per_cif: dict[str, int]) -> None:
    """Every owner (past or present) of each customer, once per event of the run about that customer."""
    counts: dict[str, int] = {}
    if events_per_cif:
        # Core columns and the CIFs as one array (one_of): an ORM select rendering an IN list of a
        # run's 2,000 CIFs bind by bind was a tenth of the appraisal consumer's CPU (py-spy).
        table = table_of(OwnershipInterval)
        owned = select(table.c.cif, table.c.owner).where(
            one_of(session, table.c.cif, events_per_cif), table.c.owner.is_not(None)).distinct()
        for cif, owner in (await session.execute(owned)).all():
            counts[owner] = counts.get(owner, 0) + events_per_cif[cif]
    await bump_counts(session, counts)


class StampBoard:
    """This process's copy of every stamp, re-read at most every `max_age` seconds by whichever read
    finds it old: a card read then costs no database round trip at all, and a change shows on the
    card within `max_age` (the scorecard is provisional; seconds are what the bank asked for)."""

    def __init__(self, max_age: float = 0.5):
        self.max_age, self.read_at = max_age, float("-inf")
        self.seqs: dict[str, int] = {}

    def expire(self) -> None:
        """After a write in this process: its own next read sees it at once (other replicas within max_age)."""
        self.read_at = float("-inf")

    async def stamps(self, db: Callable[[], Awaitable[AsyncSession]], username: str) -> tuple[int, int]:
        """`db()` opens the request's session: only called when the copy is old."""
        if time.monotonic() - self.read_at > self.max_age:
            self.read_at = time.monotonic()   # before the query: concurrent readers do not all re-read
            self.seqs = dict((await (await db()).execute(text("SELECT scope, seq FROM card_stamp"))).all())
        return self.seqs.get(username, 0), self.seqs.get(EVERYONE, 0)


class CardCache:
    """A bounded LRU of key -> (stamps, rendered card) in this process."""

    def __init__(self, size: int = 20_000):
        self.size = size
        self.cards: OrderedDict[tuple, tuple[tuple[int, int], bytes]] = OrderedDict()

    def get(self, key: tuple, current: tuple[int, int]) -> bytes | None:
        hit = self.cards.get(key)
        if hit is None or hit[0] != current:
            return None
        self.cards.move_to_end(key)
        return hit[1]

    def put(self, key: tuple, current: tuple[int, int], card: bytes) -> None:
        self.cards[key] = (current, card)
        self.cards.move_to_end(key)
        while len(self.cards) > self.size:
            self.cards.popitem(last=False)
