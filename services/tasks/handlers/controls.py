"""The customer service's controls become tasks: a ready credit file a task for its RM due when review is
due (escalated daily by the ordinary escalation once late) and closed when it is submitted; a complaint a
task for the lead it is pooled with, then one for the branch head once past its limit, all closed when
it is resolved; a customer drawn for a call-back a task for the caller drawn (never the RM). The
deadlines come computed in the events, so these rules have no numbers to tune."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.rules import Rule
from services.tasks.service.lifecycle import TaskRow, new_task
from services.tasks.service.task_set import TaskSet
from shared.clock import utcnow
from shared.handlers import Item, batched
from shared.logging import request_id_var

CREDIT = Rule("credit_submission", "credit_submission", 1)
COMPLAINT = Rule("complaint_handling", "complaint", 1)
ESCALATED = Rule("complaint_escalated", "complaint", 1)
CALLBACK = Rule("customer_callback", "callback", 3)
RULES = (CREDIT.name, COMPLAINT.name, ESCALATED.name, CALLBACK.name)
CLOSED_BY = {"credit.application-submitted": "credit_submitted", "complaint.resolved": "complaint_resolved",
             "callback.recorded": "callback_recorded"}
SUBJECTS = {"credit": "application_id", "complaint": "complaint_id", "callback": "callback_id"}


def subject_of(item: Item) -> str:
    family = item.envelope.type.split(".")[0]
    return f"{family}:{getattr(item.data, SUBJECTS[family])}"


def control_task(item: Item) -> TaskRow | None:
    """The task an event raises (None: the event only closes tasks). Routed by the event, not the book:
    a complaint never goes to the owner it may be about."""
    kind, event, day = item.envelope.type, item.data, item.envelope.business_date
    if kind == "credit.application-ready":
        rule, assignee, team, due = CREDIT, event.rm, event.team, event.due_on
        params = {"ready_on": str(event.ready_on), "amount": f"{event.amount:.2f}"}
    elif kind == "complaint.filed":
        rule, assignee, team, due = COMPLAINT, event.handler, None, event.due_on
        params = {"severity": event.severity}
    elif kind == "complaint.escalated":
        rule, assignee, team, due = ESCALATED, event.escalated_to, None, day
        params = {}
    elif kind == "callback.requested":   # the assignee is never the customer's RM: the draw sees to that
        rule, assignee, team, due = CALLBACK, event.assignee, None, event.due_on
        params = {"rm": event.rm}
    else:
        return None
    task = new_task(rule, subject=subject_of(item), anchor=day, book=None, cif=event.customer_id, due_date=due,
                    now=utcnow(), source_event_id=item.envelope.id,
                    params={**params, "cif": event.customer_id, "due_date": str(event.due_on)})
    task.assignee, task.team = assignee, team
    task.unit_path = getattr(event, "unit_path", "")
    return task


@batched
async def on_control_events(session: AsyncSession, items: list[Item]) -> None:
    tasks = await TaskSet.load(session, {subject_of(i) for i in items}, {i.envelope.business_date for i in items},
                               rules=RULES)
    for item in items:
        request_id_var.set(item.request_id)
        day, now = item.envelope.business_date, utcnow()
        if item.envelope.type in CLOSED_BY:
            for open_task in tasks.open(subject_of(item)):
                tasks.cancel(open_task, CLOSED_BY[item.envelope.type], business_date=day, now=now)
        elif (raised := control_task(item)) is not None:
            tasks.raise_(raised, business_date=day, now=now)
    await tasks.write()
