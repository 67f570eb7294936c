"""Who a task goes to: the customer's A岗 owner (and the collection due date that depends on who the
borrower is), the nearest risk manager for a copy, the team lead for an escalation."""
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import StaffEntry, Task
from services.tasks.rules import LoanDueRule, tier_rank
from services.tasks.service.calendar import BusinessCalendar
from services.tasks.service.lifecycle import BookEntry, TaskRow


def route_to_owner(task: Task | TaskRow, book: BookEntry, calendar: BusinessCalendar, business_date: date,
                   now: datetime) -> None:
    """An open task follows its customer to the (new) owner, unit and tier. A collection's due date is
    recomputed with the numbers it was made with, since only now may we know the borrower is
    government-related."""
    task.assignee, task.team, task.unit_path = book.owner, book.owner_team, book.unit_path
    task.customer_ref, task.tier_rank = book.customer_ref, tier_rank(book.tier)
    if task.rule == "loan_due" and task.assignee:
        loan_rule = LoanDueRule.recorded(task.params)
        task.due_date = loan_rule.due_date(calendar, task.anchor_date, book.government_related, business_date)
        task.params = {**task.params, "lead_days": loan_rule.lead_for(book.government_related),
                       "government_note_key": "government" if book.government_related else ""}
    task.updated_at = now


def nearest_risk_manager(staff: list[StaffEntry], unit_path: str) -> str | None:
    """The risk manager nearest the customer's unit: same unit first, then up the tree."""
    covering = [s for s in staff if s.active and "risk_manager" in s.roles and s.unit_path
                and (unit_path == s.unit_path or unit_path.startswith(s.unit_path + "/"))]
    return max(covering, key=lambda s: (len(s.unit_path), s.username)).username if covering else None


def team_leads(staff: list[StaffEntry]) -> dict[str, str]:
    """Each team's lead (the first username when a team has several)."""
    return {s.team: s.username for s in sorted(staff, key=lambda s: s.username, reverse=True)
            if s.active and s.team and "team_lead" in s.roles}


async def active_staff(session: AsyncSession) -> list[StaffEntry]:
    return list((await session.exec(select(StaffEntry).where(StaffEntry.active))).all())
