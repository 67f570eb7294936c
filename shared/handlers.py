"""How a service declares what it does with an event: a `Handler` registered per event type.

Every handler is set-based: `apply(session, items)` takes a run of consecutive events of one poll that
share the handler (one handler may serve several types, so a loans poll is one run; a run may span
partitions, each partition's events in order) and must leave the state that applying them one by one
would. A lone event is a run of one. A service's `handlers/__init__.py` maps event types to Handlers.
"""
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import Envelope, EventData

Apply = Callable[[AsyncSession, list["Item"]], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    """A set-based handler and what it promises the consumer. `deduplicating`: it keeps its own record of
    the event ids it applied (a unique key in a table it writes anyway, e.g. a ledger) and applies only
    those new there (`first_of`), so the consumer writes no (consumer, event id) marker for its events."""
    apply: Apply
    deduplicating: bool = False

    async def __call__(self, session: AsyncSession, items: list["Item"]) -> None:
        await self.apply(session, items)


def batched(apply: Apply) -> Handler:
    """Register a set-based handler (the consumer records each event id it applies)."""
    return Handler(apply)


def deduplicating(apply: Apply) -> Handler:
    """Register a set-based handler that records the ids it applied itself (see Handler)."""
    return Handler(apply, deduplicating=True)


Data = TypeVar("Data", bound=EventData)


@dataclass(frozen=True)
class Item(Generic[Data]):
    """One parsed event of a poll. A handler of one event type says which: `list[Item[DepositChanged]]`
    lets a type checker see its fields; a plain `list[Item]` serves a handler of several types."""
    record: object | None         # the Kafka record (None when a test applies an event directly)
    handler: Handler
    envelope: Envelope
    data: Data

    @property
    def request_id(self) -> str | None:
        if self.envelope.request_id:
            return self.envelope.request_id
        for name, value in getattr(self.record, "headers", None) or ():   # read per event: no dict built
            if name == "x-request-id":
                return value.decode() or None
        return None


def first_of(items: list[Item], fresh: set[str]) -> list[Item]:
    """The items whose id is in `fresh` (just recorded as new), each id once: the same message twice in
    one batch acts once."""
    fresh, new = set(fresh), []
    for item in items:
        if item.envelope.id in fresh:
            fresh.discard(item.envelope.id)
            new.append(item)
    return new


def runs(items: list[Item]) -> list[list[Item]]:
    """Consecutive items with the same handler form one run."""
    grouped: list[list[Item]] = []
    for item in items:
        if grouped and grouped[-1][0].handler is item.handler:
            grouped[-1].append(item)
        else:
            grouped.append([item])
    return grouped


def registered(table: Mapping[str, Handler]) -> dict[str, Handler]:
    """A service's event table, checked: every entry is a registered Handler (a plain function here
    would be a handler of one event, which no longer exists)."""
    for event_type, handler in table.items():
        if not isinstance(handler, Handler):
            raise TypeError(f"{event_type}: {handler!r} is not a Handler (register it with @batched)")
    return dict(table)
