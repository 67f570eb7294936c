"""Tasks that come from the calendar rather than an event: maintenance visits by tier, the annual
credit rating review, the monthly customer report, birthdays, quarterly post-loan inspections of
corporate loans.

plan_day decides a day's tasks subject by subject: a subject whose facts the rule cannot handle (a
date beyond the calendar, say) is logged and skipped — counted in the plan — and never stops the
others. Unique (rule, subject, anchor date) makes a repeated day harmless."""
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import CustomerBook, LoanBook
from services.tasks.rules import load_rules, months_after, risk_rank
from services.tasks.service.calendar import load_calendar
from services.tasks.service.lifecycle import TaskRow, new_task, raise_task
from shared.clock import utcnow

log = logging.getLogger("scheduler")
RULES = ("maintenance_visit", "credit_rating_review", "monthly_report", "birthday", "post_loan_inspection")


@dataclass(frozen=True)
class Skipped:
    """A subject a scheduler step could not decide for, and why."""
    step: str
    subject: str
    reason: str


@dataclass
class DayPlan:
    day: date
    tasks: list[TaskRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def each(self, step: str, subjects: Iterable[tuple[str, object]], decide: Callable[[object], TaskRow | None]):
        for key, subject in subjects:
            try:
                task = decide(subject)
            except Exception as err:  # noqa: BLE001 - one subject's bad facts must not cost everyone their day
                log.warning("scheduler step %s skipped %s on %s: %s: %s", step, key, self.day, type(err).__name__, err)
                self.skipped.append(Skipped(step, key, f"{type(err).__name__}: {err}"))
                continue
            if task is not None:
                self.tasks.append(task)


async def generate_day(session: AsyncSession, day: date) -> DayPlan:
    """Raise the day's scheduled tasks in the caller's transaction; the plan says what was skipped."""
    calendar, rules = await load_calendar(session), await load_rules(session, RULES)
    books = (await session.exec(select(CustomerBook).where(CustomerBook.owner.is_not(None)))).all()
    loans = (await session.exec(select(LoanBook, CustomerBook).join(CustomerBook, CustomerBook.cif == LoanBook.cif)
                                .where(LoanBook.outstanding > 0, LoanBook.disbursed_on.is_not(None),
                                       CustomerBook.kind == "corporate"))).all()
    plan, now = DayPlan(day), utcnow()

    def task(name: str, book, **facts) -> TaskRow:
        return new_task(rules[name], book=book, cif=book.cif if book else None, now=now, **facts)

    def maintenance(book) -> TaskRow | None:
        """A visit per period (monthly gold, quarterly platinum, half-yearly private), due by period end."""
        months = int(rules["maintenance_visit"].params.get(f"months_{book.tier}", 0))
        if not months or (day.month - 1) % months:
            return None
        due = calendar.on_or_before(months_after(day, months) - timedelta(days=1))
        return task("maintenance_visit", book, subject=book.cif, anchor=day, due_date=due,
                    params={"tier": book.tier, "months": months})

    def credit_rating(book) -> TaskRow | None:
        if book.kind != "corporate":
            return None
        rule = rules["credit_rating_review"]
        return task("credit_rating_review", book, subject=book.cif, anchor=day, params={"year": day.year},
                    due_date=calendar.on_or_before(date(day.year, int(rule["month"]), int(rule["day"]))))

    def monthly_report(owner_book) -> TaskRow:
        """One report per RM per month, due on the 5th or the next working day after it."""
        owner, book = owner_book
        report_day = int(rules["monthly_report"]["day"])
        report = task("monthly_report", None, subject=owner, anchor=day,
                      due_date=calendar.on_or_after(date(day.year, day.month, report_day)),
                      params={"month": day.strftime("%Y-%m"), "day": report_day})
        report.assignee, report.team, report.unit_path = owner, book.owner_team, book.unit_path
        return report

    def birthday(book) -> TaskRow | None:
        lead = int(rules["birthday"]["lead_days"])
        if book.birthday is None:
            return None
        when = _birthday_in((day + timedelta(days=lead)).year, book.birthday)
        if when - timedelta(days=lead) != day:
            return None
        return task("birthday", book, subject=book.cif, anchor=when, due_date=max(calendar.on_or_before(when), day),
                    params={"birthday": when.isoformat(), "lead_days": lead})

    def inspection(loan_book) -> TaskRow | None:
        """Corporate loans get a post-loan inspection every quarter after the first."""
        loan, book = loan_book
        months, n = int(rules["post_loan_inspection"]["repeat_months_corporate"]), 1
        while (anniversary := months_after(loan.disbursed_on, months * n)) < day:
            n += 1
        if anniversary != day or (loan.maturity_date is not None and day >= loan.maturity_date):
            return None
        return task("post_loan_inspection", book, subject=loan.loan_id, anchor=day, due_date=calendar.on_or_after(day),
                    amount=loan.outstanding, risk_rank=risk_rank(loan.classification),
                    params={"loan_id": loan.loan_id, "principal": str(loan.principal),
                            "disbursed_on": loan.disbursed_on.isoformat(),
                            "template": "post_loan_inspection_quarterly"})

    by_cif = [(b.cif, b) for b in books]
    if day.day == 1:
        plan.each("maintenance_visit", by_cif, maintenance)
        if day.month == 1:
            plan.each("credit_rating_review", by_cif, credit_rating)
        owners = {b.owner: (b.owner, b) for b in books if b.owner is not None}   # the query reads owned customers
        plan.each("monthly_report", sorted(owners.items()), monthly_report)
    plan.each("birthday", by_cif, birthday)
    plan.each("post_loan_inspection", [(loan.loan_id, (loan, book)) for loan, book in loans], inspection)
    for new in plan.tasks:
        await raise_task(session, new, business_date=day, now=now)
    return plan


def _birthday_in(year: int, birthday: date) -> date:
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)
