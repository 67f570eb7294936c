"""The bank's industry policy (行业政策) as effective-dated data: which policy applies on a day, and an
admin setting a new one from a date (the open row of that industry ends the day before). Seeded by
migration 0004 with the half-year plan's list; rules.policies_on decides which row applies."""
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from services.customer.models import IndustryPolicy
from services.customer.rules import Policy, policies_on
from services.customer.scope import may_administer
from services.customer.service.audit import audit
from shared.auth import Principal
from shared.errors import Problem


async def policies(session, day: date) -> dict[str, Policy]:
    """industry -> policy in effect on `day` (a few dozen rows: read whole)."""
    return policies_on((await session.exec(select(IndustryPolicy))).all(), day)


async def set_policy(session, actor: Principal, industry: str, policy: str, effective_from: date,
                     effective_to: date | None, *, now: datetime) -> IndustryPolicy:
    if not may_administer(actor):
        raise Problem(403, "admin_only")
    if effective_to is not None and effective_to < effective_from:
        raise Problem(422, "policy_ends_before_start", field="effective_to")
    rows = (await session.exec(select(IndustryPolicy).where(col(IndustryPolicy.industry) == industry)
                               .with_for_update())).all()
    if any(r.effective_from == effective_from for r in rows):
        raise Problem(409, "policy_exists", field="effective_from", industry=industry, day=effective_from.isoformat())
    for row in rows:   # the plan in force until now ends where the new one begins
        if row.effective_from < effective_from and (row.effective_to is None or row.effective_to >= effective_from):
            row.effective_to = effective_from - timedelta(days=1)
            session.add(row)
    row = IndustryPolicy(industry=industry, policy=policy, effective_from=effective_from, effective_to=effective_to,
                         set_by=actor.username)
    session.add(row)
    audit(session, actor, "industry_policy.set", now=now,
          after={"industry": industry, "policy": policy, "effective_from": effective_from.isoformat(),
                 "effective_to": effective_to.isoformat() if effective_to else None})
    return row
