"""Interactions (走访/联系记录): visits, calls, e-mails and surprise visits with notes, needs found and
next step, optionally co-signed by the customer. Kept immutable once logged (what a customer signed
stays as signed); the RM's work log is the day's interactions, and a lead may mark one spot-checked."""
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field as PField
from sqlalchemy import or_
from sqlmodel import Field, SQLModel

from services.customer.audit import audit
from services.customer.models import Customer
from shared.auth import Principal
from shared.errors import Problem, register_messages
from shared.events import CUSTOMER_TOPIC, InteractionLogged
from shared.outbox import record_event

register_messages({
    "spot_check_needs_lead": ("抽查须由团队主管或支行行长进行", "Spot checks are for team leads and branch heads"),
    "already_checked": ("该记录已被抽查", "This log entry was already spot-checked"),
})


class Interaction(SQLModel, table=True):
    __tablename__ = "interaction"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    cif: str = Field(max_length=32)
    rm: str = Field(max_length=64, index=True)
    team: str | None = Field(default=None, max_length=32)
    channel: str = Field(max_length=20)
    occurred_on: date
    notes: str = Field(max_length=4000)
    needs: str | None = Field(default=None, max_length=2000)
    next_step: str | None = Field(default=None, max_length=2000)
    co_signed_by: str | None = Field(default=None, max_length=100)
    task_id: str | None = Field(default=None, max_length=64)
    created_at: datetime
    spot_checked_by: str | None = Field(default=None, max_length=64)
    spot_checked_at: datetime | None = None


class InteractionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Literal["visit", "phone", "email", "surprise_visit"]
    occurred_on: date
    notes: Annotated[str, PField(min_length=1, max_length=4000)]
    needs: Annotated[str, PField(max_length=2000)] | None = None
    next_step: Annotated[str, PField(max_length=2000)] | None = None
    co_signed_by: Annotated[str, PField(min_length=1, max_length=100)] | None = None
    task_id: Annotated[str, PField(max_length=64)] | None = None


class InteractionPublic(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    cif: str
    rm: str
    channel: str
    occurred_on: date
    notes: str
    needs: str | None
    next_step: str | None
    co_signed_by: str | None
    task_id: str | None
    created_at: datetime
    spot_checked_by: str | None
    spot_checked_at: datetime | None


async def log_interaction(session, actor: Principal, customer: Customer, cmd: InteractionCreate, *,
                          now: datetime) -> Interaction:
    if not actor.has("rm", "team_lead", "branch_head"):
        raise Problem(403, "forbidden")
    row = Interaction(customer_id=customer.id, cif=customer.cif, rm=actor.username, team=actor.team,
                      created_at=now, **cmd.model_dump())
    session.add(row)
    record_event(session, CUSTOMER_TOPIC, "interaction.logged", InteractionLogged(
        interaction_id=str(row.id), customer_id=customer.cif, customer_ref=str(customer.id), rm=actor.username,
        channel=cmd.channel, occurred_on=cmd.occurred_on, task_id=cmd.task_id),
        subject=customer.cif, business_date=cmd.occurred_on, source="customer-service", now=now)
    audit(session, actor, "interaction.logged", now=now, customer=customer, after=cmd.model_dump())
    await session.commit()
    return row


def visible_log(actor: Principal):
    """Whose work log a caller reads: their own; a lead the team's; heads, risk and audit their subtree."""
    if actor.has("admin"):
        return Interaction.id.is_not(None)
    clauses = [Interaction.rm == actor.username]
    if actor.has("team_lead") and actor.team:
        clauses.append(Interaction.team == actor.team)
    if actor.has("branch_head", "risk_manager", "auditor"):
        clauses.append(Interaction.customer_id.in_(_subtree_customers(actor)))
    return or_(*clauses)


def _subtree_customers(actor: Principal):
    from sqlmodel import select
    return select(Customer.id).where(actor.subtree(Customer.unit_path))


async def spot_check(session, actor: Principal, row: Interaction, *, now: datetime) -> Interaction:
    if not actor.has("team_lead", "branch_head"):
        raise Problem(403, "spot_check_needs_lead")
    if row.spot_checked_by:
        raise Problem(409, "already_checked")
    row.spot_checked_by, row.spot_checked_at = actor.username, now
    session.add(row)
    customer = await session.get(Customer, row.customer_id)
    audit(session, actor, "worklog.spot_checked", now=now, customer=customer, after={"interaction": str(row.id)})
    await session.commit()
    return row
