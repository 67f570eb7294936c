"""The denylist every token-checking process keeps from customer.events."""
import json
import time

from shared.revocation import Denylist, apply


def message(event_type: str, data: dict) -> bytes:
    return json.dumps({"type": event_type, "data": data}).encode()


def test_a_revoked_session_is_refused_until_its_last_token_expires():
    denylist = Denylist()
    apply(denylist, message("session.revoked", {"username": "rm01", "session_id": "s1",
                                                "expires_at": "2999-01-01T00:00:00Z"}))
    assert denylist.refuses("rm01", "s1") and not denylist.refuses("rm01", "s2")
    denylist.add("s3", time.time() - 1)   # already expired: nothing to refuse
    assert not denylist.refuses("rm01", "s3")


def test_an_inactive_member_of_staff_is_refused_whatever_the_session_until_made_active_again():
    denylist = Denylist()
    apply(denylist, message("staff.changed", {"username": "rm09", "active": False}))
    assert denylist.refuses("rm09", "any") and denylist.refuses("rm09", None)
    assert not denylist.refuses("rm01", "any")
    apply(denylist, message("staff.changed", {"username": "rm09", "active": True}))
    assert not denylist.refuses("rm09", "any")


def test_unreadable_and_unrelated_messages_change_nothing():
    denylist = Denylist()
    for value in (b"\x00garbage", message("staff.changed", {"active": False}), message("task.created", {})):
        apply(denylist, value)
    assert not denylist.until and not denylist.inactive
