"""The RM's day: the day plan (`/me/day-plan`) and appointments with customers (`/appointments`)."""
import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import select

from services.tasks.models import Appointment, CustomerBook, StaffEntry
from services.tasks.schemas import AppointmentCreate, AppointmentPublic, DayPlanPublic, DayPlanUpdate, TaskPublic
from services.tasks.scope import (
    keeps_a_day,
    may_book,
    may_book_for,
    may_change_appointment,
    may_see_customer,
    visible_appointments,
)
from services.tasks.service.appointments import book_appointment, cancel_appointment
from services.tasks.service.audit import audit
from services.tasks.service.day_plan import plan_of, planned, save_plan
from services.tasks.service.names import names_of
from services.tasks.texts import RM_DAY_MESSAGES
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem, register_messages, wants_english

router = APIRouter(tags=["rm-day"])
register_messages(RM_DAY_MESSAGES)
DayParam = Annotated[date | None, Query(alias="date", description="business date; default today in Beijing time")]


def _day_keeper(user) -> None:
    if not keeps_a_day(user):
        raise Problem(403, "rm_only")


async def _plan_public(session, plan, english: bool) -> DayPlanPublic:
    tasks, appointments = await planned(session, plan)
    names = await names_of(session, (t.cif for t in tasks))
    return DayPlanPublic(date=plan.day, rm=plan.rm, items=plan.items, note=plan.note,
                         tasks=[TaskPublic.of(t, english, names.get(t.cif or "")) for t in tasks],
                         appointments=[AppointmentPublic.model_validate(a) for a in appointments])


@router.get("/me/day-plan", response_model=DayPlanPublic, tags=["me"], summary="当日工作计划")
async def my_day_plan(request: Request, user: CurrentUser, session: SessionDep, day: DayParam = None):
    _day_keeper(user)
    plan = await plan_of(session, user.username, day or business_today())
    return await _plan_public(session, plan, wants_english(request))


@router.put("/me/day-plan", response_model=DayPlanPublic, tags=["me"], summary="制定当日工作计划")
async def put_day_plan(request: Request, body: DayPlanUpdate, user: CurrentUser, session: SessionDep,
                       day: DayParam = None):
    """Replace the day's plan: the caller's own tasks and appointments, in order, each with a note."""
    _day_keeper(user)
    now = utcnow()
    plan = await save_plan(session, user.username, day or business_today(), body, now=now)
    audit(session, user, "day_plan.saved", f"{plan.rm}:{plan.day}", now=now, items=plan.items, note=plan.note)
    await session.commit()
    return await _plan_public(session, plan, wants_english(request))


@router.post("/appointments", response_model=AppointmentPublic, status_code=201, summary="预约客户")
async def book(body: AppointmentCreate, user: CurrentUser, session: SessionDep):
    """Book a customer (客户预约) for the caller, or as a lead for an RM of the team; a clash → 409."""
    if not may_book(user):
        raise Problem(403, "book_needs_rm_or_lead")
    rm, team = user.username, user.team
    if body.rm and body.rm != user.username:
        staff = await session.get(StaffEntry, body.rm)
        if not may_book_for(user, staff):
            raise Problem(404, "not_found", field="rm")
        rm, team = body.rm, staff.team if staff else None
    elif not keeps_a_day(user):
        raise Problem(422, "rm_needed", field="rm")
    book = (await session.exec(select(CustomerBook).where(CustomerBook.customer_ref == body.customer_id))).first()
    if book is None or not may_see_customer(user, book.unit_path):
        raise Problem(404, "not_found", field="customer_id")
    now = utcnow()
    row = await book_appointment(session, rm=rm, team=team, book=book, starts_at=body.starts_at, ends_at=body.ends_at,
                                 place=body.place, purpose=body.purpose, booked_by=user.username, now=now)
    audit(session, user, "appointment.booked", row.id, now=now, unit_path=row.unit_path, rm=rm, cif=row.cif,
          starts_at=row.starts_at, ends_at=row.ends_at, place=row.place, purpose=row.purpose)
    await session.commit()
    return AppointmentPublic.model_validate(row)


@router.get("/appointments", response_model=list[AppointmentPublic], summary="客户预约列表")
async def list_appointments(user: CurrentUser, session: SessionDep,
                            start: Annotated[date | None, Query(alias="from")] = None,
                            end: Annotated[date | None, Query(alias="to")] = None, rm: str | None = None):
    """Appointments in scope from `from` to `to` (the bank's dates, both included; default today)."""
    first = start or business_today()
    last = end or first
    if last < first:
        raise Problem(422, "validation", field="to")
    stmt = select(Appointment).where(visible_appointments(user), Appointment.day >= first, Appointment.day <= last)
    if rm:
        stmt = stmt.where(Appointment.rm == rm)
    return [AppointmentPublic.model_validate(a) for a in (await session.exec(stmt.order_by(Appointment.starts_at)))]


@router.post("/appointments/{appointment_id}/cancel", response_model=AppointmentPublic, summary="取消预约")
async def cancel(appointment_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    row = (await session.exec(select(Appointment).where(Appointment.id == appointment_id,
                                                        visible_appointments(user)))).first()
    if row is None:
        raise Problem(404, "not_found")
    if not may_change_appointment(user, row):
        raise Problem(403, "book_needs_rm_or_lead")
    now = utcnow()
    row = await cancel_appointment(session, row, now=now)
    audit(session, user, "appointment.cancelled", row.id, now=now, unit_path=row.unit_path, rm=row.rm, cif=row.cif)
    await session.commit()
    return AppointmentPublic.model_validate(row)

