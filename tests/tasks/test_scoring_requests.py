"""Appraisal's qualitative scoring requests arrive as events and become tasks in the evaluator's agenda."""
import uuid

from sqlmodel import select

from services.tasks.models import Task


def scoring_requested(evaluator: str, subject: str, due: str, plan: str | None = None) -> dict:
    return {"id": str(uuid.uuid4()), "type": "appraisal.scoring-requested", "version": 1, "source": "appraisal-service",
            "occurred_at": "2026-11-25T08:00:00Z", "business_date": "2026-11-25", "subject": evaluator,
            "data": {"plan_id": plan or uuid.uuid4().hex[:8], "evaluator": evaluator, "subject": subject,
                     "period": "2026-11", "items": ["responsibility", "compliance"], "due_date": due}}


async def test_a_scoring_request_is_a_task_in_the_evaluators_agenda_once(apply_event, tasks_db, tasks_api, as_user):
    event = scoring_requested("lead01", "rm02", "2026-11-30")
    await apply_event(event)
    await apply_event({**event, "id": str(uuid.uuid4())})      # re-sent request: still one task
    async with tasks_db() as s:
        tasks = (await s.exec(select(Task).where(Task.rule == "qualitative_scoring",
                                                 Task.subject == f"{event['data']['plan_id']}:rm02"))).all()
    assert [(t.assignee, str(t.due_date)) for t in tasks] == [("lead01", "2026-11-30")]
    agenda = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-30", headers=as_user("lead01"))).json()
    [item] = [i for i in agenda["items"] if i["rule"] == "qualitative_scoring" and "rm02" in i["title"]]
    assert item["title"] == "定性考核评分：rm02（2026-11）" and "responsibility、compliance" in item["reason"]
    rm02 = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-30", headers=as_user("rm02"))).json()
    assert not [i for i in rm02["items"] if i["rule"] == "qualitative_scoring"]
