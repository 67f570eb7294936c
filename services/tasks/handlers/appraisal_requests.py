"""appraisal.scoring-requested → a task in the evaluator's agenda (reminded and escalated like any other
task until it is done), routed to the evaluator's team and unit from the staff book."""
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import StaffEntry
from services.tasks.rules import Rule, load_rules
from services.tasks.service.lifecycle import TaskRow, new_task
from services.tasks.service.task_set import TaskSet
from shared.clock import utcnow
from shared.events import ScoringRequested
from shared.handlers import Item, batched
from shared.logging import request_id_var

SCORING = "qualitative_scoring"


def scoring_task(rule: Rule, item: Item[ScoringRequested], evaluator: StaffEntry | None) -> TaskRow:
    event = item.data
    task = new_task(rule, subject=f"{event.plan_id}:{event.subject}", anchor=event.due_date, book=None, cif=None,
                    due_date=event.due_date, now=utcnow(), source_event_id=item.envelope.id,
                    params={"plan_id": event.plan_id, "subject": event.subject, "period": event.period,
                            "items": "、".join(event.items), "due_date": event.due_date.isoformat()})
    task.assignee = event.evaluator
    task.team, task.unit_path = (evaluator.team, evaluator.unit_path) if evaluator else (None, "")
    return task


@batched
async def on_scoring_requests(session: AsyncSession, items: list[Item[ScoringRequested]]) -> None:
    rules = await load_rules(session, (SCORING,))
    wanted = sorted({i.data.evaluator for i in items})
    found = (await session.exec(select(StaffEntry).where(StaffEntry.username.in_(wanted)))).all()
    staff = {s.username: s for s in found}
    tasks = await TaskSet.load(session, {f"{i.data.plan_id}:{i.data.subject}" for i in items},
                               {i.data.due_date for i in items}, rules=(SCORING,))
    for item in items:
        request_id_var.set(item.request_id)
        tasks.raise_(scoring_task(rules[SCORING], item, staff.get(item.data.evaluator)),
                     business_date=item.envelope.business_date, now=utcnow())
    await tasks.write()
