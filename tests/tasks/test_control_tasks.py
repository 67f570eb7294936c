"""The customer service's controls as tasks: a ready credit file is a task for its RM, escalated to the
lead each business day it is late and closed by its submission; a complaint is a task for the lead it is
pooled with (never its subject), then for the branch head once late, closed by its resolution."""
import uuid
from datetime import date

from services.tasks.service.escalation import escalate_overdue
from services.tasks.texts import render
from shared.clock import utcnow
from tests.support import unique_cif
from tests.tasks.conftest import outbox_events, staff_event, tasks_for


def control_event(event_type: str, cif: str, business_date: str, **data) -> dict:
    return {"id": str(uuid.uuid4()), "type": event_type, "version": 1, "source": "customer-service",
            "occurred_at": f"{business_date}T08:00:00Z", "business_date": business_date, "subject": cif,
            "data": {"customer_id": cif, **data}}


async def test_a_late_credit_file_escalates_daily_until_it_is_submitted(apply_event, tasks_db):
    await apply_event(staff_event("lead01", ["team_lead"], "HQ/BR01/SB01", "T01"))
    cif, app = unique_cif(), str(uuid.uuid4())
    ready = control_event("credit.application-ready", cif, "2026-09-30", application_id=app, rm="rm01", team="T01",
                          unit_path="HQ/BR01/SB01", amount="300000.00", ready_on="2026-09-30", due_on="2026-10-13")
    await apply_event(ready)
    await apply_event({**ready, "id": str(uuid.uuid4())})    # re-sent: still one task
    [task] = await tasks_for(tasks_db, cif)
    assert (task.rule, task.assignee, task.due_date, task.status) == \
        ("credit_submission", "rm01", date(2026, 10, 13), "open")
    assert render(task.rule, task.params, english=False)[0] == f"限时服务：信贷档案 {cif} 须于 2026-10-13 前提交审查"
    for today, level in ((date(2026, 10, 13), 0), (date(2026, 10, 14), 1), (date(2026, 10, 15), 2)):
        async with tasks_db() as s:
            await escalate_overdue(s, today, utcnow())
            await s.commit()
        [task] = await tasks_for(tasks_db, cif)
        assert task.escalation_level == level, today
    assert task.escalated_to == "lead01"
    assert [e["level"] for e in await outbox_events(tasks_db, "task.escalated", cif)] == [1, 2]
    await apply_event(control_event("credit.application-submitted", cif, "2026-10-16", application_id=app,
                                    rm="rm01", risk_manager="risk01", submitted_on="2026-10-16"))
    [task] = await tasks_for(tasks_db, cif)
    assert (task.status, task.cancel_reason) == ("cancelled", "credit_submitted")


async def test_a_complaint_is_the_leads_task_then_the_branch_heads_and_closes_when_resolved(apply_event, tasks_db):
    cif, complaint = unique_cif(), str(uuid.uuid4())
    await apply_event(control_event("complaint.filed", cif, "2026-11-20", complaint_id=complaint, handler="lead01",
                                    about="rm01", severity="high", unit_path="HQ/BR01/SB01", due_on="2026-11-23"))
    [task] = await tasks_for(tasks_db, cif)
    assert (task.rule, task.assignee, task.due_date) == ("complaint_handling", "lead01", date(2026, 11, 23))
    await apply_event(control_event("complaint.escalated", cif, "2026-11-24", complaint_id=complaint,
                                    escalated_to="branch01", due_on="2026-11-23"))
    tasks = {t.rule: t for t in await tasks_for(tasks_db, cif)}
    assert (tasks["complaint_escalated"].assignee, tasks["complaint_escalated"].due_date) == \
        ("branch01", date(2026, 11, 24))
    assert "rm01" not in {t.assignee for t in tasks.values()}
    await apply_event(control_event("complaint.resolved", cif, "2026-11-25", complaint_id=complaint,
                                    responsible="rm", responsible_staff="rm01", resolved_on="2026-11-25"))
    assert {(t.rule, t.status) for t in await tasks_for(tasks_db, cif)} == \
        {("complaint_handling", "cancelled"), ("complaint_escalated", "cancelled")}


async def test_a_drawn_call_back_is_the_callers_task_and_closes_when_recorded(apply_event, tasks_db):
    cif, callback = unique_cif(), str(uuid.uuid4())
    await apply_event(control_event("callback.requested", cif, "2026-11-02", callback_id=callback, rm="rm01",
                                    assignee="lead01", unit_path="HQ/BR01/SB01", due_on="2026-11-30"))
    [task] = await tasks_for(tasks_db, cif)
    assert (task.rule, task.assignee, task.due_date) == ("customer_callback", "lead01", date(2026, 11, 30))
    await apply_event(control_event("callback.recorded", cif, "2026-11-10", callback_id=callback, rm="rm01",
                                    caller="lead01", reached=True, satisfaction=5, issues_found=False))
    [task] = await tasks_for(tasks_db, cif)
    assert (task.status, task.cancel_reason) == ("cancelled", "callback_recorded")
