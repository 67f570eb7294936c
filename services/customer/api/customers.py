"""Customer routes: search, register, read, change (ETag / If-Match), prospect pipeline — every one
limited to the caller's scope."""
import re
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, or_, select

from services.customer.api.deps import AUDITED, Unmask, in_scope, shown, shown_one, unmasked_read
from services.customer.api.pages import Cursor, Limit, page, total
from services.customer.models import Customer
from services.customer.rules import INDUSTRY_POLICIES, backup_tiers
from services.customer.schemas import CustomerCreate, CustomerPage, CustomerPublic, CustomerUpdate, Status
from services.customer.scope import may_write, visible_customers
from services.customer.service.customers import (
    customer_for_update,
    etag,
    move_prospect,
    register_customer,
    update_customer,
)
from services.customer.service.industry_policy import policies
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem
from shared.tiers import TIER_HEIGHT

router = APIRouter(tags=["customers"], dependencies=AUDITED)
TIERS = tuple(TIER_HEIGHT)


class ProspectMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: Literal["researched", "contacted", "needs_found", "proposal", "negotiation", "won", "lost"]
    lost_reason: Annotated[str, Field(min_length=1, max_length=300)] | None = None


def phone_match(q: str):
    """Phone search as a counter does it: the full mobile number, or its last four digits (尾号) — the
    four a masked phone shows anyway; no other partial number, so a search cannot enumerate numbers."""
    digits = re.sub(r"[\s-]", "", q).removeprefix("+86")
    if re.fullmatch(r"\d{4}", digits):
        return col(Customer.phone).endswith(digits)
    return Customer.phone == digits


@router.get("/customers", response_model=CustomerPage)
async def list_customers(user: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None,
                         q: Annotated[str | None, Query(max_length=100, description="name (contains), CIF "
                                                        "(prefix), phone (full number or last 4 digits)")] = None,
                         tier: Annotated[Literal[TIERS] | None, Query()] = None,  # type: ignore[valid-type]
                         status: Annotated[Status | None, Query()] = None,
                         kind: Annotated[Literal["retail", "corporate"] | None, Query()] = None,
                         missing_b: Annotated[bool, Query(description="only retail premium customers without a "
                                                                       "B岗 (the lead's alert)")] = False,
                         industry_policy: Annotated[Literal[INDUSTRY_POLICIES] | None,  # type: ignore[valid-type]
                                                    Query(description="only customers whose industry has this "
                                                                      "policy today, e.g. control")] = None,
                         unmask: Unmask = False):
    """Search within scope; pages by CIF; `total` counts every customer the filters find."""
    stmt = select(Customer).where(visible_customers(user))
    if missing_b:
        stmt = stmt.where(col(Customer.kind) == "retail", col(Customer.tier).in_(backup_tiers()),
                          col(Customer.backup_owner).is_(None))
    if industry_policy:
        today = await policies(session, business_today())
        stmt = stmt.where(col(Customer.industry).in_([i for i, p in today.items() if p == industry_policy]))
    for column, value in ((Customer.tier, tier), (Customer.status, status), (Customer.kind, kind)):
        if value:
            stmt = stmt.where(column == value)
    if q:
        stmt = stmt.where(or_(col(Customer.name).contains(q), col(Customer.cif).startswith(q.upper()),
                              phone_match(q)))
    rows, next_cursor = await page(session, stmt, [(Customer.cif, False)], limit, cursor)
    full = await unmasked_read(session, user, unmask, rows, "list")
    return CustomerPage(items=await shown(session, rows, full), next_cursor=next_cursor,
                        total=await total(session, stmt))


@router.post("/customers", response_model=CustomerPublic, status_code=201)
async def create_customer(request: Request, response: Response, body: CustomerCreate, user: CurrentUser,
                          session: SessionDep):
    customer = await register_customer(session, user, body, business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    response.headers["ETag"] = etag(customer)
    return await shown_one(session, customer)


@router.get("/customers/{customer_id}", response_model=CustomerPublic)
async def get_customer(customer_id: uuid.UUID, response: Response, user: CurrentUser, session: SessionDep,
                       unmask: Unmask = False):
    customer = await in_scope(session, user, customer_id)
    full = await unmasked_read(session, user, unmask, [customer], "customer")
    response.headers["ETag"] = etag(customer)
    return await shown_one(session, customer, full)


@router.patch("/customers/{customer_id}", response_model=CustomerPublic)
async def patch_customer(request: Request, customer_id: uuid.UUID, body: CustomerUpdate, response: Response,
                         user: CurrentUser, session: SessionDep, if_match: Annotated[str | None, Header()] = None):
    """Change master fields; send If-Match with the ETag you read (412 when someone changed it since).
    A new name publishes customer.changed (the tasks service shows it beside tasks)."""
    customer = await customer_for_update(session, user, customer_id, if_match)
    customer = await update_customer(session, user, customer, body, business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    response.headers["ETag"] = etag(customer)
    return await shown_one(session, customer)


@router.post("/customers/{customer_id}/pipeline", response_model=CustomerPublic)
async def move_pipeline(request: Request, customer_id: uuid.UUID, body: ProspectMove, user: CurrentUser,
                        session: SessionDep):
    """Move a prospect along 营销储备: … → won (publishes customer.won) or lost (with reason)."""
    customer = await in_scope(session, user, customer_id)
    if not may_write(user):
        raise Problem(403, "forbidden")
    customer = await move_prospect(session, user, customer, body.stage, body.lost_reason,
                                   business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return await shown_one(session, customer)
