"""Holdings and tier follow a fixed, replayed stream of core-banking events exactly."""
from datetime import date
from decimal import Decimal

from sqlmodel import select

from services.customer.models import BalanceDay
from services.customer.rules import TierRules, month_to_date_average
from shared.outbox import OutboxMessage
from tests.customer.helpers import create, deposit_changed, deposit_opened, loan_disbursed
from tests.support import core_event, unique_cif


def retail_stream(cif):
    return [
        deposit_opened(cif, "D1", "demand", day="2026-11-02"),
        deposit_changed(cif, "D1", "300000.00", "300000.00", day="2026-11-02"),
        deposit_opened(cif, "W1", "wealth", day="2026-11-03"),
        deposit_changed(cif, "W1", "800000.00", "800000.00", "wealth", day="2026-11-03"),      # AUM 1.1M
        deposit_opened(cif, "T1", "time", day="2026-11-04", maturity_date="2027-11-04"),
        deposit_changed(cif, "T1", "1000000.00", "1000000.00", "time", day="2026-11-04"),      # AUM 2.1M
        deposit_changed(cif, "D1", "-250000.00", "50000.00", day="2026-11-05"),                # AUM 1.85M
        core_event("deposit.closed", cif, {"account_id": "W1", "customer_id": cif, "closed_on": "2026-11-06"},
                   business_date="2026-11-06"),                                                # AUM 1.05M
    ]


async def tier_changes(sessions, cif):
    async with sessions() as s:
        rows = (await s.exec(select(OutboxMessage).where(OutboxMessage.key == cif,
                                                         OutboxMessage.event_type == "customer.tier-changed")
                             .order_by(OutboxMessage.seq))).all()
    return [(r.payload["data"]["from_tier"], r.payload["data"]["to_tier"], r.payload["data"]["basis"]) for r in rows]


async def test_retail_holdings_and_tier_follow_the_replayed_stream(customer_api, login, customer_db, apply_event):
    c = (await create(customer_api, await login("rm01"), kind="retail", name="王女士")).json()
    stream = retail_stream(c["cif"])
    for event in stream + stream:   # the replay delivers every event twice: no second effect
        await apply_event(event)
    r = (await customer_api.get(f"/api/v1/customers/{c['id']}/holdings", headers=await login("rm01"))).json()
    assert [(a["account_id"], a["product"], a["balance"], a["closed_on"]) for a in r["deposits"]] == [
        ("D1", "demand", "50000.00", None), ("T1", "time", "1000000.00", None), ("W1", "wealth", "0.00", "2026-11-06")]
    assert r["deposits"][1]["maturity_date"] == "2027-11-04"
    assert r["tier"] == "platinum" and r["tier_basis"] == {"aum": "1050000.00"}
    assert await tier_changes(customer_db, c["cif"]) == [
        ("standard", "platinum", {"aum": "1100000.00"}), ("platinum", "private", {"aum": "2100000.00"}),
        ("private", "platinum", {"aum": "1850000.00"})]


async def test_corporate_tier_uses_the_month_to_date_daily_average(customer_api, login, customer_db, apply_event):
    c = (await create(customer_api, await login("rm01"), kind="corporate")).json()
    cif = c["cif"]
    # 1st–9th nothing, 190,000 from the 10th: the average is 9×190k/18 = 95k on the 18th, 10×190k/19 = 100k
    # on the 19th — one-to-one from the 19th, though the point-in-time balance was above 100k all along.
    await apply_event(deposit_opened(cif, "C1", day="2026-11-10"))
    await apply_event(deposit_changed(cif, "C1", "190000.00", "190000.00", day="2026-11-10"))
    await apply_event(deposit_changed(cif, "C1", "0.00", "190000.00", day="2026-11-18"))
    assert (await customer_api.get(f"/api/v1/customers/{c['id']}", headers=await login("rm01"))).json()["tier"] \
        == "standard"
    await apply_event(deposit_changed(cif, "C1", "0.00", "190000.00", day="2026-11-19"))
    assert await tier_changes(customer_db, cif) == [
        ("standard", "one_to_one", {"avg_deposits": "100000.00", "avg_loans": "0.00"})]
    # a loan disbursed next month counts from its day: 1,000,000 from Dec 1st is 1M average on Dec 1st
    await apply_event(loan_disbursed(cif, "L1", "1000000.00", day="2026-12-01"))
    r = (await customer_api.get(f"/api/v1/customers/{c['id']}/holdings", headers=await login("rm01"))).json()
    assert [(x["loan_id"], x["outstanding"], x["classification"]) for x in r["loans"]] == [
        ("L1", "1000000.00", "normal")]


async def test_loans_project_due_overdue_classification_and_repayment(customer_api, login, apply_event):
    c = (await create(customer_api, await login("rm01"))).json()
    cif = c["cif"]
    await apply_event(loan_disbursed(cif, "L9", "500000.00"))
    await apply_event(core_event("loan.due", cif, {"loan_id": "L9", "customer_id": cif, "due_date": "2026-12-20",
                                                   "principal_due": "100000.00", "interest_due": "2000.00",
                                                   "outstanding_balance": "500000.00"}))
    await apply_event(core_event("loan.overdue", cif, {"loan_id": "L9", "customer_id": cif, "as_of": "2026-12-25",
                                                       "days_overdue": 5, "overdue_principal": "100000.00",
                                                       "overdue_interest": "2000.00"}))
    await apply_event(core_event("loan.classified", cif, {"loan_id": "L9", "customer_id": cif, "as_of": "2026-12-25",
                                                          "from_class": "normal", "to_class": "special_mention"}))
    holdings = await customer_api.get(f"/api/v1/customers/{c['id']}/holdings", headers=await login("rm01"))
    [loan] = holdings.json()["loans"]
    assert (loan["next_due_date"], loan["days_overdue"], loan["overdue_principal"], loan["classification"]) == (
        "2026-12-20", 5, "100000.00", "special_mention")
    await apply_event(core_event("loan.repaid", cif, {"loan_id": "L9", "customer_id": cif, "repaid_on": "2026-12-28",
                                                      "principal_paid": "500000.00", "interest_paid": "2500.00",
                                                      "outstanding_balance": "0.00"}))
    holdings = await customer_api.get(f"/api/v1/customers/{c['id']}/holdings", headers=await login("rm01"))
    [loan] = holdings.json()["loans"]
    assert loan["outstanding"] == "0.00" and loan["days_overdue"] == 0


def overdue(cif, loan, days, principal, interest, day):
    return core_event("loan.overdue", cif, {"loan_id": loan, "customer_id": cif, "as_of": day, "days_overdue": days,
                                            "overdue_principal": principal, "overdue_interest": interest},
                      business_date=day)


def repaid(cif, loan, principal, interest, outstanding, day):
    return core_event("loan.repaid", cif, {"loan_id": loan, "customer_id": cif, "repaid_on": day,
                                           "principal_paid": principal, "interest_paid": interest,
                                           "outstanding_balance": outstanding}, business_date=day)


async def test_an_overdue_loan_owes_its_overdue_principal_and_a_covering_repayment_ends_the_overdue_state(
        customer_api, login, customer_db, apply_event):
    c = (await create(customer_api, await login("rm01"))).json()
    cif = c["cif"]

    async def loans():
        r = await customer_api.get(f"/api/v1/customers/{c['id']}/holdings", headers=await login("rm01"))
        return {x["loan_id"]: (x["outstanding"], x["days_overdue"], x["overdue_principal"], x["overdue_interest"])
                for x in r.json()["loans"]}

    # LO: disbursed before the system started, first seen overdue; LD: disbursed here.
    await apply_event(overdue(cif, "LO", 5, "250000.00", "3000.00", "2026-12-01"))
    await apply_event(loan_disbursed(cif, "LD", "1000000.00", day="2026-12-01"))
    await apply_event(overdue(cif, "LD", 12, "200000.00", "4000.00", "2026-12-02"))
    assert await loans() == {"LO": ("250000.00", 5, "250000.00", "3000.00"),
                             "LD": ("1000000.00", 12, "200000.00", "4000.00")}
    async with customer_db() as s:
        day_total = await s.get(BalanceDay, (cif, "loans", date(2026, 12, 1)))
    assert day_total.balance == Decimal("1250000.00")     # the loan first seen overdue counts for the 月日均
    # LO: the interest and part of the principal: still overdue by the rest. LD: all of it: overdue no more.
    await apply_event(repaid(cif, "LO", "100000.00", "3000.00", "150000.00", "2026-12-03"))
    await apply_event(repaid(cif, "LD", "200000.00", "4000.00", "800000.00", "2026-12-03"))
    assert await loans() == {"LO": ("150000.00", 5, "150000.00", "0.00"), "LD": ("800000.00", 0, "0.00", "0.00")}


async def test_a_customer_registered_after_core_banking_spoke_starts_at_the_tier_its_holdings_earn(
        customer_api, login, customer_db, apply_event):
    cif = unique_cif()
    for event in (deposit_changed(cif, cif + "D1", "1200000.00", "1200000.00"),
                  deposit_changed(cif, cif + "W1", "900000.00", "900000.00", "wealth"),
                  core_event("deposit.closed", cif, {"account_id": cif + "W1", "customer_id": cif,
                                                     "closed_on": "2026-11-03"}, business_date="2026-11-03"),
                  deposit_changed(cif, cif + "W1", "3000.00", "3000.00", "wealth", day="2026-11-04")):
        await apply_event(event)
    r = await create(customer_api, await login("rm01"), cif=cif, kind="retail", name="李先生")
    # AUM 1,200,000: the closed wealth account counts nil, its late 3,000 too; platinum is within rm01's grade
    assert r.status_code == 201, r.text
    assert (r.json()["tier"], r.json()["version"], r.headers["ETag"]) == ("platinum", 1, '"1"')
    assert await tier_changes(customer_db, cif) == [("standard", "platinum", {"aum": "1200000.00"})]
    async with customer_db() as s:
        types = (await s.exec(select(OutboxMessage.event_type).where(OutboxMessage.key == cif)
                              .order_by(OutboxMessage.seq))).all()
    assert types == ["customer.registered", "customer.tier-changed", "customer.assigned"]
    holdings = (await customer_api.get(f"/api/v1/customers/{r.json()['id']}/holdings",
                                       headers=await login("rm01"))).json()
    assert (holdings["tier"], holdings["tier_basis"]) == ("platinum", {"aum": "1200000.00"})


def test_month_to_date_average_carries_balances_forward_and_starts_each_month_afresh():
    changes = {date(2026, 10, 31): Decimal("600"), date(2026, 11, 3): Decimal("0")}
    assert month_to_date_average(changes, date(2026, 11, 4)) == Decimal("300.00")   # 600, 600, 0, 0
    assert month_to_date_average(changes, date(2026, 10, 31)) == Decimal("19.35")   # 600 / 31


def test_tier_thresholds_are_inclusive():
    rules = TierRules()
    assert [rules.retail(Decimal(x)) for x in ("499999.99", "500000", "1000000", "2000000")] == [
        "standard", "gold", "platinum", "private"]
    assert rules.corporate(Decimal("99999.99"), Decimal("500000")) == "one_to_one"
