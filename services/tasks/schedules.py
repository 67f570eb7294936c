"""Tasks that come from the calendar rather than an event: maintenance visits by tier, the annual
credit rating review, the monthly customer report, birthdays, quarterly post-loan inspections of
corporate loans; and the daily escalation of tasks past due.

`run_schedules(sessions, through)` works day by day from the bookmark to `through`, one commit per
day (tasks + bookmark together): running it twice is a no-op, and after an outage it makes the days
it missed, once each. Unique (rule, subject, anchor date) makes a repeated day harmless anyway.
"""
from datetime import date, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import BusinessCalendar, load_calendar
from services.tasks.escalation import escalate_overdue
from services.tasks.models import CustomerBook, LoanBook, SchedulerBookmark
from services.tasks.rules import load_rule, months_after, risk_rank
from services.tasks.service import new_task, raise_task
from shared.clock import utcnow

JOB = "daily"


async def run_schedules(sessions, through: date) -> list[date]:
    """Generate every day after the bookmark up to `through`; return the days it generated."""
    async with sessions() as session:
        mark = await session.get(SchedulerBookmark, JOB)
    day = mark.last_day + timedelta(days=1) if mark else through
    done = []
    while day <= through:
        async with sessions() as session:
            await generate_day(session, day)
            mark = await session.get(SchedulerBookmark, JOB) or SchedulerBookmark(job=JOB, last_day=day)
            mark.last_day = day
            session.add(mark)
            await session.commit()
        done.append(day)
        day += timedelta(days=1)
    async with sessions() as session:  # escalation looks at today only: its level counts the days itself
        await escalate_overdue(session, through, utcnow())
        await session.commit()
    return done


async def generate_day(session: AsyncSession, day: date) -> None:
    calendar = await load_calendar(session)
    books = (await session.exec(select(CustomerBook).where(CustomerBook.owner.is_not(None)))).all()
    await _maintenance(session, calendar, books, day)
    await _credit_rating(session, calendar, books, day)
    await _monthly_report(session, calendar, books, day)
    await _birthdays(session, calendar, books, day)
    await _inspections(session, calendar, day)


async def _raise(session, rule, book, *, subject, anchor, due, day, params, amount=None, rank=9) -> None:
    task = new_task(rule, subject=subject, anchor=anchor, book=book, cif=book.cif if book else None,
                    due_date=due, now=utcnow(), params=params, amount=amount, risk_rank=rank)
    await raise_task(session, task, business_date=day, now=utcnow())


async def _maintenance(session, calendar: BusinessCalendar, books, day: date) -> None:
    """A visit per period (monthly gold, quarterly platinum, half-yearly private), due by period end."""
    if day.day != 1:
        return
    rule = await load_rule(session, "maintenance_visit")
    for book in books:
        months = int(rule.params.get(f"months_{book.tier}", 0))
        if months and (day.month - 1) % months == 0:
            due = calendar.on_or_before(months_after(day, months) - timedelta(days=1))
            await _raise(session, rule, book, subject=book.cif, anchor=day, due=due, day=day,
                         params={"tier": book.tier, "months": months})


async def _credit_rating(session, calendar: BusinessCalendar, books, day: date) -> None:
    if (day.month, day.day) != (1, 1):
        return
    rule = await load_rule(session, "credit_rating_review")
    due = calendar.on_or_before(date(day.year, int(rule["month"]), int(rule["day"])))
    for book in books:
        if book.kind == "corporate":
            await _raise(session, rule, book, subject=book.cif, anchor=day, due=due, day=day,
                         params={"year": day.year})


async def _monthly_report(session, calendar: BusinessCalendar, books, day: date) -> None:
    """One report per RM per month, due on the 5th or the next working day after it."""
    if day.day != 1:
        return
    rule = await load_rule(session, "monthly_report")
    due = calendar.on_or_after(date(day.year, day.month, int(rule["day"])))
    owners = {b.owner: b for b in books}
    for owner, book in sorted(owners.items()):
        task = new_task(rule, subject=owner, anchor=day, book=None, cif=None, due_date=due, now=utcnow(),
                        params={"month": day.strftime("%Y-%m"), "day": int(rule["day"])})
        task.assignee, task.team, task.unit_path = owner, book.owner_team, book.unit_path
        await raise_task(session, task, business_date=day, now=utcnow())


def _birthday_in(year: int, birthday: date) -> date:
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


async def _birthdays(session, calendar: BusinessCalendar, books, day: date) -> None:
    rule = await load_rule(session, "birthday")
    lead = int(rule["lead_days"])
    for book in books:
        if book.birthday is None:
            continue
        birthday = _birthday_in((day + timedelta(days=lead)).year, book.birthday)
        if birthday - timedelta(days=lead) == day:
            await _raise(session, rule, book, subject=book.cif, anchor=birthday, day=day,
                         due=max(calendar.on_or_before(birthday), day),
                         params={"birthday": birthday.isoformat(), "lead_days": lead})


async def _inspections(session, calendar: BusinessCalendar, day: date) -> None:
    """Corporate loans get a post-loan inspection every quarter after the first."""
    rule = await load_rule(session, "post_loan_inspection")
    months = int(rule["repeat_months_corporate"])
    loans = (await session.exec(select(LoanBook, CustomerBook).join(CustomerBook, CustomerBook.cif == LoanBook.cif)
                                .where(LoanBook.outstanding > 0, LoanBook.disbursed_on.is_not(None),
                                       CustomerBook.kind == "corporate"))).all()
    for loan, book in loans:
        n = 1
        while (anniversary := months_after(loan.disbursed_on, months * n)) < day:
            n += 1
        if anniversary == day and (loan.maturity_date is None or day < loan.maturity_date):
            await _raise(session, rule, book, subject=loan.loan_id, anchor=day, due=calendar.on_or_after(day),
                         day=day, amount=loan.outstanding, rank=risk_rank(loan.classification),
                         params={"loan_id": loan.loan_id, "principal": str(loan.principal),
                                 "disbursed_on": loan.disbursed_on.isoformat(),
                                 "template": "post_loan_inspection_quarterly"})
