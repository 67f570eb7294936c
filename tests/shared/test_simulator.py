"""The simulator's stream is valid against the contract, reproducible, and consistent with itself."""
import json
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from types import SimpleNamespace

from aiokafka.partitioner import DefaultPartitioner

from services.tasks.config import Settings
from shared.events import DEPOSITS_TOPIC, LOANS_TOPIC, parse_event
from shared.kafka import ensure_topics
from tools.simulator import expected_state, generate, publish
from tools.watch import records


def test_every_simulated_event_passes_the_contract():
    for _, key, event in generate(50, 2000, seed=3):
        envelope, data = parse_event(json.dumps(event).encode())
        assert envelope.subject == key == data.customer_id


def test_same_seed_same_stream_and_about_nine_in_ten_are_deposit_changes():
    first = [e for _, _, e in generate(30, 1000, seed=5)]
    assert first == [e for _, _, e in generate(30, 1000, seed=5)]
    kinds = Counter(e["type"] for e in first)
    assert len(first) == 1000 and 0.8 < kinds["deposit.changed"] / 1000 < 0.95
    assert {"loan.disbursed", "loan.due", "loan.repaid"} <= set(kinds)


def test_balances_follow_the_amounts_and_never_go_negative():
    running: dict[str, Decimal] = {}
    for _, _, e in generate(20, 1500, seed=9):
        if e["type"] == "deposit.changed":
            d = e["data"]
            running[d["account_id"]] = running.get(d["account_id"], Decimal(0)) + Decimal(d["amount"])
            assert running[d["account_id"]] == Decimal(d["balance"]) >= 0
    assert running == {k: v for k, v in expected_state(20, 1500, seed=9)["balances"].items()}


def test_large_movements_are_few_but_present_as_in_a_branch_book():
    """Task rules fire on ≥ 500,000 CNY in a day or ≥ 30 % of a balance out: a realistic stream raises
    them for a small share of movements (a uniform spread of amounts had two in three raise a task)."""
    changes = [e["data"] for _, _, e in generate(2000, 12000, seed=4) if e["type"] == "deposit.changed"]
    large_in = sum(Decimal(d["amount"]) >= 500_000 for d in changes) / len(changes)
    leaving = sum(Decimal(d["amount"]) < 0 and -Decimal(d["amount"]) >= Decimal("0.3") * (Decimal(d["balance"])
                                                                                         - Decimal(d["amount"]))
                  for d in changes) / len(changes)
    assert 0.005 < large_in < 0.15 and 0.005 < leaving < 0.15


async def test_a_stream_published_at_full_speed_arrives_whole_each_customer_in_its_partition_in_order(kafka):
    """The unpaced publisher fills batches per partition itself: every event (duplicates and garbage
    too) arrives once, on the partition the default partitioner picks for its CIF, in stream order."""
    topics = {t: f"sim.{uuid.uuid4().hex[:8]}.{t}" for t in (DEPOSITS_TOPIC, LOANS_TOPIC)}
    await ensure_topics(Settings(kafka_bootstrap_servers=kafka, topic_partitions=6), topics=list(topics.values()))
    stream = [(topics[t], key, event) for t, key, event in generate(40, 1500, seed=2)]
    sent = await publish(kafka, stream, duplicate_every=50, garbage_every=100)

    expected: dict[tuple[str, bytes], list[bytes]] = defaultdict(list)   # as publish() sends them
    for n, (topic, key, event) in enumerate(stream, start=1):
        expected[topic, key.encode()] += [json.dumps(event).encode()] * (2 if n % 50 == 0 else 1)
        if n % 100 == 0:
            expected[topic, key.encode()].append(b'{"garbage": ' + str(n).encode())
    arrived: dict[tuple[str, bytes], list[bytes]] = defaultdict(list)
    partition_of: dict[tuple[str, bytes], set[int]] = defaultdict(set)
    for topic in topics.values():
        found = await records(SimpleNamespace(kafka=kafka), topic)
        for record in sorted(found, key=lambda r: (r.partition, r.offset)):
            arrived[topic, record.key].append(record.value)
            partition_of[topic, record.key].add(record.partition)
    assert sent["sent"] == 1500 + 1500 // 50
    assert arrived == expected
    choose, partitions = DefaultPartitioner(), list(range(6))
    assert all(where == {choose(key, partitions, partitions)} for (_, key), where in partition_of.items())
