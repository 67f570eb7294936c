"""The team lead's controls as tasks on the lead's agenda: a retail premium customer without a B岗
(open until a B岗 is assigned or the customer is no longer premium), and a tier above what the owner's
grade may hold (reassign or upgrade; re-checked on every tier change and owner change). One open task
per customer and rule: a re-check that still finds the cause leaves it be; one that no longer does
closes it with the reason."""
from datetime import datetime

from services.tasks.rules import Rule, above_grade, needs_b_manager
from services.tasks.service.calendar import BusinessCalendar
from services.tasks.service.lifecycle import new_task
from services.tasks.service.task_set import TaskSet
from shared.handlers import Item

B_MISSING, ABOVE_GRADE = "b_manager_missing", "tier_above_grade"
RULES = (B_MISSING, ABOVE_GRADE)


def recheck(tasks: TaskSet, rules: dict[str, Rule], calendar: BusinessCalendar, book, *, grades: dict,
            leads: dict, item: Item, now: datetime) -> None:
    """Raise or close the lead's alerts of one customer after `item` changed its book row."""
    day = item.envelope.business_date
    causes = {B_MISSING: (needs_b_manager(book.kind, book.tier, book.b_manager),
                          "b_manager_assigned" if book.b_manager else "not_premium"),
              ABOVE_GRADE: (bool(book.owner) and above_grade(book.tier, grades.get(book.owner)),
                            "within_grade")}
    for name, (present, gone) in causes.items():
        open_ = [t for t in tasks.open_of_customer(book.cif) if t.rule == name]
        if present and not open_:
            rule, days = rules[name], int(rules[name]["business_days"])
            task = new_task(rule, subject=book.cif, anchor=day, book=book, cif=book.cif, now=now,
                            due_date=calendar.add_business_days(day, days), source_event_id=item.envelope.id,
                            params={"owner": book.owner or "", "tier": book.tier, "kind": book.kind or "",
                                    "grade": grades.get(book.owner) or "", "business_days": days})
            task.assignee = leads.get(book.owner_team)   # the lead's task; none known: the unit's queue
            tasks.raise_(task, business_date=day, now=now)
        elif present:   # still there: it stays with the lead of the customer's (perhaps new) team
            for task in open_:
                task.assignee, task.team, task.unit_path = leads.get(book.owner_team), book.owner_team, book.unit_path
        else:
            for task in open_:
                tasks.cancel(task, gone, business_date=day, now=now)
