"""Audit work (离岗审计, 常规稽核): an auditor opens a case on one RM over a period; the case lists what
the auditor must look at — the RM's customers in the period, ownership moves, unmasked reads,
backdated work-log entries, complaints and overdue loans — and records findings (appended, never edited)
and a sign-off. A departure handover opens the departure audit by itself; leads never run it."""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import AuditCase, AuditEntry, Complaint, Customer, CustomerOwnership, Interaction, LoanHolding
from services.customer.rules import DEPARTURE_LOOKBACK_DAYS, backdated
from services.customer.scope import may_run_audit
from services.customer.service.audit import audit
from services.customer.service.qualifications import staff_unit_path
from shared.auth import Principal
from shared.errors import Problem


def _auditor(actor: Principal) -> None:
    if not may_run_audit(actor):
        raise Problem(403, "audits_for_auditors")


async def open_audit(session: AsyncSession, actor: Principal, *, kind: str, rm: str, period_from: date,
                     period_to: date, now: datetime) -> AuditCase:
    _auditor(actor)
    unit_path = await staff_unit_path(session, actor, rm)
    if period_from > period_to:
        raise Problem(422, "period_backwards", field="period_from")
    return _opened(session, actor.username, kind, rm, unit_path, period_from, period_to, now)


def open_departure_audit(session: AsyncSession, opened_by: str, rm: str, unit_path: str, *, business_date: date,
                         now: datetime) -> AuditCase:
    """Opened by the handover itself: the leaver's last year, for the auditors of their unit."""
    return _opened(session, opened_by, "departure", rm, unit_path,
                   business_date - timedelta(days=DEPARTURE_LOOKBACK_DAYS), business_date, now)


def _opened(session, opened_by, kind, rm, unit_path, period_from, period_to, now) -> AuditCase:
    case = AuditCase(kind=kind, rm=rm, unit_path=unit_path, period_from=period_from, period_to=period_to,
                     opened_by=opened_by, opened_at=now, findings=[])
    session.add(case)
    audit(session, opened_by, "audit_case.opened", now=now, unit_path=unit_path,
          after={"case": str(case.id), "kind": kind, "rm": rm, "from": str(period_from), "to": str(period_to)})
    return case


async def add_finding(session: AsyncSession, actor: Principal, case: AuditCase, text: str, severity: str, *,
                      now: datetime) -> AuditCase:
    _auditor(actor)
    if case.status != "open":
        raise Problem(409, "audit_signed_off")
    case.findings = [*case.findings, {"text": text, "severity": severity, "by": actor.username, "at": now.isoformat()}]
    session.add(case)
    audit(session, actor, "audit_case.finding", now=now, unit_path=case.unit_path,
          after={"case": str(case.id), "severity": severity})
    return case


async def sign_off(session: AsyncSession, actor: Principal, case: AuditCase, conclusion: str, *,
                   now: datetime) -> AuditCase:
    _auditor(actor)
    if case.status != "open":
        raise Problem(409, "audit_signed_off")
    case.status, case.conclusion, case.signed_off_by, case.signed_off_at = "signed_off", conclusion, actor.username, now
    session.add(case)
    audit(session, actor, "audit_case.signed_off", now=now, unit_path=case.unit_path,
          after={"case": str(case.id), "kind": case.kind, "rm": case.rm})
    return case


async def case_contents(session: AsyncSession, case: AuditCase) -> dict:
    """What the auditor reviews for the RM in the period, read from this service's own records."""
    start = datetime.combine(case.period_from, time.min, timezone.utc)
    end = datetime.combine(case.period_to + timedelta(days=1), time.min, timezone.utc)
    held = (await session.exec(select(CustomerOwnership, Customer.cif)
                               .join(Customer, Customer.id == CustomerOwnership.customer_id)
                               .where(CustomerOwnership.owner == case.rm, CustomerOwnership.effective_from < end,
                                      or_(CustomerOwnership.effective_to.is_(None),
                                          CustomerOwnership.effective_to >= start))
                               .order_by(CustomerOwnership.effective_from))).all()
    cifs = sorted({cif for _, cif in held})
    reads = (await session.exec(select(AuditEntry).where(AuditEntry.actor == case.rm,
                                                         AuditEntry.action == "pii.unmasked_read",
                                                         AuditEntry.at >= start, AuditEntry.at < end)
                                .order_by(AuditEntry.seq))).all()
    logged = (await session.exec(select(Interaction).where(Interaction.rm == case.rm, Interaction.created_at >= start,
                                                           Interaction.created_at < end))).all()
    complaints = (await session.exec(select(Complaint).where(
        or_(Complaint.about == case.rm, Complaint.rm == case.rm),
        Complaint.filed_on >= case.period_from, Complaint.filed_on <= case.period_to))).all()
    loans = (await session.exec(select(LoanHolding).where(LoanHolding.cif.in_(cifs), LoanHolding.days_overdue > 0)
                                .order_by(LoanHolding.cif))).all()
    return {
        "customers": [{"cif": cif, "role": row.role, "from": row.effective_from, "to": row.effective_to}
                      for row, cif in held],
        "transfers": [{"cif": cif, "role": row.role, "reason": row.reason, "at": at,
                       "direction": "in" if at == row.effective_from else "out"}
                      for row, cif in held for at in (row.effective_from, row.effective_to)
                      if at is not None and start <= at < end],
        "unmasked_reads": [{"cif": e.cif, "at": e.at, "client": e.client} for e in reads],
        "backdated_entries": [{"interaction_id": str(i.id), "cif": i.cif, "occurred_on": i.occurred_on,
                               "logged_at": i.created_at} for i in logged
                              if backdated(i.occurred_on, i.created_at.date())],
        "complaints": [{"complaint_id": str(c.id), "cif": c.cif, "about": c.about, "status": c.status,
                        "responsible": c.responsible} for c in complaints],
        "overdue_loans": [{"loan_id": loan.loan_id, "cif": loan.cif, "days_overdue": loan.days_overdue,
                           "outstanding": str(loan.outstanding)} for loan in loans],
    }
