"""Follows `session.revoked` on customer.events into the gateway's in-memory denylist.

Every replica must see every revocation, so there is no consumer group: each process reads all
partitions itself. On start it reads back as far as the oldest access token that can still be alive
(access_token_minutes), so a replica started after a logout still refuses that session's tokens.
"""
import asyncio
import json
import logging
import time
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from services.gateway.config import Settings
from services.gateway.identity import Denylist
from shared.events import CUSTOMER_TOPIC
from shared.kafka import ensure_topics

log = logging.getLogger("gateway.revocation")


def apply(denylist: Denylist, value: bytes) -> None:
    """One message of customer.events: only session.revoked matters here; anything unreadable is skipped
    (the customer service's own consumers dead-letter bad messages — this is just a reader)."""
    try:
        event = json.loads(value)
        if event.get("type") == "session.revoked":
            data = event["data"]
            expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00")).timestamp()
            denylist.add(data["session_id"], expires)
            log.info("session revoked", extra={"fields": {"user": data.get("username"),
                                                          "session_id": data["session_id"]}})
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("unreadable message on %s skipped", CUSTOMER_TOPIC)


async def _start_at_oldest_live_token(consumer: AIOKafkaConsumer, settings: Settings) -> None:
    partitions = consumer.partitions_for_topic(CUSTOMER_TOPIC) or set()
    tps = [TopicPartition(CUSTOMER_TOPIC, p) for p in partitions]
    consumer.assign(tps)
    since_ms = int((time.time() - settings.access_token_minutes * 60 - 60) * 1000)
    try:
        offsets = await consumer.offsets_for_times({tp: since_ms for tp in tps})
        for tp in tps:
            found = offsets.get(tp)
            if found is None:
                await consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, found.offset)
    except (KafkaError, NotImplementedError, ValueError) as err:
        log.warning("broker cannot look offsets up by time (%s); reading revocations from the start", err)
        await consumer.seek_to_beginning(*tps)


async def follow(settings: Settings, denylist: Denylist, ready: asyncio.Event | None = None) -> None:
    """Runs for the life of the gateway; a broker outage is waited out, never fatal."""
    while True:
        consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        try:
            await ensure_topics(settings, topics=(CUSTOMER_TOPIC,))
            await consumer.start()
            await consumer._client.force_metadata_update()
            await _start_at_oldest_live_token(consumer, settings)
            if ready:
                ready.set()
            async for message in consumer:
                apply(denylist, message.value)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - broker away: keep the gateway serving, retry
            log.warning("revocation feed interrupted (%s); reconnecting", err)
            await asyncio.sleep(2)
        finally:
            await consumer.stop()
