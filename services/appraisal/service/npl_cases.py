"""NPL responsibility cases (责任认定, 连带问责): a loan that becomes substandard or worse — whenever it was
disbursed — opens a proposed case naming the originating RM (the A岗 owner the day it was disbursed, else
the customer's first known owner) and the nearest risk manager above them; the branch head, never one
of those named, confirms it with the loss or rejects it, with a reason. A confirmed loss is charged to
both named (joint accountability) and deducted from their annual score (responsibility.year_end_losses)."""
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import LoanRecord, NplCase, NplResponsibility, OwnershipInterval, StaffMember
from services.appraisal.rules import nearest_risk_manager
from services.appraisal.scope import may_decide_case, require
from services.appraisal.service.audit import audit
from shared.auth import Principal
from shared.bulk import put_rows
from shared.errors import Problem


async def originator_of(session: AsyncSession, loan_id: str, cif: str) -> str | None:
    loan = await session.get(LoanRecord, loan_id)
    o = OwnershipInterval
    owned = select(o).where(o.cif == cif, o.role == "A", o.owner.is_not(None)).order_by(o.from_day)
    spans = (await session.exec(owned)).all()
    if loan is not None:
        on = loan.disbursed_day
        at_disbursement = next((s.owner for s in spans if s.from_day <= on < (s.to_day or on + 1)), None)
        if at_disbursement:
            return at_disbursement
    return spans[0].owner if spans else None


async def named_in(session: AsyncSession, loan_id: str, cif: str) -> tuple[str | None, str | None]:
    originator = await originator_of(session, loan_id, cif)
    member = await session.get(StaffMember, originator) if originator else None
    staff = (await session.exec(select(StaffMember).where(StaffMember.active))).all()
    risk = {s.username: s.unit_path for s in staff if "risk_manager" in s.roles}
    return originator, nearest_risk_manager(member.unit_path if member else None, risk)


async def open_cases(session: AsyncSession, downgrades: list[dict]) -> None:
    """downgrades: {"loan_id", "cif", "day", "to_class"} of loans that just became NPL; a loan keeps its
    first case (a later downgrade, doubtful to loss, is the same NPL)."""
    rows = []
    for d in {d["loan_id"]: d for d in reversed(downgrades)}.values():
        originator, risk_manager = await named_in(session, d["loan_id"], d["cif"])
        rows.append({"loan_id": d["loan_id"], "cif": d["cif"], "opened_day": d["day"], "to_class": d["to_class"],
                     "originator": originator, "risk_manager": risk_manager, "status": "proposed"})
    await put_rows(session, NplCase, rows)


async def decide_case(session: AsyncSession, actor: Principal, loan_id: str, decision: str, reason: str,
                      loss_amount: Decimal | None) -> NplCase:
    case = await session.get(NplCase, loan_id)
    if case is None:
        raise Problem(404, "not_found")
    if case.originator is None or case.risk_manager is None:   # ownership or staff learnt after the downgrade
        case.originator, case.risk_manager = await named_in(session, case.loan_id, case.cif)
    if actor.username in (case.originator, case.risk_manager):
        raise Problem(403, "decide_own_case")
    require(may_decide_case(actor))
    if case.status != "proposed":
        raise Problem(409, "case_decided", loan_id=loan_id, outcome=case.status)
    if decision == "confirm" and loss_amount is None:
        raise Problem(422, "loss_required", field="loss_amount")
    case.status, case.reason, case.decided_by = ("confirmed" if decision == "confirm" else "rejected"), reason, \
        actor.username
    year = date.fromordinal(case.opened_day).year
    if case.status == "confirmed" and loss_amount is not None:
        case.loss_amount = loss_amount
        for who, role in ((case.originator, "originated"), (case.risk_manager, "monitored")):
            if who:
                session.add(NplResponsibility(loan_id=loan_id, username=who, year=year, role=role,
                                              loss_amount=loss_amount, recorded_by=actor.username))
    session.add(case)
    await audit(session, actor.username, f"npl_case.{case.status}", loan_id, reason=reason,
                originator=case.originator, risk_manager=case.risk_manager,
                loss_amount=None if loss_amount is None else str(loss_amount))
    return case
