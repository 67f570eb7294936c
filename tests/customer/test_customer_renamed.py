"""Renaming a customer publishes customer.changed with the new name (the tasks service shows it beside
tasks), in the PATCH's transaction; a change to fields no other service keeps publishes nothing."""
from tests.customer.helpers import create, outbox


async def test_renaming_a_customer_publishes_the_new_name_and_other_changes_publish_nothing(
        customer_api, login, customer_db):
    rm = await login("rm01")
    c = (await create(customer_api, rm, name="旧名贸易有限公司")).json()
    url = f"/api/v1/customers/{c['id']}"
    etag = (await customer_api.get(url, headers=rm)).headers["ETag"]
    address = await customer_api.patch(url, json={"address": "杭州市西湖区"}, headers={**rm, "If-Match": etag})
    assert address.status_code == 200
    assert await outbox(customer_db, "customer.changed", c["cif"]) == []

    renamed = await customer_api.patch(url, json={"name": "新名科技有限公司"},
                                       headers={**rm, "If-Match": address.headers["ETag"]})
    assert renamed.status_code == 200 and renamed.json()["name"] == "新名科技有限公司"
    [event] = await outbox(customer_db, "customer.changed", c["cif"])
    assert event["subject"] == c["cif"]
    assert event["data"] == {"customer_id": c["cif"], "customer_ref": c["id"], "name": "新名科技有限公司",
                             "changed": ["name"]}

    same = await customer_api.patch(url, json={"name": "新名科技有限公司"},
                                    headers={**rm, "If-Match": renamed.headers["ETag"]})
    assert same.status_code == 200 and len(await outbox(customer_db, "customer.changed", c["cif"])) == 1
