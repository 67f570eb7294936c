"""Which access tokens are void before they expire: sessions ended (logout, refresh-token reuse) and
staff deactivated. Every process that checks tokens — the gateway and each service's HTTP app —
follows `session.revoked` and `staff.changed` on customer.events into its own in-memory Denylist, so a
token refused at the gateway is refused by a service called directly too.

Every replica must see every revocation, so there is no consumer group: each process reads all
partitions itself. On start it reads back as far as the oldest access token that can still be alive
(access_token_minutes), so a process started after a logout still refuses that session's tokens.
"""
import asyncio
import json
import logging
import time
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from shared.events import CUSTOMER_TOPIC
from shared.kafka import ensure_topics
from shared.settings import ServiceSettings

log = logging.getLogger("revocation")


class Denylist:
    """Sessions whose access tokens are void, each until the moment its last token expires; and staff
    who are inactive, whose tokens are void until they are made active again."""

    def __init__(self) -> None:
        self.until: dict[str, float] = {}
        self.inactive: set[str] = set()

    def add(self, session_id: str, expires_at_epoch: float) -> None:
        if expires_at_epoch > time.time():
            self.until[session_id] = max(expires_at_epoch, self.until.get(session_id, 0.0))

    def staff_changed(self, username: str, active: bool) -> None:
        (self.inactive.add if not active else self.inactive.discard)(username)

    def __contains__(self, session_id: str | None) -> bool:
        if session_id is None or session_id not in self.until:
            return False
        if self.until[session_id] <= time.time():
            del self.until[session_id]
            return False
        return True

    def refuses(self, username: str, session_id: str | None) -> bool:
        return session_id in self or username in self.inactive


def apply(denylist: Denylist, value: bytes) -> None:
    """One message of customer.events: session.revoked and staff.changed matter here; anything
    unreadable is skipped (the services' own consumers dead-letter bad messages — this is a reader)."""
    try:
        event = json.loads(value)
        data = event["data"] if event.get("type") in ("session.revoked", "staff.changed") else None
        if data is None:
            return
        if event["type"] == "staff.changed":
            denylist.staff_changed(data["username"], bool(data["active"]))
            return
        expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00")).timestamp()
        denylist.add(data["session_id"], expires)
        log.info("session revoked", extra={"fields": {"user": data.get("username"), "session_id": data["session_id"]}})
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("unreadable message on %s skipped", CUSTOMER_TOPIC)


async def _start_at_oldest_live_token(consumer: AIOKafkaConsumer, settings: ServiceSettings) -> None:
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


async def follow(settings: ServiceSettings, denylist: Denylist, ready: asyncio.Event | None = None) -> None:
    """Runs for the life of the process; a broker outage is waited out, never fatal."""
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
        except Exception as err:  # noqa: BLE001 - broker away: keep serving, retry
            log.warning("revocation feed interrupted (%s); reconnecting", err)
            await asyncio.sleep(2)
        finally:
            await consumer.stop()
