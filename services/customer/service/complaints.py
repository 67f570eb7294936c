"""Complaints (投诉): filed for a customer in scope, pooled with the customer's team lead — the branch
head when it is about the lead — and never handled by, nor shown to, the staff member it is about; due
within the severity's limit in business days; resolved with responsibility established (分清责任) and
the customer's feedback. Filing and resolving are announced: the tasks service reminds the handler,
appraisal counts a complaint only when the RM was found responsible."""
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Complaint, Customer, OrgUnit, Staff
from services.customer.rules import ControlRules, complaint_due
from services.customer.scope import may_file_complaint
from services.customer.service.audit import audit
from services.customer.service.calendar import calendar_overrides
from services.customer.service.outbox import publish
from shared.auth import Principal
from shared.errors import Problem
from shared.events.controls import ComplaintFiled, ComplaintResolved


async def team_lead(session: AsyncSession, team: str | None, excluding: str | None) -> str | None:
    if team is None:
        return None
    leads = (await session.exec(select(Staff).where(Staff.team_code == team, Staff.active)
                                .order_by(Staff.username))).all()
    return next((s.username for s in leads if "team_lead" in s.roles and s.username != excluding), None)


async def nearest_holder(session: AsyncSession, role: str, unit_path: str, excluding: str | None) -> str | None:
    """The active holder of `role` whose unit covers `unit_path` most closely."""
    rows = (await session.exec(select(Staff, OrgUnit).join(OrgUnit, OrgUnit.code == Staff.unit_code)
                               .where(Staff.active))).all()
    holders = [(len(u.path), s.username) for s, u in rows if role in s.roles and s.username != excluding
               and (unit_path == u.path or unit_path.startswith(u.path + "/"))]
    return max(holders)[1] if holders else None


async def branch_head(session: AsyncSession, unit_path: str, excluding: str | None) -> str | None:
    """The nearest branch head whose unit covers `unit_path`."""
    return await nearest_holder(session, "branch_head", unit_path, excluding)


async def file_complaint(session: AsyncSession, actor: Principal, customer: Customer, *, channel: str,
                         category: str, severity: str, text: str, about: str | None, rules: ControlRules,
                         business_date: date, now: datetime) -> Complaint:
    if not may_file_complaint(actor):  # a call-back's caller (a lead or head) files one the same way
        raise Problem(403, "complaint_needs_server")
    if about is not None and (await session.exec(select(Staff).where(Staff.username == about))).first() is None:
        raise Problem(422, "unknown_staff", field="about", who=about)
    handler = await team_lead(session, customer.owner_team, about) \
        or await branch_head(session, customer.unit_path, about)
    complaint = Complaint(customer_id=customer.id, cif=customer.cif, unit_path=customer.unit_path,
                          team=customer.owner_team, rm=customer.owner, channel=channel, category=category,
                          severity=severity, text=text, about=about, handler=handler, filed_by=actor.username,
                          filed_on=business_date, due_on=complaint_due(rules, severity, business_date,
                                                        await calendar_overrides(session)),
                          created_at=now)
    session.add(complaint)
    await session.flush()
    publish(session, "complaint.filed", ComplaintFiled(
        complaint_id=str(complaint.id), customer_id=customer.cif, handler=handler, about=about, severity=severity,
        unit_path=customer.unit_path, due_on=complaint.due_on),
        subject=customer.cif, business_date=business_date, now=now)
    audit(session, actor, "complaint.filed", now=now, customer=customer,
          after={"complaint": str(complaint.id), "severity": severity, "about": about, "handler": handler})
    return complaint


async def resolve_complaint(session: AsyncSession, actor: Principal, complaint: Complaint, *, responsible: str,
                            responsible_staff: str | None, finding: str, feedback: str, business_date: date,
                            now: datetime) -> Complaint:
    heads_it = actor.has("branch_head") and actor.covers_unit(complaint.unit_path)
    if actor.username not in (complaint.handler, complaint.escalated_to) and not heads_it:
        raise Problem(403, "complaint_resolver")
    if complaint.status == "resolved":
        raise Problem(409, "complaint_resolved")
    complaint.status, complaint.responsible, complaint.responsible_staff = "resolved", responsible, responsible_staff
    complaint.finding, complaint.feedback = finding, feedback
    complaint.resolved_by, complaint.resolved_on = actor.username, business_date
    session.add(complaint)
    publish(session, "complaint.resolved", ComplaintResolved(
        complaint_id=str(complaint.id), customer_id=complaint.cif, responsible=responsible,
        responsible_staff=responsible_staff, resolved_on=business_date),
        subject=complaint.cif, business_date=business_date, now=now)
    audit(session, actor, "complaint.resolved", now=now, unit_path=complaint.unit_path,
          after={"complaint": str(complaint.id), "responsible": responsible, "responsible_staff": responsible_staff})
    return complaint
