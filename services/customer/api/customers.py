"""Customer routes: list, register, read, transfer — every one limited to the caller's scope."""
import base64
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import or_, select

from services.customer.models import Customer
from services.customer.schemas import CustomerCreate, CustomerPage, CustomerPublic, TransferRequest
from services.customer.scope import visible_customers
from services.customer.service import register_customer, transfer_customer
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem

router = APIRouter(tags=["customers"])
MAX_PAGE = 200


def _cursor(cif: str) -> str:
    return base64.urlsafe_b64encode(cif.encode()).decode()


def _after(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise Problem(422, "validation", field="cursor") from None


async def _in_scope(session, user, customer_id: uuid.UUID) -> Customer:
    customer = (await session.exec(select(Customer).where(Customer.id == customer_id,
                                                          visible_customers(user)))).first()
    if customer is None:  # outside scope looks exactly like absent: existence is private
        raise Problem(404, "not_found")
    return customer


@router.get("/customers", response_model=CustomerPage)
async def list_customers(user: CurrentUser, session: SessionDep,
                         limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
                         cursor: str | None = None, q: Annotated[str | None, Query(max_length=100)] = None):
    stmt = select(Customer).where(visible_customers(user)).order_by(Customer.cif).limit(limit + 1)
    if cursor:
        stmt = stmt.where(Customer.cif > _after(cursor))
    if q:
        stmt = stmt.where(or_(Customer.name.contains(q), Customer.cif.startswith(q.upper())))
    rows = (await session.exec(stmt)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return CustomerPage(items=[CustomerPublic.of(c) for c in rows],
                        next_cursor=_cursor(rows[-1].cif) if more else None)


@router.post("/customers", response_model=CustomerPublic, status_code=201)
async def create_customer(request: Request, body: CustomerCreate, user: CurrentUser, session: SessionDep):
    customer = await register_customer(session, user, body, business_date=business_today(), now=utcnow())
    events_written(request)
    return CustomerPublic.of(customer)


@router.get("/customers/{customer_id}", response_model=CustomerPublic)
async def get_customer(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    return CustomerPublic.of(await _in_scope(session, user, customer_id))


@router.post("/customers/{customer_id}/transfer", response_model=CustomerPublic)
async def transfer(request: Request, customer_id: uuid.UUID, body: TransferRequest, user: CurrentUser,
                   session: SessionDep):
    customer = await _in_scope(session, user, customer_id)
    customer = await transfer_customer(session, user, customer, body.to, body.reason,
                                       business_date=business_today(), now=utcnow())
    events_written(request)
    return CustomerPublic.of(customer)
