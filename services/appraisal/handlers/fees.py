"""fee.posted (corebanking.fees): intermediate business income (中间业务收入), one row per fee or
reversal (rules.fee_fact), credited to the customer's A岗 owner on the day posted when scored."""
from collections import Counter

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.handlers.ledger import record_facts
from services.appraisal.models import FeeIncome
from services.appraisal.rules import fee_fact
from services.appraisal.service.freshness import bump_owners_of_many
from shared.bulk import put_rows
from shared.handlers import Item, deduplicating


@deduplicating
async def on_fee_posted(session: AsyncSession, items: list[Item]) -> None:
    facts = {f["fee_key"]: f for f in (fee_fact(i.data) for i in await record_facts(session, items))}
    await put_rows(session, FeeIncome, list(facts.values()), ("fee_key",), ("cif", "day", "category", "amount"))
    await bump_owners_of_many(session, Counter(f["cif"] for f in facts.values()))
