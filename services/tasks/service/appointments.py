"""Appointments with customers (客户预约): booking (no clash with the RM's other booked appointments),
cancelling, the interactions that keep them, and the missed ones the scheduler turns into follow-up
tasks. An appointment changes the RM's agenda, so each write bumps the RM's agenda version."""
from datetime import date, datetime

from sqlalchemy import text, tuple_
from sqlmodel import select, update

from services.tasks.models import Appointment, CustomerBook
from services.tasks.rules import load_rule, overlaps
from services.tasks.schemas import AppointmentPublic
from services.tasks.service.agenda import bump_agendas
from services.tasks.service.calendar import load_calendar
from services.tasks.service.lifecycle import new_task, raise_task
from services.tasks.texts import label
from shared.clock import BANK_TZ
from shared.errors import Problem

BOOKED = "booked"


async def bump_agenda(session, rm: str) -> None:
    """The agenda cache keys on this version; the task triggers do the same for task rows."""
    await bump_agendas(session, [rm])


async def _lock_rm(session, rm: str) -> None:
    """Two bookings for one RM at once must not both pass the clash check."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('appointment:' || :rm))"), {"rm": rm})


async def book_appointment(session, *, rm: str, team: str | None, book: CustomerBook, starts_at: datetime,
                           ends_at: datetime, place: str, purpose: str, booked_by: str, now: datetime) -> Appointment:
    if ends_at <= starts_at:
        raise Problem(422, "appointment_ends_first", field="ends_at")
    await _lock_rm(session, rm)
    others = (await session.exec(select(Appointment).where(
        Appointment.rm == rm, Appointment.status == BOOKED, Appointment.starts_at < ends_at,
        Appointment.ends_at > starts_at))).all()
    clash = next((a for a in others if overlaps(starts_at, ends_at, a.starts_at, a.ends_at)), None)
    if clash is not None:
        raise Problem(409, "appointment_clash", field="starts_at", other=str(clash.id),
                      at=clash.starts_at.astimezone(BANK_TZ).strftime("%Y-%m-%d %H:%M"))
    row = Appointment(rm=rm, team=team, unit_path=book.unit_path, cif=book.cif, customer_ref=book.customer_ref,
                      starts_at=starts_at, ends_at=ends_at, day=starts_at.astimezone(BANK_TZ).date(), place=place,
                      purpose=purpose, booked_by=booked_by, created_at=now, updated_at=now)
    session.add(row)
    await bump_agenda(session, rm)
    return row


async def cancel_appointment(session, row: Appointment, *, now: datetime) -> Appointment:
    if row.status != BOOKED:
        raise Problem(409, "appointment_not_booked", state_zh=label(row.status, False), state_en=label(row.status, True))
    row.status, row.updated_at = "cancelled", now
    session.add(row)
    await bump_agenda(session, row.rm)
    return row


async def keep_appointments(session, visits: set[tuple[str, str, date]], now: datetime) -> None:
    """Interactions logged (rm, cif, day): the booked appointments they answer are kept (one statement)."""
    if not visits:
        return
    kept = await session.execute(update(Appointment).where(
        tuple_(Appointment.rm, Appointment.cif, Appointment.day).in_(sorted(visits)), Appointment.status == BOOKED)
        .values(status="kept", updated_at=now).returning(Appointment.rm))
    for rm in sorted(set(kept.scalars())):
        await bump_agenda(session, rm)


async def raise_missed(session, day: date, now: datetime) -> int:
    """Appointments of days before `day` still booked (no interaction that day): missed, each a follow-up
    task for its RM (one per appointment: the task's subject is the appointment)."""
    missed = (await session.exec(select(Appointment).where(Appointment.status == BOOKED, Appointment.day < day)
                                 .order_by(Appointment.starts_at))).all()
    if not missed:
        return 0
    rule, calendar = await load_rule(session, "missed_appointment"), await load_calendar(session)
    for row in missed:
        book = await session.get(CustomerBook, row.cif)
        task = new_task(rule, subject=f"appointment:{row.id}", anchor=row.day, book=book, cif=row.cif,
                        due_date=calendar.add_business_days(day, int(rule["business_days"])), now=now,
                        params={"starts_at": row.starts_at.astimezone(BANK_TZ).strftime("%Y-%m-%d %H:%M"),
                                "place": row.place, "purpose": row.purpose,
                                "business_days": int(rule["business_days"]), "appointment": str(row.id)})
        task.assignee, task.team, task.unit_path = row.rm, row.team, row.unit_path   # the RM who booked it
        await raise_task(session, task, business_date=day, now=now)
        row.status, row.updated_at = "missed", now
        session.add(row)
        await bump_agenda(session, row.rm)
    return len(missed)


async def appointments_of_day(session, rm: str, day: date) -> list[AppointmentPublic]:
    """The agenda's appointments: the RM's booked (or already kept) ones that day, by time."""
    rows = (await session.exec(select(Appointment).where(Appointment.rm == rm, Appointment.day == day,
                                                         Appointment.status.in_((BOOKED, "kept")))
                               .order_by(Appointment.starts_at))).all()
    return [AppointmentPublic.model_validate(a) for a in rows]
