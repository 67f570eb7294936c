"""Core-banking simulator: a seeded, realistic event stream into the contract's topics.

`python -m tools.simulator --customers 1000 --events 20000 --rate 1000` (also `make simulate`).
Deposits move daily (90 % of events are `deposit.changed`), loans follow a schedule (disbursed → due →
repaid, some overdue and downgraded). The same seed gives the same stream, and `expected_state()`
says what the final balances must be — fault tests compare against it exactly.
"""
import argparse
import asyncio
import json
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from shared.events import DEPOSITS_TOPIC, LOANS_TOPIC
from shared.kafka import PartitionBatches

PRODUCTS = ("demand", "demand", "savings", "time", "margin", "wealth")
# Median movement of a customer (CNY): four in five retail, one in five business. Sizes are log-normal
# around it, so most movements are small: on a stream of new accounts about one in fifteen crosses the
# 500,000 CNY line (mostly a business customer's first money in) and one in fifteen takes 30 % of a
# balance out; a uniform spread made two movements in three "large" and a task.
TYPICAL_MOVEMENT = (2_000.0,) * 4 + (60_000.0,)
SPREAD = 1.4          # sigma of log(amount)
LEAVING = 0.03        # share of withdrawals that move most of an account away (the retention case)
CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")


@dataclass
class Book:
    """What the simulator knows of one customer, so the stream stays consistent (balances never lie)."""
    cif: str
    typical: float = 2_000.0   # median size of one movement, CNY: a retail or a business customer
    accounts: dict[str, tuple[str, Decimal]] = field(default_factory=dict)   # id -> (product, balance)
    loans: dict[str, dict] = field(default_factory=dict)


def cif_of(n: int) -> str:
    return f"C{n:09d}"


def envelope(event_type: str, cif: str, data: dict, day: date, rng: random.Random) -> dict:
    return {"id": str(uuid.UUID(int=rng.getrandbits(128))), "type": event_type, "version": 1,
            "source": "core-banking", "occurred_at": f"{day.isoformat()}T02:00:00Z",
            "business_date": day.isoformat(), "subject": cif, "data": data}


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def generate(customers: int, events: int, seed: int = 7, start: date = date(2026, 11, 2)):
    """Yield (topic, key, envelope) in publish order; business dates advance one day per customer pass."""
    rng = random.Random(seed)
    books = [Book(cif_of(n), typical=rng.choice(TYPICAL_MOVEMENT)) for n in range(1, customers + 1)]
    produced, day = 0, start
    for book in books:  # every customer starts with an account, so changes have something to change
        yield from _open_account(book, day, rng)
        produced += 1
    while produced < events:
        day += timedelta(days=1)
        for book in rng.sample(books, k=min(len(books), max(1, (events - produced)))):
            if produced >= events:
                break
            if rng.random() < 0.9:
                yield _deposit_change(book, day, rng)
            else:
                yield _loan_event(book, day, rng)
            produced += 1


def _open_account(book: Book, day: date, rng: random.Random):
    account = f"A{book.cif[1:]}{len(book.accounts) + 1:02d}"
    product = rng.choice(PRODUCTS)
    book.accounts[account] = (product, Decimal(0))
    data = {"account_id": account, "customer_id": book.cif, "product": product, "currency": "CNY",
            "opened_on": day.isoformat()}
    if product == "time":
        data["maturity_date"] = (day + timedelta(days=rng.choice((90, 180, 365)))).isoformat()
    yield DEPOSITS_TOPIC, book.cif, envelope("deposit.opened", book.cif, data, day, rng)


def _deposit_change(book: Book, day: date, rng: random.Random):
    account = rng.choice(sorted(book.accounts))
    product, balance = book.accounts[account]
    size = Decimal(f"{max(0.01, rng.lognormvariate(math.log(book.typical), SPREAD)):.2f}")
    if not balance:
        amount = size * 10   # the first money in: a balance that carries months of movements
    elif rng.random() < 0.55:
        amount = size
    elif rng.random() < LEAVING:
        amount = -(balance * Decimal(f"{rng.uniform(0.3, 1.0):.4f}")).quantize(Decimal("0.01"))
    else:
        amount = -min(balance, size)
    balance += amount
    book.accounts[account] = (product, balance)
    return DEPOSITS_TOPIC, book.cif, envelope("deposit.changed", book.cif, {
        "account_id": account, "customer_id": book.cif, "product": product, "currency": "CNY",
        "amount": money(amount), "balance": money(balance), "channel": rng.choice(("counter", "mobile", "transfer"))},
        day, rng)


def _loan_event(book: Book, day: date, rng: random.Random):
    open_loans = [lid for lid, loan in book.loans.items() if loan["outstanding"] > 0]
    if not open_loans or rng.random() < 0.3:
        loan_id = f"L{book.cif[1:]}{len(book.loans) + 1:02d}"
        principal = Decimal(rng.randint(10, 500)) * 10_000
        book.loans[loan_id] = {"outstanding": principal, "class": "normal"}
        return LOANS_TOPIC, book.cif, envelope("loan.disbursed", book.cif, {
            "loan_id": loan_id, "customer_id": book.cif, "product": "working_capital",
            "principal": money(principal), "currency": "CNY", "disbursed_on": day.isoformat(),
            "maturity_date": (day + timedelta(days=365)).isoformat(), "government_related": rng.random() < 0.1,
            "classification": "normal"}, day, rng)
    loan_id = rng.choice(open_loans)
    loan = book.loans[loan_id]
    roll = rng.random()
    if roll < 0.45:
        due = (loan["outstanding"] / 4).quantize(Decimal("0.01"))
        return LOANS_TOPIC, book.cif, envelope("loan.due", book.cif, {
            "loan_id": loan_id, "customer_id": book.cif,
            "due_date": (day + timedelta(days=rng.randint(20, 70))).isoformat(),
            "principal_due": money(due), "interest_due": money(due * Decimal("0.01")),
            "outstanding_balance": money(loan["outstanding"])}, day, rng)
    if roll < 0.8:
        paid = min(loan["outstanding"], (loan["outstanding"] / 4).quantize(Decimal("0.01")) + 1)
        loan["outstanding"] -= paid
        return LOANS_TOPIC, book.cif, envelope("loan.repaid", book.cif, {
            "loan_id": loan_id, "customer_id": book.cif, "repaid_on": day.isoformat(),
            "principal_paid": money(paid), "interest_paid": money(paid * Decimal("0.01")),
            "outstanding_balance": money(loan["outstanding"])}, day, rng)
    if roll < 0.93:
        return LOANS_TOPIC, book.cif, envelope("loan.overdue", book.cif, {
            "loan_id": loan_id, "customer_id": book.cif, "as_of": day.isoformat(),
            "days_overdue": rng.randint(1, 90), "overdue_principal": money(loan["outstanding"] / 10),
            "overdue_interest": money(loan["outstanding"] / 1000)}, day, rng)
    worse = CLASSES[min(CLASSES.index(loan["class"]) + 1, len(CLASSES) - 1)]
    event = envelope("loan.classified", book.cif, {"loan_id": loan_id, "customer_id": book.cif,
                                                   "as_of": day.isoformat(), "from_class": loan["class"],
                                                   "to_class": worse}, day, rng)
    loan["class"] = worse
    return LOANS_TOPIC, book.cif, event


def expected_state(customers: int, events: int, seed: int = 7) -> dict:
    """Final deposit balance per account and event count per type for the same stream."""
    balances: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for _, _, event in generate(customers, events, seed):
        counts[event["type"]] = counts.get(event["type"], 0) + 1
        if event["type"] == "deposit.changed":
            balances[event["data"]["account_id"]] = Decimal(event["data"]["balance"])
    return {"balances": balances, "counts": counts}


async def publish(bootstrap: str, stream, rate: float | None = None, duplicate_every: int = 0,
                  garbage_every: int = 0) -> dict:
    """Produce the stream (acks=all), paced to `rate` events/s when given. Returns what was sent. An
    event may come already serialised (bytes), so a benchmark can keep generating out of its clock.
    As fast as it goes, events leave in batches filled per partition; paced, each leaves as it comes
    (a batch would hold it back, and latency is what a paced stream measures)."""
    from aiokafka import AIOKafkaProducer
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024)
    await producer.start()
    batches = None if rate else PartitionBatches(producer)
    sent, started, pending = 0, time.perf_counter(), []

    async def send(topic: str, key: bytes, value: bytes) -> None:
        if batches is not None:
            await batches.add(topic, key, value)
        else:
            pending.append(await producer.send(topic, value, key=key))

    try:
        for n, (topic, key, event) in enumerate(stream, start=1):
            value = event if isinstance(event, bytes) else json.dumps(event).encode()
            copies = 2 if duplicate_every and n % duplicate_every == 0 else 1
            for _ in range(copies):
                await send(topic, key.encode(), value)
            if garbage_every and n % garbage_every == 0:
                await send(topic, key.encode(), b'{"garbage": ' + str(n).encode())
            sent += copies
            if rate and sent % 100 == 0:
                ahead = sent / rate - (time.perf_counter() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)  # pacing a producer, not waiting on a test condition
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        if batches is not None:
            await batches.flush()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return {"sent": sent, "seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--rate", type=float, default=None, help="events per second (default: as fast as possible)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    stream = generate(args.customers, args.events, args.seed)
    print(asyncio.run(publish(args.bootstrap, stream, args.rate)))


if __name__ == "__main__":
    main()
