"""Complaints and call-backs on the RM's card (domain.md "Service"): a complaint counts against the RM only
once resolved with the RM found responsible (分清责任), as the default penalty item; independent
call-backs' satisfaction is a measured qualitative item. Both replay from the ledger to the same card."""
import json
import uuid

import pytest

from shared.events import InvalidEvent, parse_event
from tests.appraisal.conftest import assigned, kpi_line, our_event, read_card, staff
from tests.support import wait_for

PERIOD = "2026-11"


def resolved(cif: str, responsible: str, staff_member: str | None, on: str) -> dict:
    return our_event("complaint.resolved", cif, {
        "complaint_id": str(uuid.uuid4()), "customer_id": cif, "responsible": responsible,
        "responsible_staff": staff_member, "resolved_on": on}, on)


def satisfaction(card: dict) -> dict | None:
    return next((q for q in card["qualitative"] if q["item"] == "customer_satisfaction"), None)


async def card_once(api, as_user, username: str, moved, period: str = PERIOD) -> dict:
    """The provisional card once it shows the change (a served copy is renewed within about 0.5 s)."""
    async def read():
        card = await read_card(api, as_user, username, period)
        return card if moved(card) else None
    return await wait_for(read, timeout=5, what=f"{username}'s card to move")


def called_back(cif: str, rm: str, satisfaction: int | None, on: str, reached: bool = True) -> dict:
    return our_event("callback.recorded", cif, {
        "callback_id": str(uuid.uuid4()), "customer_id": cif, "rm": rm, "caller": "lead01", "reached": reached,
        "satisfaction": satisfaction, "issues_found": False}, on)


async def test_an_rm_found_responsible_for_a_complaint_loses_the_rules_points(apply_event, appraisal_api, as_user):
    await apply_event(staff("sc1", ["rm"], "T01"))
    await apply_event(assigned("SC-C1", "sc1", "2026-10-01"))
    before = await read_card(appraisal_api, as_user, "sc1", PERIOD)
    assert kpi_line(before, "responsible_complaints")["score"] == "0.00"
    twice = resolved("SC-C1", "rm", "sc1", "2026-11-12")
    for event in (twice, twice):   # a redelivered resolution is one complaint
        await apply_event(event)
    after = await card_once(appraisal_api, as_user, "sc1",
                            lambda c: kpi_line(c, "responsible_complaints")["raw_value"] != "0")
    line = kpi_line(after, "responsible_complaints")
    assert (line["raw_value"], line["score"]) == ("1", "-2.00")   # the default: 2 points per complaint
    assert float(after["total"]) == float(before["total"]) - 2
    assert kpi_line(await read_card(appraisal_api, as_user, "sc1", "2026-10"), "responsible_complaints")["score"] \
        == "0.00"   # counted in the month it was resolved


async def test_a_complaint_resolved_with_nobody_or_someone_else_responsible_does_not_count(apply_event, appraisal_api,
                                                                                         as_user):
    await apply_event(staff("sc2", ["rm"], "T01"))
    await apply_event(assigned("SC-C2", "sc2", "2026-10-01"))
    for responsible, who in (("none", None), ("bank", None), ("customer", None), ("staff", "sc2")):
        await apply_event(resolved("SC-C2", responsible, who, "2026-11-13"))
    await apply_event(resolved("SC-C2", "rm", "sc2", "2026-11-14"))   # one that counts, to see the card moved
    card = await card_once(appraisal_api, as_user, "sc2",
                           lambda c: kpi_line(c, "responsible_complaints")["raw_value"] != "0")
    line = kpi_line(card, "responsible_complaints")
    assert (line["raw_value"], line["score"]) == ("1", "-2.00")   # the four without the RM responsible: none


async def test_call_back_satisfaction_shows_on_the_card_as_a_qualitative_item(apply_event, appraisal_api, as_user):
    await apply_event(staff("sc3", ["rm"], "T01"))
    await apply_event(assigned("SC-C3", "sc3", "2026-10-01"))
    before = await read_card(appraisal_api, as_user, "sc3", PERIOD)
    assert satisfaction(before) is None
    for event in (called_back("SC-C3", "sc3", 5, "2026-11-03"), called_back("SC-C3", "sc3", 3, "2026-11-20"),
                  called_back("SC-C3", "sc3", None, "2026-11-21", reached=False),   # nobody answered: no score
                  called_back("SC-C3", "sc3", 1, "2026-10-30"),                    # another month
                  called_back("SC-C3", "sc9", 1, "2026-11-04")):                   # another RM's customer
        await apply_event(event)
    card = await card_once(appraisal_api, as_user, "sc3", satisfaction)
    item = satisfaction(card)
    # average 4 on the 1–5 scale: three quarters of the item's 2 points
    assert (item["average_satisfaction"], item["callbacks"], item["points"]) == ("4.00", 2, "1.50")
    assert float(card["total"]) == float(before["total"]) + 1.5
    october = await read_card(appraisal_api, as_user, "sc3", "2026-10")
    assert satisfaction(october)["points"] == "0.00"   # the lowest answer earns none of the item


async def test_recompute_from_the_ledger_gives_the_same_complaints_and_satisfaction(apply_event, appraisal_api,
                                                                                   as_user):
    await apply_event(staff("sc4", ["rm"], "T01"))
    await apply_event(assigned("SC-C4", "sc4", "2026-10-01"))
    for event in (resolved("SC-C4", "rm", "sc4", "2026-11-16"), called_back("SC-C4", "sc4", 2, "2026-11-17")):
        await apply_event(event)
    r = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/recompute", headers=as_user("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["matches_live"], r.json()
    card = await card_once(appraisal_api, as_user, "sc4", satisfaction)
    assert kpi_line(card, "responsible_complaints")["score"] == "-2.00"
    assert satisfaction(card)["points"] == "0.50"


@pytest.mark.parametrize("answer", [0, 6])
def test_a_call_back_answer_off_the_1_to_5_scale_is_an_invalid_event(answer):
    """Refused at validation, so the consumer dead-letters it with the reason instead of scoring it."""
    with pytest.raises(InvalidEvent, match="satisfaction"):
        parse_event(json.dumps(called_back("SC-C5", "sc5", answer, "2026-11-05")).encode())
