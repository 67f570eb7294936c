"""Kafka clients configured the one way we use them, and topic creation at start-up."""
import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder

from shared.events import ALL_TOPICS, dlq_topic
from shared.settings import ServiceSettings

log = logging.getLogger("kafka")


class PartitionBatches:
    """Record batches filled per partition by hand (aiokafka's create_batch / send_batch), for code
    that publishes many messages at once (the outbox relay, the simulator): aiokafka's send() pays per
    message a future, the accumulator and a pure-Python murmur2 — more than the batches themselves
    cost. Partitions are the default partitioner's choice (murmur2 of the key), taken once per
    key, so a key keeps its partition and its order exactly as with send(). flush() returns once the
    broker has acknowledged everything added."""

    def __init__(self, producer: AIOKafkaProducer, in_flight: int = 50) -> None:
        self.producer, self.in_flight, self.choose = producer, in_flight, DefaultPartitioner()
        self.partitions: dict[str, list[int]] = {}
        self.partition_of: dict[tuple[str, bytes], int] = {}
        self.open: dict[tuple[str, int], BatchBuilder] = {}
        self.pending: list = []

    async def add(self, topic: str, key: bytes, value: bytes, headers: list[tuple[str, bytes]] | None = None) -> None:
        headers = headers or []   # the batch builder takes a list only
        where = self.partition_of.get((topic, key))
        if where is None:
            if topic not in self.partitions:
                self.partitions[topic] = sorted(await self.producer.partitions_for(topic))
            every = self.partitions[topic]
            where = self.partition_of[(topic, key)] = self.choose(key, every, every)
        batch = self.open.get((topic, where))
        if batch is None:
            batch = self.open[(topic, where)] = self.producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:   # full: send, start anew
            await self._send(topic, where)
            batch = self.open[(topic, where)] = self.producer.create_batch()
            batch.append(key=key, value=value, timestamp=None, headers=headers)   # an empty batch takes any one

    async def _send(self, topic: str, partition: int) -> None:
        batch = self.open.pop((topic, partition))
        self.pending.append(await self.producer.send_batch(batch, topic, partition=partition))
        if len(self.pending) >= self.in_flight:   # acknowledged before more is built
            await asyncio.gather(*self.pending)
            self.pending.clear()

    async def flush(self) -> None:
        for topic, partition in list(self.open):
            await self._send(topic, partition)
        await asyncio.gather(*self.pending)
        self.pending.clear()


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        linger_ms=2,
        request_timeout_ms=15000,
    )


async def ensure_topics(settings: ServiceSettings, topics=ALL_TOPICS, attempts: int = 30) -> None:
    """Create the contract's topics and their dead-letter topics when missing (idempotent)."""
    wanted = [t for topic in topics for t in (topic, dlq_topic(topic))]
    for attempt in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [NewTopic(t, settings.topic_partitions, settings.topic_replication_factor)
                       for t in wanted if t not in existing]
            if missing:
                await admin.create_topics(missing)  # "already exists" from a racing service is fine
            return
        except (KafkaError, OSError) as err:
            log.warning("broker not ready for topic creation (%s); retrying", err)
            await asyncio.sleep(min(0.2 * 2 ** attempt, 2.0))
        finally:
            await admin.close()
    raise RuntimeError(f"could not create topics on {settings.kafka_bootstrap_servers}")
