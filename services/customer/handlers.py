"""Which event changes what in the customer service: one table from event type to handler.

Core-banking events keep the holdings projection and the tier; task events keep the open-task read
model the departure-handover checklist lists (we never ask the tasks service)."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.core_events import EFFECTS
from services.customer.handover import OpenTask
from services.customer.holdings import deposit_account, loan_holding, recompute_tier, record_day_total
from services.customer.holdings_runs import on_deposit_run, on_loan_run
from shared.clock import utcnow
from shared.events import Envelope, EventData, TaskCancelled, TaskCompleted, TaskCreated


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


async def on_task_created(session: AsyncSession, envelope: Envelope, event: TaskCreated) -> None:
    if await session.get(OpenTask, event.task_id) is not None:
        return
    session.add(OpenTask(task_id=event.task_id, cif=event.customer_id, assignee=event.assignee, kind=event.kind,
                         due_date=event.due_date))


async def on_task_closed(session: AsyncSession, envelope: Envelope, event: TaskCompleted | TaskCancelled) -> None:
    task = await session.get(OpenTask, event.task_id)
    if task is not None:
        await session.delete(task)


TASK_HANDLERS = {
    "task.created": on_task_created,
    "task.completed": on_task_closed,
    "task.cancelled": on_task_closed,
}
# Deposit (and loan) events of all types share one set-based handler, so a partition's whole poll is
# one run however the types interleave. ONE_BY_ONE is the per-event reference (tests and the bench compare
# against it).
HANDLERS = {**{t: on_deposit_run if e.kind == "deposits" else on_loan_run for t, e in EFFECTS.items()},
            **TASK_HANDLERS}
ONE_BY_ONE = {**{t: on_core_banking_event for t in EFFECTS}, **TASK_HANDLERS}
