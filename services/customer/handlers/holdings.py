"""Applying a run of core-banking events of one kind (deposits or loans) from one partition: replayed
in memory, in order, over the holdings, open totals and customers it touches, then written back in a
few statements. A lone event is a run of one.

After every balance-moving event the day's end-of-day total of the event's customer is the running
total, and a registered customer's tier is judged again (rules.py), so a tier that crosses a threshold
and crosses back within one run is announced twice, each `customer.tier-changed` carrying the request
id of the event that caused it.

Round trips per run, whatever its length: every holding of the run's CIFs (the touched ones and their
open totals in one read; holdings core banking names under another CIF, or new ones, in a second);
the registered customers among those CIFs (and, when there are some, the deposits a retail tier needs
in a loan run and the day totals a corporate tier averages); then one upsert of holdings, one of day
totals and one update of the customers whose tier moved.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import BalanceDay, Customer, DepositAccount, LoanHolding
from services.customer.rules import NIL, corporate_basis, counted, retail_basis
from services.customer.service.tiers import announce_tier, tier_rules
from shared.bulk import put_rows, row_of
from shared.clock import utcnow
from shared.db import one_of, plain_rows
from shared.handlers import Item
from shared.logging import request_id_var

ACCOUNTS: Table = DepositAccount.__table__
LOANS: Table = LoanHolding.__table__
DAYS: Table = BalanceDay.__table__
CUSTOMERS: Table = Customer.__table__
TABLES = {"deposits": (ACCOUNTS, "account_id"), "loans": (LOANS, "loan_id")}


@dataclass(frozen=True)
class Effect:
    """What one event type does to the one holding it names: `apply` only sets attributes."""
    apply: Callable[[SimpleNamespace, Any], None]   # (holding, the event's data model of this type)
    moves_balance: bool                     # the day total and the tier follow


@lru_cache(maxsize=2)
def blank(kind: str) -> dict:
    """Column defaults of a holding core banking mentions first (an account before its opening, a loan
    before its disbursement): nothing on it until an event says otherwise."""
    if kind == "deposits":
        return row_of(DepositAccount(account_id="", cif="", product="demand", balance=NIL), ACCOUNTS)
    return row_of(LoanHolding(loan_id="", cif="", outstanding=NIL, overdue_principal=NIL, overdue_interest=NIL), LOANS)


class HoldingsRun:
    """One run's view of the book: touched holdings as they will be written, each touched CIF's total of
    open holdings as of the event being applied, and the tier inputs of the registered customers."""

    def __init__(self, kind: str, effects: dict[str, Effect], now) -> None:
        self.kind, self.effects, self.now = kind, effects, now
        self.table, self.key = TABLES[kind]
        self.holdings: dict[str, SimpleNamespace] = {}
        self.written: set[str] = set()
        self.totals: dict[tuple[str, str], Decimal] = {}                 # (cif, kind) -> open total
        self.customers: dict[str, SimpleNamespace] = {}                  # cif -> registered customer
        self.days: dict[str, dict[str, dict[date, Decimal]]] = {}        # corporate cif -> kind -> day -> total
        self.day_totals: dict[tuple[str, str, date], Decimal] = {}       # (cif, kind, day) -> last total
        self.retiered: dict[str, SimpleNamespace] = {}

    async def load(self, session: AsyncSession, items: list[Item]) -> None:
        ids = {getattr(i.data, self.key) for i in items}
        event_cifs = {i.data.customer_id for i in items}
        # One read gives both the touched holdings and their customers' open totals: every holding of
        # the run's customers (a customer holds a handful; two queries cost a tenth of the run).
        self.holdings = await self._read(session, self.table, self.table.c.cif, event_cifs)
        self._add_to_totals(self.kind, self.holdings.values())
        # New holdings, or one on record under another customer: that one stays its owner's, whose total
        # only matters if the owner has an event of its own in the run (then the first read has it).
        elsewhere = ids - self.holdings.keys()
        if elsewhere:
            self.holdings.update(await self._read(session, self.table, self.table.c[self.key], elsewhere))
        rows = await session.execute(select(CUSTOMERS.c.id, CUSTOMERS.c.cif, CUSTOMERS.c.kind, CUSTOMERS.c.tier,
                                            CUSTOMERS.c.owner, CUSTOMERS.c.version)
                                     .where(one_of(session, CUSTOMERS.c.cif, event_cifs)))
        self.customers = {row["cif"]: SimpleNamespace(**row) for row in plain_rows(rows)}
        retail = [cif for cif, c in self.customers.items() if c.kind == "retail"]
        if retail and self.kind == "loans":   # a retail tier is its deposits, whatever moved
            self._add_to_totals("deposits", (await self._read(session, ACCOUNTS, ACCOUNTS.c.cif, retail)).values())
        corporate = [cif for cif, c in self.customers.items() if c.kind != "retail"]
        if corporate:
            self.days = {cif: {} for cif in corporate}
            rows = await session.execute(select(DAYS.c.cif, DAYS.c.kind, DAYS.c.day, DAYS.c.balance)
                                         .where(one_of(session, DAYS.c.cif, corporate)))
            for cif, kind, day, balance in rows:
                self.days[cif].setdefault(kind, {})[day] = balance

    @staticmethod
    async def _read(session: AsyncSession, table: Table, column, keys) -> dict[str, SimpleNamespace]:
        """Holdings whose `column` is one of `keys`, by holding id."""
        [key] = table.primary_key.columns.keys()
        rows = await session.execute(select(table).where(one_of(session, column, keys)))
        return {row[key]: SimpleNamespace(**row) for row in plain_rows(rows)}

    def _add_to_totals(self, kind: str, holdings) -> None:
        for holding in holdings:
            key = (holding.cif, kind)
            self.totals[key] = self.totals.get(key, NIL) + counted(kind, holding)

    def apply(self, session: AsyncSession, item: Item) -> None:
        effect, event = self.effects[item.envelope.type], item.data
        holding = self._holding(event)
        before = counted(self.kind, holding)
        effect.apply(holding, event)
        moved = counted(self.kind, holding) - before
        if moved:
            self.totals[(holding.cif, self.kind)] = self.totals.get((holding.cif, self.kind), NIL) + moved
        if effect.moves_balance:
            self._balances_moved(session, event.customer_id, item)

    def _holding(self, event) -> SimpleNamespace:
        holding_id = getattr(event, self.key)
        self.written.add(holding_id)
        holding = self.holdings.get(holding_id)
        if holding is None:   # first mention
            holding = self.holdings[holding_id] = SimpleNamespace(**{
                **blank(self.kind), self.key: holding_id, "cif": event.customer_id})
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
            basis = corporate_basis(days, day)
        tier = tier_rules().tier(customer.kind, basis)
        if tier != customer.tier:
            token = request_id_var.set(item.request_id)   # the event carries the request that caused it
            announce_tier(session, customer, tier, basis, business_date=day, now=self.now)
            request_id_var.reset(token)
            customer.version += 1
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


async def apply_run(session: AsyncSession, items: list[Item], kind: str, effects: dict[str, Effect]) -> None:
    run = HoldingsRun(kind, effects, utcnow())
    await run.load(session, items)
    for item in items:
        run.apply(session, item)
    await run.save(session)
