"""The customer's tier outside the event runs: its basis read from the holdings already on record (at
registration, core banking may have spoken of the CIF first; and for the 360 view), and announcing a
change as `customer.tier-changed`. The decisions themselves are rules.py's, the same the runs call."""
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.config import Settings
from services.customer.models import BalanceDay, DepositAccount
from services.customer.rules import TierRules, corporate_basis, retail_basis, total
from services.customer.service.outbox import publish
from shared.events import CustomerTierChanged


@lru_cache(maxsize=1)
def tier_rules() -> TierRules:
    return Settings().tier_rules()


async def tier_basis(session: AsyncSession, cif: str, kind: str, as_of: date) -> dict[str, Decimal]:
    """What the tier of a customer of this kind is judged on, from the holdings on record."""
    if kind == "retail":
        accounts = (await session.exec(select(DepositAccount).where(DepositAccount.cif == cif))).all()
        return retail_basis(total("deposits", accounts))
    days: dict[str, dict[date, Decimal]] = {}
    for row in (await session.exec(select(BalanceDay).where(BalanceDay.cif == cif))).all():
        days.setdefault(row.kind, {})[row.day] = row.balance
    return corporate_basis(days, as_of)


def announce_tier(session: AsyncSession, customer, tier: str, basis: dict[str, Decimal], *, business_date: date,
                  now: datetime) -> None:
    """Stage `customer.tier-changed` and move `customer` (a Customer, or a row with the same
    attributes) to `tier`. Its version is the caller's: a run bumps it, a registration starts at 1."""
    publish(session, "customer.tier-changed", CustomerTierChanged(
        customer_id=customer.cif, customer_ref=str(customer.id), kind=customer.kind, from_tier=customer.tier,
        to_tier=tier, owner=customer.owner, basis={k: str(v) for k, v in basis.items()},
        backup_owner=customer.backup_owner),
        subject=customer.cif, business_date=business_date, now=now)
    customer.tier = tier
