"""Customer events → the customer book (who owns whom, the unit, tier, kind, birthday) and the tasks
that follow it: open tasks move with the customer to the new owner (collections re-dated once the
borrower is known to be government-related) and re-rank with the tier; a tier change asks for a
relationship review (superseding an earlier open one), a key-contact change for a remarketing visit; the
lead's alerts (no B岗, a tier above the owner's grade) are re-checked on each change (service.lead_alerts);
a renamed customer (customer.changed) gets the new name in the book, which every task, agenda item and
alert reads its customer_name from, and the cached agenda pages of whoever sees the customer's open tasks
are invalidated.

One handler takes the five customer event types, so a customer's registration, assignment and tier
changes in one poll form one run applied in event order: the run's book rows and open tasks are read
in one query each, decided in memory, and written back in one upsert (book) and one insert (new tasks
and their outbox rows); changed tasks flush with the session."""
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import CustomerBook
from services.tasks.rules import Rule, load_rules, tier_rank
from services.tasks.service import lead_alerts
from services.tasks.service.agenda import bump_agendas
from services.tasks.service.calendar import BusinessCalendar, load_calendar
from services.tasks.service.lifecycle import TaskRow, new_task
from services.tasks.service.routing import active_staff, route_to_owner, team_leads
from services.tasks.service.task_set import TaskSet, chunks
from shared.bulk import put_rows, row_of
from shared.clock import utcnow
from shared.db import one_of, plain_rows, table_of
from shared.events import CustomerAssigned, CustomerChanged, CustomerRegistered, CustomerTierChanged
from shared.handlers import Item, batched
from shared.logging import request_id_var

BOOK = table_of(CustomerBook)
RULES = ("tier_review", "contact_remarketing")


def relationship_task(rule: Rule, calendar: BusinessCalendar, item: Item, book, params: dict,
                      now: datetime) -> TaskRow:
    """A review or visit some business days after a change in the customer relationship."""
    day, days = item.envelope.business_date, int(rule["business_days"])
    return new_task(rule, subject=item.data.customer_id, anchor=day, book=book, cif=item.data.customer_id,
                    due_date=calendar.add_business_days(day, days), now=now, source_event_id=item.envelope.id,
                    params={**params, "business_days": days})


async def _load_book(session: AsyncSession, cifs: set[str]) -> dict[str, SimpleNamespace]:
    book: dict[str, SimpleNamespace] = {}
    for part in chunks(cifs):
        rows = await session.execute(select(BOOK).where(one_of(session, BOOK.c.cif, part)))
        book.update((row["cif"], SimpleNamespace(**row)) for row in plain_rows(rows))
    return book


@batched
async def on_customer_events(session: AsyncSession, items: list[Item]) -> None:
    book = await _load_book(session, {i.data.customer_id for i in items})
    tasks = await TaskSet.of_customers(session, {i.data.customer_id for i in items},
                                       {i.envelope.business_date for i in items})
    rules, calendar = await load_rules(session, RULES + lead_alerts.RULES), await load_calendar(session)
    staff = await active_staff(session)
    grades, leads = {s.username: s.grade for s in staff}, team_leads(staff)
    written, renamed = set[str](), set[str]()

    def entry(cif: str, **first) -> SimpleNamespace:   # the book row, made on first sight
        written.add(cif)
        if cif not in book:
            book[cif] = SimpleNamespace(**{**row_of(CustomerBook(cif=cif, **first), BOOK)})
        return book[cif]

    for item in items:
        event, envelope, now = item.data, item.envelope, utcnow()
        request_id_var.set(item.request_id)
        cif, day = event.customer_id, envelope.business_date
        if isinstance(event, CustomerAssigned) and event.role == "B":
            row = entry(cif)   # tasks go to the A岗 manager; B岗 sees them through the team view
            row.b_manager = event.owner
            lead_alerts.recheck(tasks, rules, calendar, row, grades=grades, leads=leads, item=item, now=now)
            continue
        if isinstance(event, CustomerChanged):
            row = entry(cif, customer_ref=event.customer_ref)
            row.name = event.name
            renamed.add(cif)
            continue
        if isinstance(event, CustomerRegistered):
            row = entry(cif)
            row.customer_ref, row.government_related = event.customer_ref, event.government_related
            row.name = event.name
            row.kind, row.birthday, row.unit_path = event.kind, event.birthday, row.unit_path or event.unit_path
            # additive field the customer service adds with issue 21; absent from older events
            row.industry_policy = getattr(event, "industry_policy", None)
        elif isinstance(event, CustomerAssigned):
            row = entry(cif)
            row.customer_ref, row.owner, row.owner_team = event.customer_ref, event.owner, event.owner_team
            row.unit_path, row.government_related, row.updated_at = event.unit_path, event.government_related, now
        elif isinstance(event, CustomerTierChanged):
            row = entry(cif, customer_ref=event.customer_ref)
            row.tier, row.kind = event.to_tier, event.kind
            for task in tasks.open_of_customer(cif):
                task.tier_rank = tier_rank(event.to_tier)
            review = tasks.raise_(relationship_task(rules["tier_review"], calendar, item, row,
                                                    {"from_tier": event.from_tier, "to_tier": event.to_tier}, now),
                                  business_date=day, now=now)
            for earlier in tasks.open_of_customer(cif):   # a later change supersedes the earlier review
                if earlier.rule == "tier_review" and earlier is not review:
                    tasks.cancel(earlier, "superseded", business_date=day, now=now)
            lead_alerts.recheck(tasks, rules, calendar, row, grades=grades, leads=leads, item=item, now=now)
            continue
        else:
            tasks.raise_(relationship_task(rules["contact_remarketing"], calendar, item, book.get(cif),
                                           {"contact_name": event.contact_name, "contact_role": event.contact_role,
                                            "change": event.change}, now), business_date=day, now=now)
            continue
        # registered or assigned: a task that waited for the customer (the unit's queue) goes to its owner
        for task in tasks.open_of_customer(cif):
            if task.rule not in lead_alerts.RULES:   # the lead's alerts stay the lead's
                route_to_owner(task, row, calendar, day, now)
        lead_alerts.recheck(tasks, rules, calendar, row, grades=grades, leads=leads, item=item, now=now)
    rows = [vars(book[cif]) for cif in sorted(written)]   # sorted: one lock order for all writers
    if rows:
        await put_rows(session, BOOK, rows, ("cif",), update=tuple(c for c in rows[0] if c != "cif"))
    await tasks.write()
    # names are joined in when a page is read, but a cached agenda page holds the old one
    await bump_agendas(session, {person for cif in renamed for task in tasks.open_of_customer(cif)
                                 for person in (task.assignee, task.escalated_to, task.copied_to)})
