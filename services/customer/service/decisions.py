"""Approving or rejecting a request that waits for someone else's decision — a transfer request, a
conduct record over budget, a late work-log entry — in one place: the person must be allowed to decide,
never on their own request, only while it still waits, and the decision is stamped with who and when.

`refusal` is the pure decision (the problem to answer, or None); `settle` applies it to the row. What
each kind calls its problems and its outcomes is its `Decidable`."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.auth import Principal
from shared.errors import Problem


@dataclass(frozen=True)
class Decidable:
    """A kind of request: the problem codes it answers and the statuses it moves between."""
    not_allowed: str                  # 403: this person may not decide it
    own: str = "own_request"          # 403: it is the person's own request
    not_pending: str = "already_decided"   # 409: it no longer waits (its status is the `outcome`)
    pending: str = "pending"
    approved: str = "approved"
    rejected: str = "rejected"


TRANSFER = Decidable(not_allowed="transfer_needs_lead")
CONDUCT = Decidable(not_allowed="conduct_decider")
LATE_ENTRY = Decidable(not_allowed="approval_needs_lead", own="own_entry", not_pending="not_pending_approval",
                       pending="pending_approval", approved="counted")


def refusal(kind: Decidable, *, may_decide: bool, decider: str, requester: str | None, status: str) -> Problem | None:
    """Why `decider` may not decide this request now (checked in this order), or None."""
    if not may_decide:
        return Problem(403, kind.not_allowed)
    if requester == decider:
        return Problem(403, kind.own)
    if status != kind.pending:
        return Problem(409, kind.not_pending, outcome=status)
    return None


def settle(kind: Decidable, row: Any, actor: Principal, approve: bool, *, may_decide: bool, requester: str | None,
           now: datetime) -> None:
    """Decide `row` (anything with status, decided_by and decided_at) or raise the refusal; nothing is
    changed when refused."""
    problem = refusal(kind, may_decide=may_decide, decider=actor.username, requester=requester, status=row.status)
    if problem is not None:
        raise problem
    row.status = kind.approved if approve else kind.rejected
    row.decided_by, row.decided_at = actor.username, now
