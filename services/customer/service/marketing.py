"""Marketing results (登记每日营销业绩): the RM registers them; core banking confirms those its events bear
out (an account opened, a fee posted, a loan disbursed for the customer within the window), the lead
checks the categories no event confirms. Only confirmed results count: each confirmation is published
for appraisal (and the tasks service's summaries)."""
from datetime import date, datetime
from typing import Literal

from sqlmodel import select

from services.customer.models import Customer, MarketingResult
from services.customer.rules import MARKETING_CONFIRMED_BY, confirms, stale_before
from services.customer.schemas import MarketingResultCreate
from services.customer.scope import checks_results, registers_results
from services.customer.service.audit import audit
from services.customer.service.outbox import publish
from shared.auth import Principal
from shared.db import one_of
from shared.errors import Problem
from shared.events import MarketingResultConfirmed, MarketingResultRegistered


def _registered(row: MarketingResult) -> dict:
    return dict(result_id=str(row.id), customer_id=row.cif, customer_ref=str(row.customer_id), rm=row.rm,
                team=row.team, category=row.category, amount=None if row.amount is None else str(row.amount),
                count=row.count, result_date=row.result_date)


def register_result(session, actor: Principal, customer: Customer, cmd: MarketingResultCreate, *,
                    now: datetime) -> MarketingResult:
    if not registers_results(actor):
        raise Problem(403, "results_by_rm")
    if (cmd.amount is None) == (cmd.count is None):
        raise Problem(422, "amount_or_count", field="amount")
    row = MarketingResult(customer_id=customer.id, cif=customer.cif, rm=actor.username, team=actor.team,
                          unit_path=customer.unit_path, category=cmd.category, amount=cmd.amount, count=cmd.count,
                          result_date=cmd.result_date, created_at=now)
    session.add(row)
    publish(session, "marketing-result.registered", MarketingResultRegistered(**_registered(row)),
            subject=customer.cif, business_date=cmd.result_date, now=now)
    audit(session, actor, "marketing_result.registered", now=now, customer=customer,
          after={"category": cmd.category, "amount": cmd.amount, "count": cmd.count, "date": cmd.result_date})
    return row


def _confirm(session, row: MarketingResult, by: Literal["event", "lead"], evidence: str, day: date,
             now: datetime) -> None:
    row.status, row.confirmed_by, row.evidence, row.confirmed_on = "confirmed", by, evidence, day
    session.add(row)
    publish(session, "marketing-result.confirmed",
            MarketingResultConfirmed(**_registered(row), confirmed_by=by, confirmed_on=day, evidence=evidence),
            subject=row.cif, business_date=day, now=now)


async def check_result(session, actor: Principal, row: MarketingResult, *, business_date: date,
                       now: datetime) -> MarketingResult:
    """The lead's check, for the categories core banking cannot confirm."""
    if not checks_results(actor):
        raise Problem(403, "results_checked_by_lead")
    if MARKETING_CONFIRMED_BY.get(row.category):
        raise Problem(409, "confirmed_by_core_banking", category=row.category)
    if row.status == "confirmed":
        raise Problem(409, "already_confirmed")
    _confirm(session, row, "lead", actor.username, business_date, now)
    customer = await session.get(Customer, row.customer_id)
    audit(session, actor, "marketing_result.confirmed", now=now, customer=customer, after={"result": str(row.id)})
    return row


async def confirm_by_events(session, facts: list[tuple[str, str, str, date]], now: datetime) -> int:
    """Core-banking facts (event id, type, CIF, date), in event order: each confirms the oldest open result
    of the customer that it bears out. Set-based: one read for the run's customers."""
    if not facts:
        return 0
    open_rows = (await session.exec(select(MarketingResult).where(
        one_of(session, MarketingResult.cif, {f[2] for f in facts}), MarketingResult.status == "registered")
        .order_by(MarketingResult.result_date, MarketingResult.created_at, MarketingResult.id))).all()
    confirmed = 0
    for event_id, event_type, cif, day in facts:
        row = next((r for r in open_rows if r.cif == cif and r.status == "registered"
                    and confirms(r.category, r.result_date, event_type, day)), None)
        if row is not None:
            _confirm(session, row, "event", event_id, day, now)
            confirmed += 1
    return confirmed


def stale_results(where, as_of: date):
    """Unconfirmed results older than the limit, in the caller's scope (`where`), oldest first."""
    return (select(MarketingResult).where(where, MarketingResult.status == "registered",
                                          MarketingResult.result_date < stale_before(as_of))
            .order_by(MarketingResult.result_date, MarketingResult.id))
