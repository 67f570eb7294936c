"""Found when bank staff used it for a week: a task raised after its date is not born late, the first
escalation reads level 1 (test_event_rules), repaying an overdue loan closes its collection with the
true reason, and among overdue items the more urgent comes first."""
from tests.support import core_event, loan_due
from tests.tasks.conftest import customer_event, owned_customer, tasks_for


async def test_a_task_raised_after_its_date_is_due_a_business_day_later_not_born_late(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    # told on Wed 25 Nov of a loan due 10 Dec: 30 days ahead was 10 Nov
    await apply_event(loan_due(cif, "L-LATE1", "2026-12-10", business_date="2026-11-25"))
    await apply_event(core_event("deposit.opened", cif, {"account_id": "T-LATE", "customer_id": cif, "product": "time",
                                                         "currency": "CNY", "opened_on": "2026-05-27",
                                                         "maturity_date": "2026-11-27"}, business_date="2026-11-25"))
    due = {t.rule: str(t.due_date) for t in await tasks_for(tasks_db, cif)}
    assert (due["loan_due"], due["time_deposit_maturity"]) == ("2026-11-26", "2026-11-26")
    # in time, the lead counts back from the date as before
    await apply_event(loan_due(cif, "L-ONTIME", "2026-12-31", business_date="2026-11-25"))
    [on_time] = [t for t in await tasks_for(tasks_db, cif, "loan_due") if t.subject == "L-ONTIME"]
    assert str(on_time.due_date) == "2026-12-01"


async def test_repaying_an_overdue_loan_closes_its_collection_with_the_true_reason(apply_event, tasks_db, tasks_api,
                                                                                   as_user):
    cif = await owned_customer(apply_event)
    await apply_event(core_event("loan.overdue", cif, {"customer_id": cif, "loan_id": "L-ARR", "as_of": "2026-11-25",
                                                       "days_overdue": 5, "overdue_principal": "250000.00",
                                                       "overdue_interest": "900.00"}))
    await apply_event(core_event("loan.repaid", cif, {"customer_id": cif, "loan_id": "L-ARR", "repaid_on": "2026-11-26",
                                                      "principal_paid": "250000.00", "interest_paid": "900.00",
                                                      "outstanding_balance": "0.00"}, business_date="2026-11-26"))
    [task] = await tasks_for(tasks_db, cif, "loan_overdue")
    assert (task.status, task.cancel_reason) == ("cancelled", "overdue_repaid")
    r = await tasks_api.get("/api/v1/tasks?status=cancelled", headers=as_user("rm01"))
    assert [i["cancel_reason"] for i in r.json()["items"] if i["cif"] == cif] == ["逾期贷款已归还"]


async def test_among_overdue_items_the_urgent_collection_comes_before_an_older_courtesy_visit(apply_event, tasks_api,
                                                                                           as_user):
    cif = await owned_customer(apply_event, owner="rm02")
    # a re-marketing visit (priority 3) due 16 Nov: 11 days late on the 27th
    await apply_event(customer_event("customer.contact-changed", cif, "2026-11-02", contact_name="王芳",
                                     contact_role="财务总监", change="changed", owner="rm02"))
    await apply_event(core_event("loan.overdue", cif, {"customer_id": cif, "loan_id": "L-URG", "as_of": "2026-11-25",
                                                       "days_overdue": 1, "overdue_principal": "1000.00",
                                                       "overdue_interest": "0.00"}))   # urgent, 2 days late
    agenda = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-27", headers=as_user("rm02"))).json()["items"]
    assert [i["rule"] for i in agenda][:2] == ["loan_overdue", "contact_remarketing"]
