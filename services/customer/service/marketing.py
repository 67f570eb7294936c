"""Marketing results (登记每日营销业绩): the RM registers them; core banking confirms those its events bear
out (an account opened, a fee posted, a loan disbursed for the customer within the window), the lead
checks the categories no event confirms. Only confirmed results count: each confirmation is published
for appraisal (and the tasks service's summaries)."""
from datetime import date, datetime
from typing import Literal, NamedTuple

from sqlmodel import select

from services.customer.models import Customer, DepositAccount, LoanHolding, MarketingResult
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


class Fact(NamedTuple):
    """A core-banking fact that can confirm one result: what happened (the event type), to what (account,
    loan or fee id), for whom, on which day. Its key is the confirmed result's evidence, so a fact never
    confirms two results."""
    event_type: str
    ref: str
    cif: str
    day: date

    @property
    def key(self) -> str:
        return f"{self.event_type}:{self.ref}"


async def _facts_held(session, cif: str) -> list[Fact]:
    """Accounts opened and loans disbursed that the holdings already hold: the fact may come before the
    RM registers the result (the account opened at the counter, registered in the evening)."""
    accounts = (await session.exec(select(DepositAccount).where(DepositAccount.cif == cif,
                                                                DepositAccount.opened_on.is_not(None)))).all()
    loans = (await session.exec(select(LoanHolding).where(LoanHolding.cif == cif,
                                                          LoanHolding.disbursed_on.is_not(None)))).all()
    return sorted([Fact("deposit.opened", a.account_id, cif, a.opened_on) for a in accounts]
                  + [Fact("loan.disbursed", loan.loan_id, cif, loan.disbursed_on) for loan in loans],
                  key=lambda f: (f.day, f.key))


async def register_result(session, actor: Principal, customer: Customer, cmd: MarketingResultCreate, *,
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
    if MARKETING_CONFIRMED_BY.get(cmd.category):
        await session.flush()
        await confirm_by_events(session, await _facts_held(session, customer.cif), now)
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


async def confirm_by_events(session, facts: list[Fact], now: datetime) -> int:
    """Core-banking facts in event order: each not yet used confirms the oldest open result of the customer
    that it bears out. Set-based: one read of the customers' open results, one of the facts already used."""
    if not facts:
        return 0
    cifs = {f.cif for f in facts}
    open_rows = (await session.exec(select(MarketingResult).where(
        one_of(session, MarketingResult.cif, cifs), MarketingResult.status == "registered")
        .order_by(MarketingResult.result_date, MarketingResult.created_at, MarketingResult.id))).all()
    if not open_rows:
        return 0
    used = set((await session.exec(select(MarketingResult.evidence).where(
        one_of(session, MarketingResult.evidence, {f.key for f in facts})))).all())
    confirmed = 0
    for fact in facts:
        row = None if fact.key in used else next(
            (r for r in open_rows if r.cif == fact.cif and r.status == "registered"
             and confirms(r.category, r.result_date, fact.event_type, fact.day)), None)
        if row is not None:
            _confirm(session, row, "event", fact.key, fact.day, now)
            used.add(fact.key)
            confirmed += 1
    return confirmed


def stale_results(where, as_of: date):
    """Unconfirmed results older than the limit, in the caller's scope (`where`); the caller orders."""
    return select(MarketingResult).where(where, MarketingResult.status == "registered",
                                         MarketingResult.result_date < stale_before(as_of))
