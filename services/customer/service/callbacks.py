"""Call-backs (回访): each month a sample of every RM's book is drawn for an independent call-back by
someone other than that RM — the RM's team lead, else the branch head — announced so the tasks service
puts it in their day; the result (reached, satisfaction 1–5, issues) is recorded by anyone but the
customer's own managers, and an issue found may open a complaint."""
import calendar
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Callback, Customer, Staff
from services.customer.rules import ControlRules, callback_sample
from services.customer.scope import may_call_back
from services.customer.service.audit import audit
from services.customer.service.complaints import branch_head, file_complaint, team_lead
from services.customer.service.outbox import publish
from shared.auth import Principal
from shared.errors import Problem
from shared.events.controls import CallbackRecorded, CallbackRequested


async def draw_callbacks(session: AsyncSession, rules: ControlRules, month: date, *, business_date: date,
                         now: datetime) -> list[Callback]:
    """The month's draw over every RM's A岗 book; customers already drawn this month are kept, not redrawn."""
    month = month.replace(day=1)
    due_on = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    rms = (await session.exec(select(Staff).where(Staff.active).order_by(Staff.username))).all()
    drawn = set((await session.exec(select(Callback.customer_id).where(Callback.month == month,
                                                                       Callback.assignee.is_not(None)))).all())
    made = []
    for rm in (s for s in rms if "rm" in s.roles):
        book = {c.cif: c for c in (await session.exec(select(Customer).where(Customer.owner == rm.username))).all()}
        for cif in callback_sample(rules, book, rm.username, month):
            customer = book[cif]
            if customer.id in drawn:
                continue
            assignee = await team_lead(session, customer.owner_team, rm.username) \
                or await branch_head(session, customer.unit_path, rm.username)
            row = Callback(month=month, customer_id=customer.id, cif=cif, unit_path=customer.unit_path,
                           team=customer.owner_team, rm=rm.username, assignee=assignee, created_at=now)
            session.add(row)
            publish(session, "callback.requested", CallbackRequested(
                callback_id=str(row.id), customer_id=cif, rm=rm.username, assignee=assignee,
                unit_path=customer.unit_path, due_on=due_on), subject=cif, business_date=business_date, now=now)
            made.append(row)
    return made


async def record_callback(session: AsyncSession, actor: Principal, customer: Customer, *, reached: bool,
                          satisfaction: int | None, issues: str | None, open_complaint: bool, rules: ControlRules,
                          business_date: date, now: datetime) -> Callback:
    if not may_call_back(actor):
        raise Problem(403, "callback_roles")
    if actor.username in (customer.owner, customer.backup_owner):
        raise Problem(409, "callback_by_other")   # 回访 checks the RM: never by the customer's own managers
    month = business_date.replace(day=1)
    row = (await session.exec(select(Callback).where(Callback.customer_id == customer.id, Callback.month == month,
                                                     Callback.status == "drawn"))).first() \
        or Callback(month=month, customer_id=customer.id, cif=customer.cif, unit_path=customer.unit_path,
                    team=customer.owner_team, rm=customer.owner, created_at=now)
    row.status, row.caller, row.reached, row.satisfaction, row.issues = "recorded", actor.username, reached, \
        satisfaction, issues
    row.recorded_at = now
    if issues and open_complaint:
        complaint = await file_complaint(session, actor, customer, channel="callback", category="service",
                                         severity="medium", text=issues, about=None, rules=rules,
                                         business_date=business_date, now=now)
        row.complaint_id = complaint.id
    session.add(row)
    publish(session, "callback.recorded", CallbackRecorded(
        callback_id=str(row.id), customer_id=customer.cif, rm=row.rm, caller=actor.username, reached=reached,
        satisfaction=satisfaction, issues_found=bool(issues)), subject=customer.cif, business_date=business_date,
        now=now)
    audit(session, actor, "callback.recorded", now=now, customer=customer,
          after={"callback": str(row.id), "reached": reached, "satisfaction": satisfaction})
    return row
