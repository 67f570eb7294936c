"""The scheduler: annual credit rating, the monthly report on the 5th (or the
next working day), birthdays, quarterly inspections of corporate loans; run twice → once; after an
outage → the missed days once. Each test gets a database of its own: the bookmark is global."""
import logging
from datetime import date
from decimal import Decimal

from sqlmodel import select

from services.tasks.cli.scheduler import JOB, run_schedules
from services.tasks.models import LoanBook, SchedulerBookmark, Task
from tests.support import core_event, loan_due
from tests.tasks.conftest import scheduled, staff_event


async def test_monthly_report_is_due_on_the_5th_or_the_next_working_day(bank):
    await bank.customer(owner="rm01")
    await run_schedules(bank.sessions, date(2026, 10, 1))
    [report] = await scheduled(bank.sessions, "monthly_report")
    # 5 Oct 2026 falls in National Day week: the next working day is 8 Oct
    assert (report.assignee, report.subject, str(report.due_date)) == ("rm01", "rm01", "2026-10-08")
    assert report.params["month"] == "2026-10"


async def test_annual_credit_rating_review_is_for_corporate_customers(bank):
    corporate = await bank.customer(kind="corporate")
    await bank.customer(kind="retail")
    await run_schedules(bank.sessions, date(2027, 1, 1))
    [review] = await scheduled(bank.sessions, "credit_rating_review")
    assert (review.cif, str(review.due_date), review.params["year"]) == (corporate, "2027-03-31", 2027)


async def test_birthday_greeting_is_scheduled_3_days_ahead(bank):
    cif = await bank.customer(birthday="1980-12-04")
    await run_schedules(bank.sessions, date(2026, 11, 30))
    assert await scheduled(bank.sessions, "birthday") == []
    await run_schedules(bank.sessions, date(2026, 12, 1))
    [greeting] = await scheduled(bank.sessions, "birthday")
    assert (greeting.cif, str(greeting.due_date)) == (cif, "2026-12-04")


async def test_corporate_loans_get_a_post_loan_inspection_every_quarter(bank):
    corporate, retail = await bank.customer(kind="corporate"), await bank.customer(kind="retail")
    for cif, loan in ((corporate, "L-CQ"), (retail, "L-RQ")):
        await bank(core_event("loan.disbursed", cif, {
            "loan_id": loan, "customer_id": cif, "product": "working_capital", "principal": "1000000.00",
            "currency": "CNY", "disbursed_on": "2026-09-22", "maturity_date": "2027-09-22",
            "government_related": False, "classification": "normal"}, business_date="2026-09-22"))
    await run_schedules(bank.sessions, date(2026, 12, 21))
    await run_schedules(bank.sessions, date(2026, 12, 22))
    quarterly = [t for t in await scheduled(bank.sessions, "post_loan_inspection") if t.anchor_date.month == 12]
    assert [(t.subject, str(t.due_date)) for t in quarterly] == [("L-CQ", "2026-12-22")]
    assert quarterly[0].params["template"] == "post_loan_inspection_quarterly"


async def test_running_the_scheduler_twice_for_a_day_creates_each_task_once(bank):
    await bank.customer(tier="gold", birthday="1990-12-04")
    assert (await run_schedules(bank.sessions, date(2026, 12, 1))).days == [date(2026, 12, 1)]
    first = len(await scheduled(bank.sessions))
    assert (await run_schedules(bank.sessions, date(2026, 12, 1))).days == []
    async with bank.sessions() as s:                         # even with the bookmark lost, the key holds
        await s.delete(await s.get(SchedulerBookmark, JOB))
        await s.commit()
    await run_schedules(bank.sessions, date(2026, 12, 1))
    assert first == 4 and len(await scheduled(bank.sessions)) == first   # contact, plan, report, birthday


async def test_after_a_3_day_outage_the_scheduler_creates_the_missed_days_once(bank):
    await bank.customer(tier="gold", birthday="1990-12-04")
    await run_schedules(bank.sessions, date(2026, 11, 28))       # last run before the outage
    assert await scheduled(bank.sessions) == []
    days = (await run_schedules(bank.sessions, date(2026, 12, 2))).days   # down 29, 30 Nov and 1 Dec
    assert days == [date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
    caught_up = await scheduled(bank.sessions)
    assert sorted(t.rule for t in caught_up) == ["birthday", "maintenance_plan", "maintenance_visit", "monthly_report"]
    assert {t.anchor_date for t in caught_up if t.rule != "birthday"} == {date(2026, 12, 1)}
    assert (await run_schedules(bank.sessions, date(2026, 12, 2))).days == []
    assert len(await scheduled(bank.sessions)) == len(caught_up)


async def test_a_subject_whose_dates_break_a_rule_is_skipped_and_counted_not_the_whole_day(bank, caplog):
    await bank(staff_event("lead01", ["team_lead"], "HQ/BR01/SB01", "T01"))
    good = await bank.customer(tier="gold", birthday="1990-12-04")
    await bank(loan_due(good, "L-LATE", "2026-12-20", business_date="2026-11-02"))   # due 20 Nov: late by 1 Dec
    corporate = await bank.customer(kind="corporate")
    async with bank.sessions() as s:   # a disbursement stored before dates were bounded: 9999 + 3 months fails
        s.add(LoanBook(loan_id="L-BAD", cif=corporate, principal=Decimal("1.00"), outstanding=Decimal("1.00"),
                       disbursed_on=date(9999, 12, 1)))
        await s.commit()
    with caplog.at_level(logging.WARNING, logger="scheduler"):
        run = await run_schedules(bank.sessions, date(2026, 12, 1))
    assert run.days == [date(2026, 12, 1)]
    assert [(s.step, s.subject) for s in run.skipped] == [("post_loan_inspection", "L-BAD")]
    assert "ValueError" in run.skipped[0].reason and "L-BAD" in caplog.text
    made = {(t.rule, t.cif or t.subject) for t in await scheduled(bank.sessions)}
    assert {("maintenance_visit", good), ("birthday", good), ("monthly_report", "rm01")} <= made
    assert run.escalated >= 1
    async with bank.sessions() as s:
        late = (await s.exec(select(Task).where(Task.subject == "L-LATE"))).one()
    # 7 business days late (23–27 Nov, 30 Nov, 1 Dec) when first found: the first escalation reads level 1
    assert (late.escalated_to, late.escalation_level) == ("lead01", 1)
