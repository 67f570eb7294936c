"""Shared steps of the customer tests: register a customer, count rows, read the outbox, core-banking
deposit/loan events."""
from sqlmodel import func, select

from shared.outbox import OutboxMessage
from tests.support import core_event, unique_cif


async def create(api, headers, **body):
    body = {"cif": unique_cif(), "name": "测试贸易有限公司", "kind": "corporate", **body}
    return await api.post("/api/v1/customers", json=body, headers=headers)


async def count(sessions, model, *where):
    async with sessions() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


async def outbox(sessions, event_type, key=None):
    """The payloads of the events of this type staged so far (of one subject, when given), in order."""
    async with sessions() as s:
        stmt = select(OutboxMessage).where(OutboxMessage.event_type == event_type).order_by(OutboxMessage.seq)
        rows = (await s.exec(stmt.where(OutboxMessage.key == key) if key else stmt)).all()
    return [r.payload for r in rows]


def deposit_opened(cif, account, product="demand", day="2026-11-02", **kw):
    return core_event("deposit.opened", cif, {"account_id": account, "customer_id": cif, "product": product,
                                              "currency": "CNY", "opened_on": day, **kw}, business_date=day)


def deposit_changed(cif, account, amount, balance, product="demand", day="2026-11-02"):
    return core_event("deposit.changed", cif, {"account_id": account, "customer_id": cif, "product": product,
                                               "currency": "CNY", "amount": amount, "balance": balance},
                      business_date=day)


def loan_disbursed(cif, loan, principal, day="2026-11-02"):
    return core_event("loan.disbursed", cif, {"loan_id": loan, "customer_id": cif, "product": "working_capital",
                                              "principal": principal, "currency": "CNY", "disbursed_on": day,
                                              "maturity_date": "2027-11-02", "government_related": False,
                                              "classification": "normal"}, business_date=day)
