"""A customer renamed in the customer service (customer.changed) shows under the new name beside its
tasks — the task list and the agenda, whose page was already cached under the old name."""
import uuid

from tests.support import loan_due
from tests.tasks.conftest import customer_event, owned_customer


def renamed(cif: str, name: str) -> dict:
    event = customer_event("customer.registered", cif)
    event["type"], event["data"] = "customer.changed", {"customer_id": cif, "customer_ref": event["data"]["customer_ref"],
                                                        "name": name, "changed": ["name"]}
    return event


async def names_on_agenda(api, headers) -> set[str]:
    r = await api.get("/api/v1/me/agenda?date=2026-11-25", headers=headers)
    assert r.status_code == 200
    return {i["customer_name"] for i in r.json()["items"]}


async def test_a_renamed_customer_shows_under_the_new_name_on_the_task_list_and_the_cached_agenda(
        apply_event, tasks_api, as_user):
    cif = await owned_customer(apply_event, owner="rm02", name="旧名贸易有限公司")
    await apply_event(loan_due(cif, f"L-RN-{cif}", "2026-12-20", business_date="2026-11-02"))
    assert await names_on_agenda(tasks_api, as_user("rm02")) >= {"旧名贸易有限公司"}   # now cached

    await apply_event(renamed(cif, "新名科技有限公司"))

    names = await names_on_agenda(tasks_api, as_user("rm02"))
    assert "新名科技有限公司" in names and "旧名贸易有限公司" not in names
    ref = str(uuid.uuid5(uuid.NAMESPACE_OID, cif))
    r = await tasks_api.get("/api/v1/tasks", params={"customer_id": ref}, headers=as_user("rm02"))
    assert r.status_code == 200 and r.json()["items"]
    assert {i["customer_name"] for i in r.json()["items"]} == {"新名科技有限公司"}
