"""The agenda page is cached per person, and any change to that person's tasks — from any writer —
shows on the next read (triggers bump the person's agenda version)."""
from sqlalchemy import text, update

from services.tasks.models import Task
from shared.etag import weak_etag
from tests.support import loan_due, unique_cif
from tests.tasks.conftest import customer_event


async def agenda_loans(api, headers) -> list[str]:
    r = await api.get("/api/v1/me/agenda?date=2026-11-25", headers=headers)
    assert r.status_code == 200
    return [i["title"].split(" ")[1] for i in r.json()["items"]]


async def test_a_change_by_any_writer_shows_on_the_next_agenda_read(apply_event, tasks_db, tasks_api, as_user):
    cif = unique_cif()
    await apply_event(customer_event("customer.registered", cif))
    await apply_event(customer_event("customer.assigned", cif, owner="rm02"))
    await apply_event(loan_due(cif, "L-CACHE1", "2026-12-20", business_date="2026-11-02"))
    assert "L-CACHE1" in await agenda_loans(tasks_api, as_user("rm02"))
    assert "L-CACHE1" in await agenda_loans(tasks_api, as_user("rm02"))   # served again, from the cache

    async with tasks_db() as s:  # not through the service functions: a writer we did not foresee
        await s.execute(update(Task).where(Task.subject == "L-CACHE1").values(assignee="rm01", team="T01"))
        await s.commit()
    assert "L-CACHE1" not in await agenda_loans(tasks_api, as_user("rm02"))
    assert "L-CACHE1" in await agenda_loans(tasks_api, as_user("rm01"))

    await apply_event(loan_due(cif, "L-CACHE2", "2026-12-21", business_date="2026-11-02"))
    assert "L-CACHE2" in await agenda_loans(tasks_api, as_user("rm02"))   # an insert bumps the owner too


async def agenda_versions(tasks_db) -> dict[str, int]:
    async with tasks_db() as s:
        return dict((await s.execute(text("SELECT username, version FROM agenda_version"))).all())


async def test_each_write_bumps_only_the_people_it_touches(apply_event, tasks_db):
    cif = unique_cif()
    await apply_event(customer_event("customer.registered", cif))
    await apply_event(customer_event("customer.assigned", cif, owner="rm01"))
    before = await agenda_versions(tasks_db)
    await apply_event(loan_due(cif, "L-CACHE3", "2026-12-22", business_date="2026-11-02"))
    after = await agenda_versions(tasks_db)
    assert after["rm01"] > before.get("rm01", 0)
    assert after.get("rm02") == before.get("rm02") and after.get("lead01") == before.get("lead01")


async def test_one_statement_over_many_tasks_bumps_each_person_once_per_task_naming_them(apply_event, tasks_db):
    cif = unique_cif()
    await apply_event(customer_event("customer.registered", cif))
    await apply_event(customer_event("customer.assigned", cif, owner="rm01"))
    for n in range(3):
        await apply_event(loan_due(cif, f"L-BUMP{n}-{cif}", "2026-12-23", business_date="2026-11-02"))
    before = await agenda_versions(tasks_db)
    async with tasks_db() as s:   # three rows in one statement; rm01 named twice on each
        await s.execute(text("UPDATE task SET copied_to = 'risk-bump', escalated_to = assignee WHERE cif = :cif"),
                        {"cif": cif})
        await s.commit()
    after = await agenda_versions(tasks_db)
    assert after["rm01"] - before["rm01"] == 3
    assert after["risk-bump"] - before.get("risk-bump", 0) == 3
    assert after.get("rm02") == before.get("rm02")


async def test_an_agenda_page_is_tagged_over_its_bytes_and_the_tag_moves_when_the_page_does(apply_event, tasks_api,
                                                                                            as_user):
    """The gateway passes a service's own ETag on instead of hashing the page on every request: the tag
    must be the one the gateway would compute over these bytes, and change with them."""
    cif = unique_cif()
    await apply_event(customer_event("customer.registered", cif))
    await apply_event(customer_event("customer.assigned", cif, owner="rm02"))
    await apply_event(loan_due(cif, "L-TAG1", "2026-12-20", business_date="2026-11-02"))
    first = await tasks_api.get("/api/v1/me/agenda?date=2026-11-25", headers=as_user("rm02"))
    again = await tasks_api.get("/api/v1/me/agenda?date=2026-11-25", headers=as_user("rm02"))   # from the cache
    assert first.headers["etag"] == weak_etag(first.content) == again.headers["etag"]
    assert again.content == first.content

    await apply_event(loan_due(cif, "L-TAG2", "2026-12-21", business_date="2026-11-02"))
    changed = await tasks_api.get("/api/v1/me/agenda?date=2026-11-25", headers=as_user("rm02"))
    assert "L-TAG2" in changed.text
    assert changed.headers["etag"] == weak_etag(changed.content) != first.headers["etag"]
