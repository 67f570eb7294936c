"""loan.due -> collection task for the owner: due dates, reasons, dedup, unassigned queue, scope."""
from sqlmodel import func, select

from services.tasks.models import LoanBook
from services.tasks.texts import render
from shared.outbox import OutboxMessage
from tests.support import core_event, loan_due, unique_cif
from tests.tasks.conftest import customer_event, outbox_events, owned_customer, tasks_for


async def test_loan_due_makes_a_collection_task_for_the_owner_with_due_date_and_reason(apply_event, tasks_db,
                                                                                         tasks_api, as_user):
    cif = await owned_customer(apply_event)
    event = loan_due(cif, "L-1", "2026-12-31")
    await apply_event(event)
    [task] = await tasks_for(tasks_db, cif)
    assert (task.assignee, task.kind, str(task.due_date), task.source_event_id) == \
        ("rm01", "collection", "2026-12-01", event["id"])
    r = await tasks_api.get("/api/v1/tasks?assignee=me&status=open", headers=as_user("rm01"))
    [item] = [t for t in r.json()["items"] if t["cif"] == cif]
    assert item["title"] == "到期催收：贷款 L-1 将于 2026-12-31 到期"
    assert "本金 100000.00 元" in item["reason"] and "到期前 30 天" in item["reason"]
    r = await tasks_api.get("/api/v1/tasks?assignee=me", headers=as_user("rm01", **{"Accept-Language": "en"}))
    [item] = [t for t in r.json()["items"] if t["cif"] == cif]
    assert item["title"] == "Collection notice: loan L-1 falls due on 2026-12-31" and "30 days" in item["reason"]


async def test_government_related_borrower_gets_60_days(apply_event, tasks_db):
    cif = await owned_customer(apply_event, government_related=True)
    await apply_event(loan_due(cif, "L-G", "2026-12-31", business_date="2026-08-03"))
    [task] = await tasks_for(tasks_db, cif)
    assert str(task.due_date) == "2026-10-30" and task.params["lead_days"] == 60
    assert "（涉及政府行为的贷款，提前 60 天）" in render(task.rule, task.params, english=False)[1]
    # the note says the number the task was made with, not a copy of the default
    changed = {**task.params, "lead_days": 45}
    assert "involving government action: 45 days ahead" in render(task.rule, changed, english=True)[1]


def disbursed(cif: str, loan_id: str, government_related: bool) -> dict:
    return core_event("loan.disbursed", cif, {
        "loan_id": loan_id, "customer_id": cif, "product": "working_capital", "principal": "500000.00",
        "currency": "CNY", "disbursed_on": "2026-01-05", "maturity_date": "2026-12-31",
        "government_related": government_related, "classification": "normal"}, business_date="2026-01-05")


async def test_government_action_is_a_property_of_the_loan_not_the_borrower(apply_event, tasks_db):
    ordinary, government = await owned_customer(apply_event), await owned_customer(apply_event, government_related=True)
    await apply_event(disbursed(ordinary, "L-GOV", True))        # an ordinary borrower's government-related loan
    await apply_event(disbursed(government, "L-PLAIN", False))   # a government borrower's ordinary loan
    await apply_event(disbursed(ordinary, "L-SAID", False))
    for cif, loan in ((ordinary, "L-GOV"), (government, "L-PLAIN"), (ordinary, "L-SAID")):
        due = loan_due(cif, loan, "2026-12-31", business_date="2026-08-03")
        if loan == "L-SAID":
            due["data"]["government_related"] = True               # loan.due's own flag wins when present
        await apply_event(due)
    leads = {t.subject: (t.params["lead_days"], str(t.due_date)) for cif in (ordinary, government)
             for t in await tasks_for(tasks_db, cif, "loan_due")}
    assert leads == {"L-GOV": (60, "2026-10-30"), "L-PLAIN": (30, "2026-12-01"), "L-SAID": (60, "2026-10-30")}
    # a new owner does not re-date by the borrower's flag what the loan itself decided
    await apply_event(customer_event("customer.assigned", government, owner="rm02", government_related=True))
    [plain] = await tasks_for(tasks_db, government, "loan_due")
    assert (plain.assignee, plain.params["lead_days"], str(plain.due_date)) == ("rm02", 30, "2026-12-01")


async def test_repeated_loan_due_event_makes_one_task(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    event = loan_due(cif, "L-2", "2026-12-31")
    await apply_event(event)
    await apply_event(event)                                   # re-delivered: same id
    await apply_event(loan_due(cif, "L-2", "2026-12-31"))      # re-sent: new id, same fact
    assert len(await tasks_for(tasks_db, cif)) == 1
    async with tasks_db() as s:
        created = (await s.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.key == cif, OutboxMessage.event_type == "task.created"))).one()
    assert created == 1


async def test_resent_loan_due_with_a_changed_amount_updates_the_task(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-3", "2026-12-31", principal_due="100000.00"))
    await apply_event(loan_due(cif, "L-3", "2026-12-31", principal_due="80000.00"))
    [task] = await tasks_for(tasks_db, cif)
    assert str(task.amount) == "80350.00" and task.params["principal_due"] == "80000.00"


async def test_loan_due_for_an_unowned_cif_waits_in_the_queue_then_moves_to_the_owner(apply_event, tasks_db,
                                                                                      tasks_api, as_user):
    cif = unique_cif()
    await apply_event(loan_due(cif, "L-4", "2026-12-31", business_date="2026-08-03"))
    [task] = await tasks_for(tasks_db, cif)
    assert task.assignee is None and task.unit_path == ""
    r = await tasks_api.get("/api/v1/tasks?assignee=unassigned", headers=as_user("admin"))
    assert cif in {t["cif"] for t in r.json()["items"]}
    await apply_event(customer_event("customer.registered", cif, "2026-08-04", government_related=True))
    [task] = await tasks_for(tasks_db, cif)
    assert task.assignee is None and task.unit_path == "HQ/BR01/SB01"   # now in the sub-branch's queue
    r = await tasks_api.get("/api/v1/tasks?assignee=unassigned", headers=as_user("lead01"))
    assert cif in {t["cif"] for t in r.json()["items"]}
    await apply_event(customer_event("customer.assigned", cif, "2026-08-05", owner="rm02", government_related=True))
    [task] = await tasks_for(tasks_db, cif)
    assert task.assignee == "rm02" and str(task.due_date) == "2026-10-30"  # 60 days: government-related


async def test_open_tasks_follow_the_customer_to_the_new_owner(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-5", "2026-12-31"))
    await apply_event(customer_event("customer.assigned", cif, owner="rm02", previous_owner="rm01"))
    [task] = await tasks_for(tasks_db, cif)
    assert task.assignee == "rm02"


async def test_agenda_lists_due_tasks_overdue_first_and_says_why(apply_event, tasks_api, as_user):
    cif = await owned_customer(apply_event, owner="rm02")
    told = "2026-11-02"
    await apply_event(loan_due(cif, "L-LATE", "2026-12-20", business_date=told))   # task due 2026-11-20
    await apply_event(loan_due(cif, "L-NOW", "2026-12-25", business_date=told))    # task due 2026-11-25
    await apply_event(loan_due(cif, "L-LATER", "2027-01-30", business_date=told))  # due 2026-12-31: not yet
    agenda = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-25", headers=as_user("rm02"))).json()
    mine = [i for i in agenda["items"] if i["cif"] == cif]
    assert [i["title"].split(" ")[1] for i in mine] == ["L-LATE", "L-NOW"]
    assert mine[0]["rank"] < mine[1]["rank"] and "已逾期 5 天" in mine[0]["rank_reason"]
    assert "今天到期" in mine[1]["rank_reason"]


async def test_other_rms_never_see_someone_elses_task(apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event, owner="rm01")
    await apply_event(loan_due(cif, "L-6", "2026-12-20"))
    [task] = await tasks_for(tasks_db, cif)
    agenda = (await tasks_api.get("/api/v1/me/agenda?date=2026-12-31", headers=as_user("rm02"))).json()
    assert cif not in {i["cif"] for i in agenda["items"]}
    listed = (await tasks_api.get("/api/v1/tasks?limit=200", headers=as_user("rm02"))).json()
    assert cif not in {i["cif"] for i in listed["items"]}
    r = await tasks_api.post(f"/api/v1/tasks/{task.id}/complete",
                             json={"outcome": "x", "maturity_outcome": "collected"},
                             headers=as_user("rm02"))
    assert r.status_code == 404
    lead = (await tasks_api.get("/api/v1/tasks?limit=200", headers=as_user("lead01"))).json()
    assert cif in {i["cif"] for i in lead["items"]}


async def test_completing_a_task_records_the_outcome_and_publishes_on_time(apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-7", "2030-12-31"))
    [task] = await tasks_for(tasks_db, cif)
    body = {"outcome": "已电话通知财务总监", "maturity_outcome": "collected"}
    r = await tasks_api.post(f"/api/v1/tasks/{task.id}/complete", json=body, headers=as_user("rm01"))
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["outcome"] == "已电话通知财务总监"
    again = await tasks_api.post(f"/api/v1/tasks/{task.id}/complete", json={**body, "outcome": "again"},
                                 headers=as_user("rm01"))
    assert again.status_code == 409
    async with tasks_db() as s:
        event = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == "task.completed",
                                                          OutboxMessage.key == cif))).one()
    assert event.payload["data"]["on_time"] is True


async def test_a_loan_due_collection_completes_with_its_maturity_outcome_kept_with_the_loan(apply_event, tasks_db,
                                                                                           tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-RENEW", "2030-12-31"))
    [task] = await tasks_for(tasks_db, cif)
    url = f"/api/v1/tasks/{task.id}/complete"
    r = await tasks_api.post(url, json={"outcome": "已办理", "maturity_outcome": "forgiven"}, headers=as_user("rm01"))
    assert r.status_code == 422
    assert (await tasks_for(tasks_db, cif))[0].status == "open"
    r = await tasks_api.post(url, json={"outcome": "经营正常，借新还旧", "maturity_outcome": "renewed"},
                             headers=as_user("rm01"))
    assert r.status_code == 200 and r.json()["maturity_outcome"] == "renewed"
    async with tasks_db() as s:
        loan = await s.get(LoanBook, "L-RENEW")
    assert loan.maturity_outcome == "renewed"
    [completed] = await outbox_events(tasks_db, "task.completed", cif)
    assert completed["maturity_outcome"] == "renewed"


async def test_an_outcome_is_offered_not_forced_and_only_a_loan_due_collection_takes_one(apply_event, tasks_db,
                                                                                        tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-PLAIN", "2030-12-31"))
    await apply_event(core_event("deposit.opened", cif, {"account_id": f"A-TIME-{cif}", "customer_id": cif,
                                                         "product": "time", "currency": "CNY", "opened_on": "2026-11-25",
                                                         "maturity_date": "2027-06-30"}))
    tasks = {t.rule: t for t in await tasks_for(tasks_db, cif)}
    listed = (await tasks_api.get("/api/v1/tasks?assignee=me&status=open&limit=200", headers=as_user("rm01"))).json()
    offered = {i["rule"]: i["maturity_outcomes"] for i in listed["items"] if i["cif"] == cif}
    assert offered == {"loan_due": ["collected", "renewed", "extended", "handed_to_collection"],
                       "time_deposit_maturity": [], "first_business_thanks": []}   # the account was its first
    r = await tasks_api.post(f"/api/v1/tasks/{tasks['time_deposit_maturity'].id}/complete",
                             json={"outcome": "已提醒", "maturity_outcome": "renewed"}, headers=as_user("rm01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "maturity_outcome"
    r = await tasks_api.post(f"/api/v1/tasks/{tasks['loan_due'].id}/complete", json={"outcome": "已通知"},
                             headers=as_user("rm01"))
    assert r.status_code == 200 and r.json()["maturity_outcome"] is None


async def test_complete_needs_an_outcome(apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-8", "2030-12-31"))
    [task] = await tasks_for(tasks_db, cif)
    r = await tasks_api.post(f"/api/v1/tasks/{task.id}/complete", json={}, headers=as_user("rm01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "outcome"
    [task] = await tasks_for(tasks_db, cif)
    assert task.status == "open"


async def test_task_pages_walk_without_loss_or_repeat(apply_event, tasks_api, as_user):
    cif = await owned_customer(apply_event, owner="rm02")
    for n in range(9):
        await apply_event(loan_due(cif, f"L-P{n}", f"2027-0{1 + n % 3}-1{n}"))
    seen, cursor = [], None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = (await tasks_api.get("/api/v1/tasks", params=params, headers=as_user("rm02"))).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) and len(seen) >= 9
