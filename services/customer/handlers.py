"""Which event changes what in the customer service: one table from event type to handler.

Core-banking events keep the holdings projection and the tier; task events keep the open-task read
model the departure-handover checklist lists (we never ask the tasks service)."""
from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.core_events import EFFECTS
from services.customer.handover import OpenTask
from services.customer.holdings import deposit_account, loan_holding, recompute_tier, record_day_total
from services.customer.holdings_runs import on_deposit_run, on_loan_run
from shared.clock import utcnow
from shared.handlers import Item, batched
from shared.bulk import put_rows
from shared.events import Envelope, EventData


async def on_core_banking_event(session: AsyncSession, envelope: Envelope, event: EventData) -> None:
    """One deposit or loan event on its own: the reference the set-based runs must match (tests and
    bench/bench_customer_ingest.py compare the two); the consumer uses the runs."""
    effect = EFFECTS[envelope.type]
    if effect.kind == "deposits":
        holding = await deposit_account(session, event.account_id, event.customer_id, effect.product(event))
    else:
        holding = await loan_holding(session, event.loan_id, event.customer_id)
    effect.apply(holding, event)
    session.add(holding)
    if effect.moves_balance:
        await record_day_total(session, event.customer_id, effect.kind, envelope.business_date)
        await recompute_tier(session, event.customer_id, business_date=envelope.business_date, now=utcnow())


@batched
async def on_tasks_created(session: AsyncSession, items: list[Item]) -> None:
    """A task already on record stays as first announced (a redelivered or re-sent task.created).
    One statement for the run: an executemany paid a round trip per task (a fifth of a deposit stream)."""
    await put_rows(session, OpenTask, [
        {"task_id": i.data.task_id, "cif": i.data.customer_id, "assignee": i.data.assignee, "kind": i.data.kind,
         "due_date": i.data.due_date} for i in items])


@batched
async def on_tasks_closed(session: AsyncSession, items: list[Item]) -> None:
    await session.execute(delete(OpenTask).where(OpenTask.task_id.in_({i.data.task_id for i in items})))


TASK_HANDLERS = {
    "task.created": on_tasks_created,
    "task.completed": on_tasks_closed,
    "task.cancelled": on_tasks_closed,
}
# Deposit (and loan) events of all types share one set-based handler, so a partition's whole poll is
# one run however the types interleave. PER_EVENT_HANDLERS is the per-event reference for core-banking events
# (tests and the bench compare against it); task events are set-based in both.
HANDLERS = {**{t: on_deposit_run if e.kind == "deposits" else on_loan_run for t, e in EFFECTS.items()},
            **TASK_HANDLERS}
PER_EVENT_HANDLERS = {**{t: on_core_banking_event for t in EFFECTS}, **TASK_HANDLERS}
