"""The one approve-or-reject step every waiting request shares (transfers, conduct records, late
work-log entries): who may decide, never one's own, only while it waits, stamped with who and when."""
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from services.customer.service.decisions import CONDUCT, LATE_ENTRY, TRANSFER, refusal, settle
from shared.auth import Principal
from shared.errors import Problem

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
LEAD = Principal(username="lead01", user_id="u1", roles=("team_lead",), unit="SB01", unit_path="HQ/BR01/SB01",
                 team="T01")


def answer(problem: Problem | None):
    return None if problem is None else (problem.status, problem.code, problem.params)


@pytest.mark.parametrize("may_decide, requester, status, expected", [
    (True, "rm01", "pending", None),
    (False, "rm01", "pending", (403, "transfer_needs_lead", {})),
    (False, "lead01", "approved", (403, "transfer_needs_lead", {})),   # not allowed is said first
    (True, "lead01", "pending", (403, "own_request", {})),
    (True, "lead01", "rejected", (403, "own_request", {})),             # one's own before already decided
    (True, "rm01", "approved", (409, "already_decided", {"outcome": "approved"})),
])
def test_a_transfer_request_is_refused_for_the_first_reason_that_applies(may_decide, requester, status, expected):
    assert answer(refusal(TRANSFER, may_decide=may_decide, decider="lead01", requester=requester,
                          status=status)) == expected


def test_each_kind_answers_its_own_problem_codes_and_waits_in_its_own_status():
    assert answer(refusal(CONDUCT, may_decide=False, decider="lead01", requester="rm01", status="pending")) == \
        (403, "conduct_decider", {})
    assert answer(refusal(LATE_ENTRY, may_decide=True, decider="lead01", requester="lead01",
                          status="pending_approval"))[:2] == (403, "own_entry")
    assert refusal(LATE_ENTRY, may_decide=True, decider="lead01", requester="rm01", status="pending_approval") is None
    assert answer(refusal(LATE_ENTRY, may_decide=True, decider="lead01", requester="rm01",
                          status="pending"))[:2] == (409, "not_pending_approval")


def test_settling_stamps_the_outcome_with_who_and_when_and_a_refusal_changes_nothing():
    entry = SimpleNamespace(status="pending_approval", decided_by=None, decided_at=None)
    settle(LATE_ENTRY, entry, LEAD, True, may_decide=True, requester="rm01", now=NOW)
    assert (entry.status, entry.decided_by, entry.decided_at) == ("counted", "lead01", NOW)

    transfer = SimpleNamespace(status="pending", decided_by=None, decided_at=None)
    settle(TRANSFER, transfer, LEAD, False, may_decide=True, requester="rm01", now=NOW)
    assert (transfer.status, transfer.decided_by, transfer.decided_at) == ("rejected", "lead01", NOW)

    with pytest.raises(Problem) as refused:
        settle(TRANSFER, transfer, LEAD, True, may_decide=True, requester="rm01", now=NOW)
    assert (refused.value.status, refused.value.code) == (409, "already_decided")
    assert (transfer.status, transfer.decided_by, transfer.decided_at) == ("rejected", "lead01", NOW)
