"""Interactions (走访/联系记录): visits, calls, e-mails and surprise visits with notes, needs found and
next step, optionally co-signed by the customer. Kept immutable once logged (what a customer signed
stays as signed); the RM's work log is the day's interactions, and a lead may mark one spot-checked.

Visits that count are real (issue 21 point 8): a date in the future is refused; one further back than
the late-entry window (rules.entry_standing) is kept but waits for the lead's approval (or rejection),
and only a counted interaction is announced as `interaction.logged` (what the tasks and appraisal
services count)."""
from datetime import date, datetime
from functools import lru_cache

from services.customer.config import Settings
from services.customer.models import Customer, Interaction
from services.customer.rules import Overrides, entry_standing
from services.customer.schemas import InteractionCreate
from services.customer.scope import may_approve_late_entry, may_spot_check, serves_customers
from services.customer.service.audit import audit
from services.customer.service.decisions import LATE_ENTRY, settle
from services.customer.service.outbox import publish
from shared.auth import Principal
from shared.errors import Problem
from shared.events import InteractionLogged


@lru_cache(maxsize=1)
def late_entry_days() -> int:
    return Settings().interaction_late_entry_days


def log_interaction(session, actor: Principal, customer: Customer, cmd: InteractionCreate, *,
                    today: date, now: datetime, overrides: Overrides) -> Interaction:
    if not serves_customers(actor):
        raise Problem(403, "forbidden")
    standing = entry_standing(cmd.occurred_on, today, overrides, late_entry_days())
    if standing == "future":
        raise Problem(422, "interaction_in_future", field="occurred_on", occurred_on=cmd.occurred_on.isoformat())
    row = Interaction(customer_id=customer.id, cif=customer.cif, rm=actor.username, team=actor.team,
                      created_at=now, status=standing, **cmd.model_dump())
    session.add(row)
    if standing == "counted":
        announce(session, row, customer, now=now)
    audit(session, actor, "interaction.logged", now=now, customer=customer,
          after={**cmd.model_dump(), "status": standing})
    return row


def announce(session, row: Interaction, customer: Customer, *, now: datetime) -> None:
    publish(session, "interaction.logged", InteractionLogged(
        interaction_id=str(row.id), customer_id=customer.cif, customer_ref=str(customer.id), rm=row.rm,
        channel=row.channel, occurred_on=row.occurred_on, task_id=row.task_id),
        subject=customer.cif, business_date=row.occurred_on, now=now)


async def decide_late_entry(session, actor: Principal, row: Interaction, approve: bool, note: str | None, *,
                            now: datetime) -> Interaction:
    """The lead (or branch head) lets a late entry count — it is announced now, dated when it happened —
    or rejects it with a reason (it stays in the log and never counts)."""
    settle(LATE_ENTRY, row, actor, approve, may_decide=may_approve_late_entry(actor), requester=row.rm, now=now)
    row.decision_note = note
    session.add(row)
    customer = await session.get(Customer, row.customer_id)
    if customer is None:
        raise Problem(404, "not_found")
    if approve:
        announce(session, row, customer, now=now)
    audit(session, actor, f"interaction.{'approved' if approve else 'rejected'}", now=now, customer=customer,
          after={"interaction": str(row.id), "note": note})
    return row


async def spot_check(session, actor: Principal, row: Interaction, *, now: datetime) -> Interaction:
    if not may_spot_check(actor):
        raise Problem(403, "spot_check_needs_lead")
    if row.spot_checked_by:
        raise Problem(409, "already_checked")
    row.spot_checked_by, row.spot_checked_at = actor.username, now
    session.add(row)
    customer = await session.get(Customer, row.customer_id)
    audit(session, actor, "worklog.spot_checked", now=now, customer=customer, after={"interaction": str(row.id)})
    return row
