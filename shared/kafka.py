"""Kafka clients configured the one way we use them, and topic creation at start-up."""
import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from shared.events import ALL_TOPICS, dlq_topic
from shared.settings import ServiceSettings

log = logging.getLogger("kafka")


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
