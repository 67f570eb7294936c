"""新客户认同计划 (seed): a new customer's first business — the first account opened or loan disbursed
after the customer came to us — asks the owner to thank them within 24 clock hours. The task carries
a `due_at` time (not a business-day date) and the letter drafted from a template, so sending it is
one step. The customer book remembers the first business, so a later one thanks nobody again."""
from datetime import date, datetime, timedelta

from sqlalchemy import Table, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import CustomerBook
from services.tasks.rules import Rule, load_rule
from services.tasks.service.lifecycle import BookEntry, TaskRow, new_task
from services.tasks.service.task_set import TaskSet, load_books
from shared.clock import BANK_TZ, utcnow
from shared.handlers import Item
from shared.logging import request_id_var

THANKS = "first_business_thanks"
BOOK: Table = CustomerBook.__table__  # type: ignore[attr-defined]


def thank_you_task(rule: Rule, book: BookEntry, *, business: str, about: str, day: date, occurred_at: datetime,
                   event_id: str, now: datetime) -> TaskRow:
    hours = int(rule["hours"])
    due_at = occurred_at + timedelta(hours=hours)
    return new_task(rule, subject=book.cif, anchor=day, book=book, cif=book.cif, now=now, source_event_id=event_id,
                    due_date=due_at.astimezone(BANK_TZ).date(), due_at=due_at,
                    params={"business": business, "about": about, "hours": hours, "letter": "thank_you",
                            "owner": book.owner or ""})


def first_of_each_new_customer(firsts: list[tuple[Item, str, str]], books: dict) -> dict[str, tuple[Item, str, str]]:
    """Of a run's openings and disbursements (in event order), each known customer's first business,
    for customers who have had none yet."""
    chosen: dict[str, tuple[Item, str, str]] = {}
    for first in firsts:
        cif = first[0].data.customer_id
        book = books.get(cif)
        if book is not None and book.first_business_on is None and cif not in chosen:
            chosen[cif] = first
    return chosen


async def thank_new_customers(session: AsyncSession, firsts: list[tuple[Item, str, str]]) -> None:
    """firsts: (item, "deposit" | "loan", the account or loan id), in event order."""
    if not firsts:
        return
    chosen = first_of_each_new_customer(firsts, await load_books(session, {f[0].data.customer_id for f in firsts}))
    if not chosen:
        return
    books, rule = await load_books(session, set(chosen)), await load_rule(session, THANKS)
    tasks = await TaskSet.load(session, set(chosen), {i.envelope.business_date for i, _, _ in chosen.values()},
                               rules=(THANKS,))
    for cif in sorted(chosen):   # sorted: one lock order for all writers
        item, business, about = chosen[cif]
        request_id_var.set(item.request_id)
        day = item.envelope.business_date
        await session.execute(update(BOOK).where(BOOK.c.cif == cif, BOOK.c.first_business_on.is_(None))
                              .values(first_business_on=day))
        tasks.raise_(thank_you_task(rule, books[cif], business=business, about=about, day=day,
                                    occurred_at=item.envelope.occurred_at, event_id=item.envelope.id, now=utcnow()),
                     business_date=day, now=utcnow())
    await tasks.write()
