"""Maintenance plans (维护计划, seed): each month the RM draws up a plan for their customers ≥ 500k, each
quarter one for ≥ 1M, each half-year one for ≥ 2M — cumulative, so the richest are in every plan —
and the outlet head (the unit's branch head) is copied as the one who leads the maintenance. Each
customer on a band (and each one-to-one corporate customer) also gets a contact task at the bank's
cadence; one logged contact closes it, whichever plans the customer is in.

Decisions only: the scheduler (service.schedules) raises what these return."""
from collections.abc import Sequence
from datetime import date, timedelta

from services.tasks.models import CustomerBook, StaffEntry
from services.tasks.rules import BANDS, Rule, contact_months, in_plan, months_after, plan_bands
from services.tasks.service.calendar import BusinessCalendar
from services.tasks.service.lifecycle import TaskRow, new_task
from services.tasks.service.routing import nearest_with_role


def period_label(day: date, months: int) -> str:
    """2027-01, 2027-Q1 or 2027-H1: the period a plan starting on `day` covers."""
    if months == 1:
        return day.strftime("%Y-%m")
    if months == 3:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if months == 6:
        return f"{day.year}-H{(day.month - 1) // 6 + 1}"
    return f"{day.isoformat()}+{months}M"


def contact_due(visit_rule: Rule, book: CustomerBook, day: date) -> date:
    """When the customer's next contact is due: its cadence after the last one, or now if none is on record."""
    months = contact_months(visit_rule, book.tier)
    if not book.last_contact_on or not months:
        return day
    return max(day, months_after(book.last_contact_on, months))


def plan_line(visit_rule: Rule, book: CustomerBook, day: date) -> dict:
    last = book.last_contact_on
    return {"cif": book.cif, "customer_ref": book.customer_ref, "band": book.tier,
            "last_contact": last.isoformat() if last else None,
            "contact_due": contact_due(visit_rule, book, day).isoformat()}


def plans_of_day(plan_rule: Rule, visit_rule: Rule, calendar: BusinessCalendar, books: Sequence[CustomerBook],
                 staff: list[StaffEntry], day: date, now) -> list[TaskRow]:
    """One plan task per RM and band starting today, listing the RM's customers in that band or richer."""
    tasks = []
    for band in plan_bands(plan_rule, day):
        months, days = int(plan_rule[f"months_{band}"]), int(plan_rule["business_days"])
        by_owner: dict[str, list[CustomerBook]] = {}
        for book in books:
            if book.owner and in_plan(band, book.tier):
                by_owner.setdefault(book.owner, []).append(book)
        for owner, mine in sorted(by_owner.items()):
            first = mine[0]
            task = new_task(plan_rule, subject=f"{owner}:{band}", anchor=day, book=None, cif=None,
                            due_date=calendar.add_business_days(day, days), now=now,
                            params={"band": band, "period": period_label(day, months), "months": months,
                                    "count": len(mine),
                                    "customers": [plan_line(visit_rule, b, day)
                                                  for b in sorted(mine, key=lambda b: (-BANDS.index(b.tier), b.cif))]})
            task.assignee, task.team, task.unit_path = owner, first.owner_team, first.unit_path
            task.copied_to = nearest_with_role(staff, "branch_head", first.unit_path)
            tasks.append(task)
    return tasks


def contact_task(visit_rule: Rule, calendar: BusinessCalendar, book: CustomerBook, day: date, now) -> TaskRow | None:
    """A contact per cadence period for a banded or one-to-one customer, due by the period's end."""
    months = contact_months(visit_rule, book.tier)
    if not months or day.day != 1 or (day.month - 1) % months:
        return None
    due = calendar.on_or_before(months_after(day, months) - timedelta(days=1))
    return new_task(visit_rule, subject=book.cif, anchor=day, book=book, cif=book.cif, due_date=due, now=now,
                    params={"tier": book.tier, "months": months,
                            **({"last_contact": book.last_contact_on.isoformat()} if book.last_contact_on else {})})
