"""Set-based ingest of core-banking events: a run of deposit (or loan) events from one partition is
replayed in memory, in order, over the holdings, open totals and customers it touches, then written
back in a few statements.

It leaves the same accounts, loans, end-of-day totals, tiers and `customer.tier-changed` events (same
order, same basis, same request id) as applying the events one by one (handlers.on_core_banking_event):
the tier is still judged after every event, in memory, so a tier that crosses a threshold and crosses
back within one run is announced twice, as it would be event by event.

Round trips per run, whatever its length: every holding of the run's CIFs (the touched ones and their
open totals in one read; holdings core banking names under another CIF, or new ones, in a second);
the registered customers among those CIFs (and, when there are some, the deposit totals a retail tier
needs in a loan run and the day totals a corporate tier averages); then one upsert of holdings, one of
day totals and one update of the customers whose tier moved.
"""
from datetime import date
from functools import lru_cache
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import Table, bindparam, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.core_events import EFFECTS, NIL, Effect
from services.customer.holdings import (BalanceDay, DepositAccount, LoanHolding, announce_tier, corporate_basis,
                                        new_deposit_account, new_loan, retail_basis, tier_for)
from services.customer.models import Customer
from shared.bulk import put_rows, row_of
from shared.clock import utcnow
from shared.handlers import Item, batched
from shared.db import one_of, plain_rows
from shared.logging import request_id_var

ACCOUNTS: Table = DepositAccount.__table__
LOANS: Table = LoanHolding.__table__
DAYS: Table = BalanceDay.__table__
CUSTOMERS: Table = Customer.__table__


def counted(kind: str, holding) -> Decimal:
    """What a holding adds to its customer's total: an open account its balance, a loan its outstanding."""
    if kind == "deposits":
        return holding.balance if holding.closed_on is None else NIL
    return holding.outstanding


@lru_cache(maxsize=2)
def blank(kind: str) -> dict:
    """Column defaults of a holding core banking mentions first, taken once from the per-event path's
    constructors (building a model per new account costs more than the rest of its event)."""
    return row_of(new_deposit_account("", ""), ACCOUNTS) if kind == "deposits" else row_of(new_loan("", ""), LOANS)


class HoldingsRun:
    """One run's view of the book: touched holdings as they will be written, each touched CIF's total of
    open holdings as of the event being applied, and the tier inputs of the registered customers."""

    def __init__(self, kind: str, now) -> None:
        self.kind, self.now = kind, now
        self.table, self.key = (ACCOUNTS, "account_id") if kind == "deposits" else (LOANS, "loan_id")
        self.holdings: dict[str, SimpleNamespace] = {}
        self.written: set[str] = set()
        self.totals: dict[tuple[str, str], Decimal] = {}                 # (cif, kind) -> open total
        self.customers: dict[str, SimpleNamespace] = {}                  # cif -> registered customer
        self.days: dict[str, dict[str, dict[date, Decimal]]] = {}        # corporate cif -> kind -> day -> total
        self.day_totals: dict[tuple[str, str, date], Decimal] = {}       # (cif, kind, day) -> last total
        self.retiered: dict[str, SimpleNamespace] = {}

    async def load(self, session: AsyncSession, items: list[Item]) -> None:
        ids = {EFFECTS[i.envelope.type].holding_id(i.data) for i in items}
        event_cifs = {i.data.customer_id for i in items}
        # One read gives both the touched holdings and their customers' open totals: every holding of
        # the run's customers (a customer holds a handful; two queries cost a tenth of the run).
        rows = await session.execute(select(self.table).where(one_of(session, self.table.c.cif, event_cifs)))
        self.holdings = {row[self.key]: SimpleNamespace(**row) for row in plain_rows(rows)}
        for holding in self.holdings.values():   # as the SUM of _load_totals: a closed account counts nil
            key = (holding.cif, self.kind)
            self.totals[key] = self.totals.get(key, NIL) + counted(self.kind, holding)
        elsewhere = ids - self.holdings.keys()   # new holdings, or one on record under another customer
        if elsewhere:
            rows = await session.execute(select(self.table).where(one_of(session, self.table.c[self.key], elsewhere)))
            moved = {row[self.key]: SimpleNamespace(**row) for row in plain_rows(rows)}
            self.holdings.update(moved)
            others = {h.cif for h in moved.values()} - event_cifs
            if others:
                await self._load_totals(session, self.kind, others)
        rows = await session.execute(select(CUSTOMERS.c.id, CUSTOMERS.c.cif, CUSTOMERS.c.kind, CUSTOMERS.c.tier,
                                            CUSTOMERS.c.owner, CUSTOMERS.c.version)
                                     .where(one_of(session, CUSTOMERS.c.cif, event_cifs)))
        self.customers = {row["cif"]: SimpleNamespace(**row) for row in plain_rows(rows)}
        retail = [cif for cif, c in self.customers.items() if c.kind == "retail"]
        if retail and self.kind == "loans":   # a retail tier is its deposits, whatever moved
            await self._load_totals(session, "deposits", retail)
        corporate = [cif for cif, c in self.customers.items() if c.kind != "retail"]
        if corporate:
            self.days = {cif: {} for cif in corporate}
            rows = await session.execute(select(DAYS.c.cif, DAYS.c.kind, DAYS.c.day, DAYS.c.balance)
                                         .where(one_of(session, DAYS.c.cif, corporate)))
            for cif, kind, day, balance in rows:
                self.days[cif].setdefault(kind, {})[day] = balance

    async def _load_totals(self, session: AsyncSession, kind: str, cifs) -> None:
        table, amount = (ACCOUNTS, ACCOUNTS.c.balance) if kind == "deposits" else (LOANS, LOANS.c.outstanding)
        stmt = select(table.c.cif, func.sum(amount)).where(one_of(session, table.c.cif, cifs)).group_by(table.c.cif)
        if kind == "deposits":
            stmt = stmt.where(ACCOUNTS.c.closed_on.is_(None))
        for cif, total in await session.execute(stmt):
            self.totals[(cif, kind)] = Decimal(total)

    def apply(self, session: AsyncSession, item: Item) -> None:
        effect, event = EFFECTS[item.envelope.type], item.data
        holding = self._holding(effect, event)
        before = counted(self.kind, holding)
        effect.apply(holding, event)
        moved = counted(self.kind, holding) - before
        if moved:
            self.totals[(holding.cif, self.kind)] = self.totals.get((holding.cif, self.kind), NIL) + moved
        if effect.moves_balance:
            self._balances_moved(session, event.customer_id, item)

    def _holding(self, effect: Effect, event) -> SimpleNamespace:
        holding_id = effect.holding_id(event)
        self.written.add(holding_id)
        holding = self.holdings.get(holding_id)
        if holding is None:   # first mention: the same defaults as the per-event path
            holding = self.holdings[holding_id] = SimpleNamespace(**{
                **blank(self.kind), self.key: holding_id, "cif": event.customer_id})
            if self.kind == "deposits":
                holding.product = effect.product(event)
        return holding

    def _balances_moved(self, session: AsyncSession, cif: str, item: Item) -> None:
        day = item.envelope.business_date
        total = self.day_totals[(cif, self.kind, day)] = self.totals.get((cif, self.kind), NIL)
        customer = self.customers.get(cif)
        if customer is None:
            return
        if customer.kind == "retail":
            basis = retail_basis(self.totals.get((cif, "deposits"), NIL))
        else:
            days = self.days[cif]
            days.setdefault(self.kind, {})[day] = total
            basis = corporate_basis({kind: list(totals.items()) for kind, totals in days.items()}, day)
        tier = tier_for(customer.kind, basis)
        if tier != customer.tier:
            token = request_id_var.set(item.request_id)   # the event carries the request that caused it
            announce_tier(session, customer, tier, basis, business_date=day, now=self.now)
            request_id_var.reset(token)
            self.retiered[cif] = customer

    async def save(self, session: AsyncSession) -> None:
        rows = [vars(self.holdings[h]) for h in sorted(self.written)]   # sorted: one lock order for all writers
        if rows:
            await put_rows(session, self.table, rows, (self.key,), update=tuple(c for c in rows[0] if c != self.key))
        await put_rows(session, DAYS, [{"cif": cif, "kind": kind, "day": day, "balance": total}
                                       for (cif, kind, day), total in sorted(self.day_totals.items())],
                       ("cif", "kind", "day"), update=("balance",))
        if self.retiered:
            await session.execute(
                update(CUSTOMERS).where(CUSTOMERS.c.id == bindparam("ref"))
                .values(tier=bindparam("new_tier"), version=bindparam("new_version")),
                [{"ref": c.id, "new_tier": c.tier, "new_version": c.version}
                 for _, c in sorted(self.retiered.items())])


async def _apply_run(session: AsyncSession, items: list[Item], kind: str) -> None:
    run = HoldingsRun(kind, utcnow())
    await run.load(session, items)
    for item in items:
        run.apply(session, item)
    await run.save(session)


@batched
async def on_deposit_run(session: AsyncSession, items: list[Item]) -> None:
    await _apply_run(session, items, "deposits")


@batched
async def on_loan_run(session: AsyncSession, items: list[Item]) -> None:
    await _apply_run(session, items, "loans")
