"""Interactions (走访/联系记录): visits, calls, e-mails and surprise visits with notes, needs found and
next step, optionally co-signed by the customer. Kept immutable once logged (what a customer signed
stays as signed); the RM's work log is the day's interactions, and a lead may mark one spot-checked."""
from datetime import datetime

from services.customer.models import Customer, Interaction
from services.customer.schemas import InteractionCreate
from services.customer.scope import may_spot_check, serves_customers
from services.customer.service.audit import audit
from services.customer.service.outbox import publish
from shared.auth import Principal
from shared.errors import Problem
from shared.events import InteractionLogged


def log_interaction(session, actor: Principal, customer: Customer, cmd: InteractionCreate, *,
                    now: datetime) -> Interaction:
    if not serves_customers(actor):
        raise Problem(403, "forbidden")
    row = Interaction(customer_id=customer.id, cif=customer.cif, rm=actor.username, team=actor.team,
                      created_at=now, **cmd.model_dump())
    session.add(row)
    publish(session, "interaction.logged", InteractionLogged(
        interaction_id=str(row.id), customer_id=customer.cif, customer_ref=str(customer.id), rm=actor.username,
        channel=cmd.channel, occurred_on=cmd.occurred_on, task_id=cmd.task_id),
        subject=customer.cif, business_date=cmd.occurred_on, now=now)
    audit(session, actor, "interaction.logged", now=now, customer=customer, after=cmd.model_dump())
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
