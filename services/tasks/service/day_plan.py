"""The RM's plan for a day (当日工作计划): which of their tasks and appointments they take on, in order,
with a note each. Only the RM's own open tasks and booked appointments may be planned."""
from datetime import date, datetime

from sqlmodel import select

from services.tasks.models import Appointment, DayPlan, Task
from services.tasks.schemas import DayPlanUpdate
from shared.errors import Problem


async def plan_of(session, rm: str, day: date) -> DayPlan:
    return await session.get(DayPlan, (rm, day)) or DayPlan(rm=rm, day=day, items=[])


async def planned(session, plan: DayPlan) -> tuple[list[Task], list[Appointment]]:
    """The plan's tasks and appointments, in plan order (one query each)."""
    ids = {kind: [i["id"] for i in plan.items if i["kind"] == kind] for kind in ("task", "appointment")}
    tasks = {str(t.id): t for t in (await session.exec(select(Task).where(Task.id.in_(ids["task"])))).all()}
    appts = {str(a.id): a for a in (await session.exec(select(Appointment).where(
        Appointment.id.in_(ids["appointment"])))).all()}
    return [tasks[i] for i in ids["task"] if i in tasks], [appts[i] for i in ids["appointment"] if i in appts]


async def save_plan(session, rm: str, day: date, cmd: DayPlanUpdate, *, now: datetime) -> DayPlan:
    """Replace the day's plan; an id that is not the RM's own task or appointment looks absent (404)."""
    task_ids = [i.id for i in cmd.items if i.kind == "task"]
    appt_ids = [i.id for i in cmd.items if i.kind == "appointment"]
    mine_tasks = set((await session.exec(select(Task.id).where(Task.id.in_(task_ids), Task.assignee == rm))).all())
    mine_appts = set((await session.exec(select(Appointment.id).where(Appointment.id.in_(appt_ids),
                                                                      Appointment.rm == rm))).all())
    for n, item in enumerate(cmd.items):
        if item.id not in (mine_tasks if item.kind == "task" else mine_appts):
            raise Problem(404, "not_found", field=f"items.{n}.id")
    if len({(i.kind, i.id) for i in cmd.items}) != len(cmd.items):
        raise Problem(422, "plan_item_twice", field="items")
    plan = await plan_of(session, rm, day)
    plan.items = [{"kind": i.kind, "id": str(i.id), "note": i.note} for i in cmd.items]
    plan.note, plan.updated_at = cmd.note, now
    session.add(plan)
    return plan
